"""The signed-in member's bookmarks in JSON: list them, save a post (with a note), remove one.

A post the member may not read answers 404, as everywhere in the API; signed out, 401.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from community import bookmarks, posting
from community.deps import ClockDep, GuardianDep, SessionDep
from community.params import PostId
from community.policy import ensure_signed_in
from community.schemas import AuthorRef, BookmarkList, BookmarkPublic, BookmarkSave

router = APIRouter(tags=["bookmarks"])


@router.get("/me/bookmarks", response_model=BookmarkList)
def list_bookmarks(
    session: SessionDep,
    guardian: GuardianDep,
    cursor: Annotated[
        str | None,
        Query(
            max_length=200,
            description="`next_cursor` of the previous page; leave out for the first page.",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        Query(ge=1, le=bookmarks.MAX_LIMIT, description="Page size (default: the site's)."),
    ] = None,
) -> BookmarkList:
    """Your saved posts, newest first."""
    page = bookmarks.list_bookmarks(session, guardian, cursor=cursor or None, limit=limit)
    return BookmarkList(items=[_public(item) for item in page.items], next_cursor=page.next_cursor)


@router.put("/posts/{post_id}/bookmark", response_model=BookmarkPublic)
def save_post(
    post_id: PostId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    payload: BookmarkSave | None = None,
) -> BookmarkPublic:
    """Save the post in your bookmarks, or change its note; saving again is harmless."""
    ensure_signed_in(guardian)
    post = posting.get_post(session, guardian, post_id)
    note = None
    if payload is not None and "note" in payload.model_fields_set:
        note = payload.note or ""
    bookmarks.add_bookmark(session, guardian, post, note=note, clock=clock)
    item = bookmarks.saved_item(session, guardian, post)
    assert item is not None
    return _public(item)


@router.delete("/posts/{post_id}/bookmark", status_code=204)
def remove_post(post_id: PostId, session: SessionDep, guardian: GuardianDep) -> Response:
    """Take the post off your bookmarks (204 whether or not it was on them)."""
    ensure_signed_in(guardian)
    post = posting.get_post(session, guardian, post_id)
    bookmarks.remove_bookmark(session, guardian, post)
    return Response(status_code=204)


def _public(item: bookmarks.BookmarkItem) -> BookmarkPublic:
    post, mark = item.post, item.bookmark
    assert post.id is not None
    return BookmarkPublic(
        post_id=post.id,
        thread_id=post.thread_id,
        thread_title=item.thread.title,
        post_number=post.post_number,
        url=f"/p/{post.id}",
        author=AuthorRef.of(item.author),
        excerpt=item.excerpt,
        note=mark.note,
        created_at=mark.created_at,
    )
