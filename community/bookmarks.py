"""Bookmarks: a member saves posts (a question or any answer) to find them again, with a note.

A bookmark is private: only its member reads, changes or removes it, so every query names
``guardian.user_id`` and nobody else's row can be reached. Saving needs the post to be readable
by the member (Guardian.can_bookmark). A post that later goes out of their sight (hidden, held
for review, deleted, its thread hidden) leaves their list, and its row stays: it comes back when
the post does. Like watching, it is a private preference nobody else reads: no outbox event.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, delete, func, literal, or_, tuple_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from community import posting
from community.clock import Clock
from community.cursors import decode_time_cursor, encode_time_cursor
from community.db import UTCDateTime
from community.errors import Conflict, Invalid, NotFound
from community.models import Bookmark, Post, Thread, User
from community.policy import Guardian, ensure_signed_in
from community.settings import get_settings

MAX_NOTE_CHARS = 200
MAX_BOOKMARKS = 1_000
MAX_LIMIT = 100
EXCERPT_CHARS = 200
NOT_FOUND = "This post does not exist or was deleted."  # posting.get_post's words


@dataclass(frozen=True)
class BookmarkItem:
    """A saved post as the member's list shows it."""

    bookmark: Bookmark
    post: Post
    thread: Thread
    author: User

    @property
    def excerpt(self) -> str:
        return posting.excerpt(self.post, EXCERPT_CHARS)


@dataclass(frozen=True)
class BookmarkPage:
    items: list[BookmarkItem]
    next_cursor: str | None


def validate_note(note: str) -> str | None:
    """The note as kept: one line, spaces collapsed; None when empty. Invalid when too long."""
    text = " ".join(note.split())
    if len(text) > MAX_NOTE_CHARS:
        raise Invalid(
            "A note can have at most %(limit)s characters.", field="note", limit=MAX_NOTE_CHARS
        )
    return text or None


def add_bookmark(
    session: Session, guardian: Guardian, post: Post, *, note: str | None = None, clock: Clock
) -> Bookmark:
    """Save ``post`` for the signed-in member, or change the note of the bookmark they have.
    ``note`` None leaves the note as it is ("" takes it off), so saving twice is harmless."""
    ensure_signed_in(guardian)
    thread = session.get(Thread, post.thread_id)
    if thread is None or not guardian.can_bookmark(post, thread):
        raise NotFound(NOT_FOUND)  # never confirm that a post out of sight exists
    kept_note = validate_note(note) if note is not None else None
    bookmark = find(session, guardian, post)
    if bookmark is None:
        assert post.id is not None
        _ensure_room(session, guardian)
        bookmark = Bookmark(
            user_id=guardian.user_id, post_id=post.id, note=kept_note, created_at=clock.now()
        )
    elif note is not None:
        bookmark.note = kept_note
    session.add(bookmark)
    try:
        session.commit()
    except IntegrityError:  # the same member saved it a moment earlier, in another request
        session.rollback()
        again = find(session, guardian, post)
        if again is None:
            raise
        return add_bookmark(session, guardian, post, note=note, clock=clock)
    return bookmark


def remove_bookmark(session: Session, guardian: Guardian, post: Post) -> bool:
    """Take ``post`` off the signed-in member's bookmarks; False when it was not on them."""
    ensure_signed_in(guardian)
    result = session.execute(
        delete(Bookmark).where(
            col(Bookmark.user_id) == guardian.user_id, col(Bookmark.post_id) == post.id
        )
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def find(session: Session, guardian: Guardian, post: Post) -> Bookmark | None:
    """The signed-in member's bookmark of ``post``, if they have one."""
    if guardian.user is None:
        return None
    query = select(Bookmark).where(
        col(Bookmark.user_id) == guardian.user.id, col(Bookmark.post_id) == post.id
    )
    return session.exec(query).first()


def saved_item(session: Session, guardian: Guardian, post: Post) -> BookmarkItem | None:
    """The signed-in member's bookmark of ``post`` as their list shows it; None when they have
    not saved it."""
    bookmark = find(session, guardian, post)
    thread = session.get(Thread, post.thread_id)
    author = session.get(User, post.author_id)
    if bookmark is None or thread is None or author is None:
        return None
    return BookmarkItem(bookmark=bookmark, post=post, thread=thread, author=author)


def list_bookmarks(
    session: Session,
    guardian: Guardian,
    *,
    cursor: str | None = None,
    limit: int | None = None,
) -> BookmarkPage:
    """The signed-in member's saved posts they may read now, newest bookmark first."""
    ensure_signed_in(guardian)
    size = get_settings().page_size if limit is None else max(1, min(limit, MAX_LIMIT))
    query = _readable(
        select(Bookmark, Post, Thread)
        .join(Post, col(Post.id) == col(Bookmark.post_id))
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .where(col(Bookmark.user_id) == guardian.user_id),
        guardian,
    )
    if cursor:
        at, last_id = decode_time_cursor(cursor)
        query = query.where(
            tuple_(col(Bookmark.created_at), col(Bookmark.id)) < tuple_(_at(at), literal(last_id))
        )
    query = query.order_by(col(Bookmark.created_at).desc(), col(Bookmark.id).desc())
    rows = list(session.exec(query.limit(size + 1)).all())
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1][0]
        assert last.id is not None
        next_cursor = encode_time_cursor(last.created_at, last.id)
    author_ids = {post.author_id for _, post, _ in rows}
    authors = {
        user.id: user for user in session.exec(select(User).where(col(User.id).in_(author_ids)))
    }
    items = [
        BookmarkItem(bookmark=bookmark, post=post, thread=thread, author=authors[post.author_id])
        for bookmark, post, thread in rows
    ]
    return BookmarkPage(items=items, next_cursor=next_cursor)


def _ensure_room(session: Session, guardian: Guardian) -> None:
    """At most MAX_BOOKMARKS the member can see: those out of their sight do not count, since
    they could not remove them to make room."""
    count_query = _readable(
        select(func.count())
        .select_from(Bookmark)
        .join(Post, col(Post.id) == col(Bookmark.post_id))
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .where(col(Bookmark.user_id) == guardian.user_id),
        guardian,
    )
    if session.exec(count_query).one() >= MAX_BOOKMARKS:
        raise Conflict(
            "You have %(limit)s bookmarks, the most one can keep: remove some to save this post.",
            limit=MAX_BOOKMARKS,
        )


_Query = TypeVar("_Query", SelectOfScalar[int], Select[Bookmark, Post, Thread])


def _readable(query: _Query, guardian: Guardian) -> _Query:
    """Only posts the member may read now: Guardian.can_bookmark, said in SQL."""
    query = query.where(col(Post.deleted_at).is_(None))
    if guardian.can_moderate():
        return query
    user_id = guardian.user_id
    return query.where(
        col(Thread.deleted_at).is_(None),
        or_(col(Thread.hidden_at).is_(None), col(Thread.author_id) == user_id),
        or_(col(Post.hidden_at).is_(None), col(Post.author_id) == user_id),
    )


def _at(moment: datetime) -> ColumnElement[datetime]:
    """Bound with the column type, so it compares exactly as created_at is stored."""
    return literal(moment, UTCDateTime())
