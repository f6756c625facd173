"""JSON lists: categories and pages of thread summaries (keyset cursors, like the pages)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from community import listing, web
from community.deps import GuardianDep, SessionDep
from community.schemas import (
    AuthorRef,
    CategoryList,
    CategoryPublic,
    CategoryRef,
    ThreadSummaryList,
    ThreadSummaryPublic,
)

router = APIRouter(tags=["lists"])

CursorQuery = Annotated[
    str | None,
    Query(
        max_length=200,
        description="`next_cursor` of the previous page; leave out for the first page.",
    ),
]
LimitQuery = Annotated[
    int | None,
    Query(ge=1, le=listing.MAX_LIMIT, description="Page size (default: the site's page size)."),
]


@router.get("/categories", response_model=CategoryList)
def categories(request: Request, session: SessionDep) -> CategoryList:
    language = web.language_of(request)
    return CategoryList(
        items=[CategoryPublic.of(c, language) for c in listing.list_categories(session)]
    )


@router.get("/threads", response_model=ThreadSummaryList)
def threads(
    session: SessionDep,
    guardian: GuardianDep,
    category: Annotated[
        str | None, Query(max_length=60, description="A category slug; all when left out.")
    ] = None,
    filter_: Annotated[
        listing.ThreadFilter,
        Query(
            alias="filter",
            description="unanswered: nobody but the asker has replied; unsolved: no accepted "
            "solution; solved: with an accepted solution.",
        ),
    ] = "all",
    sort: Annotated[
        listing.ThreadSort,
        Query(description="activity: latest activity first; newest: newest first; kudos."),
    ] = "activity",
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> ThreadSummaryList:
    page = listing.list_threads(
        session,
        guardian,
        category=listing.get_category(session, category) if category is not None else None,
        filter=filter_,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    return _summary_list(page)


@router.get("/my/threads", response_model=ThreadSummaryList)
def my_threads(
    session: SessionDep,
    guardian: GuardianDep,
    tab: Annotated[
        listing.MyThreadsTab,
        Query(description="started: threads you asked; replied: threads you answered in."),
    ] = "started",
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> ThreadSummaryList:
    page = listing.my_threads(session, guardian, tab=tab, cursor=cursor, limit=limit)
    return _summary_list(page)


def _summary_list(page: listing.ThreadPage) -> ThreadSummaryList:
    return ThreadSummaryList(items=[_summary(s) for s in page.items], next_cursor=page.next_cursor)


def _summary(summary: listing.ThreadSummary) -> ThreadSummaryPublic:
    thread = summary.thread
    assert thread.id is not None
    return ThreadSummaryPublic(
        id=thread.id,
        title=thread.title,
        category=CategoryRef.of(summary.category),
        author=AuthorRef.of(summary.author),
        tags=summary.tags,
        reply_count=summary.reply_count,
        kudos_count=thread.kudos_count,
        solved=thread.is_solved,
        answered=thread.first_response_at is not None,
        deleted=thread.is_deleted,
        hidden=thread.is_hidden,
        created_at=thread.created_at,
        last_activity_at=thread.last_activity_at,
    )
