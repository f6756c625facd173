"""The bookmark button on every post of a thread, and the member's Bookmarks page.

The button posts a form (303 back to the post without JavaScript; htmx swaps the button). The
page lists the saved posts newest first; each row edits its note and removes itself the same way.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from community import bookmarks, posting, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import Invalid
from community.i18n import N_
from community.models import Post, Thread
from community.params import FormStr, PostId
from community.policy import Guardian

router = APIRouter()

CursorQuery = Annotated[str | None, Query(max_length=200)]
NOTE_SAVED = N_("Note saved.")


@router.get("/my/bookmarks")
def bookmarks_page(
    request: Request, session: SessionDep, guardian: GuardianDep, cursor: CursorQuery = None
) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request)
    page = bookmarks.list_bookmarks(session, guardian, cursor=cursor or None)
    context = _list_context(page, cursor)
    if cursor and web.is_htmx(request):
        return web.render(request, "community/_bookmark_list.html", **context)
    return web.render(request, "community/bookmarks.html", **context)


@router.post("/p/{post_id}/bookmark")
def save_post(
    request: Request, post_id: PostId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> Response:
    if not guardian.is_authenticated and not web.is_htmx(request):
        return web.login_redirect(request, f"/p/{post_id}")
    post = posting.get_post(session, guardian, post_id)
    bookmarks.add_bookmark(session, guardian, post, clock=clock)
    return _button_or_back(request, session, guardian, post)


@router.post("/p/{post_id}/bookmark/delete")
def remove_post(
    request: Request,
    post_id: PostId,
    session: SessionDep,
    guardian: GuardianDep,
    from_list: FormStr = "",
) -> Response:
    """``from_list``: the Bookmarks page's remove button, whose row goes away (or, without
    JavaScript, the page comes back without it)."""
    if not guardian.is_authenticated and not web.is_htmx(request):
        return web.login_redirect(request, f"/p/{post_id}")
    post = posting.get_post(session, guardian, post_id)
    bookmarks.remove_bookmark(session, guardian, post)
    if from_list:
        return HTMLResponse("") if web.is_htmx(request) else web.redirect("/my/bookmarks")
    return _button_or_back(request, session, guardian, post)


@router.post("/my/bookmarks/{post_id}/note")
def save_note(
    request: Request,
    post_id: PostId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    note: FormStr = "",
) -> Response:
    if not guardian.is_authenticated and not web.is_htmx(request):
        return web.login_redirect(request, "/my/bookmarks")
    post = posting.get_post(session, guardian, post_id)
    try:
        bookmarks.add_bookmark(session, guardian, post, note=note, clock=clock)
    except Invalid as exc:
        return _refused_note(request, session, guardian, post, note, exc)
    if not web.is_htmx(request):
        web.flash(request, NOTE_SAVED)
        return web.redirect(f"/my/bookmarks#bookmark-row-{post.id}")
    answer = web.render(
        request, "community/_bookmark_row.html", item=bookmarks.saved_item(session, guardian, post)
    )
    return web.with_flash(request, answer, NOTE_SAVED)


def _refused_note(
    request: Request,
    session: Session,
    guardian: Guardian,
    post: Post,
    note: str,
    exc: Invalid,
) -> Response:
    """The row again with the note as typed and what is wrong with it; without JavaScript, the
    page with that row alone (it may be on any page of the list)."""
    item = bookmarks.saved_item(session, guardian, post)
    if item is None:  # a note for a post not saved: the refusal alone
        raise exc
    error = {"post_id": post.id, "note": note, "message": web.error_message(request, exc)}
    if web.is_htmx(request):
        return web.render(
            request,
            "community/_bookmark_row.html",
            status_code=exc.status_code,
            item=item,
            note_error=error,
        )
    return web.render(
        request,
        "community/bookmarks.html",
        status_code=exc.status_code,
        note_error=error,
        **_list_context(bookmarks.BookmarkPage(items=[item], next_cursor=None), None),
    )


def _button_or_back(request: Request, session: Session, guardian: Guardian, post: Post) -> Response:
    if not web.is_htmx(request):
        return web.redirect(posting.post_url(post))
    thread = session.get(Thread, post.thread_id)
    item = posting.post_view(session, guardian, post)
    return web.render(request, "community/_bookmark_button.html", item=item, thread=thread)


def _list_context(page: bookmarks.BookmarkPage, cursor: str | None) -> dict[str, Any]:
    next_url = f"/my/bookmarks?cursor={page.next_cursor}" if page.next_cursor else None
    return {"page": page, "cursor": cursor, "next_url": next_url}
