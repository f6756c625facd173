"""Pages that list things: the home page, a category's threads, the reader's own threads.

A "more" link asks for the next page with htmx and gets only that page's rows
(community/_thread_list.html); without JavaScript the same link opens the next page.
"""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from community import category_watching, listing, web
from community.deps import GuardianDep, SessionDep

router = APIRouter()

CursorParam = Annotated[str | None, Query()]


@router.get("/")
def home(request: Request, session: SessionDep, guardian: GuardianDep) -> Response:
    return web.render(
        request,
        "community/home.html",
        overviews=listing.category_overviews(session, guardian),
        latest=listing.latest_threads(session, guardian),
        show_category=True,
    )


@router.get("/c/{slug}")
def category_page(
    request: Request,
    slug: str,
    session: SessionDep,
    guardian: GuardianDep,
    filter_: Annotated[str, Query(alias="filter")] = "all",
    sort: str = "activity",
    cursor: CursorParam = None,
) -> Response:
    category = listing.get_category(session, slug)
    # A hand-edited or stale URL still shows the category, with a notice about what was ignored.
    chosen_filter = listing.known_filter(filter_) or "all"
    chosen_sort = listing.known_sort(sort) or "activity"
    ignored = [
        value
        for value, chosen in ((filter_, chosen_filter), (sort, chosen_sort))
        if value != chosen
    ]
    page = listing.list_threads(
        session,
        guardian,
        category=category,
        filter=chosen_filter,
        sort=chosen_sort,
        cursor=cursor if sort == chosen_sort else None,
    )

    def link(**changes: str) -> str:
        params = {"filter": chosen_filter, "sort": chosen_sort, **changes}
        defaults = {"filter": "all", "sort": "activity"}
        query = {k: v for k, v in params.items() if v and defaults.get(k) != v}
        return f"/c/{category.slug}" + (f"?{urlencode(query)}" if query else "")

    context: dict[str, Any] = {
        "category": category,
        "category_watching": category_watching.is_watching(session, guardian.user, category),
        "page": page,
        "cursor": cursor,
        "next_url": link(cursor=page.next_cursor) if page.next_cursor else None,
        "show_category": False,
    }
    if cursor and web.is_htmx(request):
        return web.render(request, "community/_thread_list.html", **context)
    return web.render(
        request,
        "community/category.html",
        filter=chosen_filter,
        sort=chosen_sort,
        ignored=ignored,
        link=link,
        **context,
    )


@router.get("/my/threads")
def my_threads_page(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    tab: str = "started",
    cursor: CursorParam = None,
) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request)
    chosen_tab = listing.known_tab(tab) or "started"
    page = listing.my_threads(session, guardian, tab=chosen_tab, cursor=cursor)
    next_url = None
    if page.next_cursor:
        next_url = "/my/threads?" + urlencode({"tab": chosen_tab, "cursor": page.next_cursor})
    context: dict[str, Any] = {
        "page": page,
        "cursor": cursor,
        "next_url": next_url,
        "show_category": True,
    }
    if cursor and web.is_htmx(request):
        return web.render(request, "community/_thread_list.html", **context)
    return web.render(request, "community/my_threads.html", tab=chosen_tab, **context)
