"""Lists of categories and threads: read-only queries with keyset pagination.

Every thread list is ordered by one sort key and then by id (both descending), and the next page
starts strictly after the last row shown: ``(key, id) < (last_key, last_id)``. There is no OFFSET,
so page 4,000 costs what page 1 costs, and rows with equal keys (say, 3 kudos each) are neither
repeated nor skipped. Each (filter, sort, scope) walks an index of ``Thread.__table_args__``
backwards; tests/community/test_listing.py checks the plans.

"Unanswered" has partial indexes of its own, being a small slice one would otherwise have to
scan a category for. "Solved" and "unsolved" are large slices, so they walk the plain sort index
and skip the rows of the other state; so do soft-deleted threads for readers who may not see them.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeVar, get_args

from sqlalchemy import ColumnElement, SQLColumnExpression, exists, literal, tuple_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from community import params, visibility
from community.db import UTCDateTime
from community.errors import Invalid, NotFound
from community.i18n import N_
from community.models import Category, Post, Thread, User
from community.policy import Guardian, ensure_signed_in
from community.settings import get_settings

ThreadFilter = Literal["all", "unanswered", "unsolved", "solved"]
ThreadSort = Literal["activity", "newest", "kudos"]
MyThreadsTab = Literal["started", "replied"]

THREAD_FILTERS: tuple[ThreadFilter, ...] = get_args(ThreadFilter)
THREAD_SORTS: tuple[ThreadSort, ...] = get_args(ThreadSort)
MY_THREADS_TABS: tuple[MyThreadsTab, ...] = get_args(MyThreadsTab)
LATEST_LIMIT = 15
MAX_LIMIT = 100

# A cursor names the order it belongs to, so one from another sort is refused, not misread.
_CURSOR_TAGS = {"activity": "a", "newest": "n", "kudos": "k", "replied": "r"}
_MAX_CURSOR_CHARS = 200
BAD_CURSOR = N_("This page link is broken or out of date: go back to the first page.")

CursorKey = datetime | int
SortColumn = SQLColumnExpression[datetime] | SQLColumnExpression[int]


@dataclass(frozen=True)
class ThreadSummary:
    """A thread as a list shows it, with the few related rows a row needs."""

    thread: Thread
    author: User
    category: Category
    # Its replies held for review that the reader may not see (community.visibility).
    held_out_of_sight: int = 0

    @property
    def tags(self) -> list[str]:
        return self.thread.tags.split()

    @property
    def reply_count(self) -> int:
        """The replies the reader is told about."""
        return self.thread.reply_count - self.held_out_of_sight


@dataclass(frozen=True)
class ThreadPage:
    items: list[ThreadSummary]
    next_cursor: str | None


@dataclass(frozen=True)
class CategoryOverview:
    """A category on the home page; ``last_thread`` is None when the reader may not see it."""

    category: Category
    last_thread: Thread | None


def known_filter(value: str) -> ThreadFilter | None:
    return next((f for f in THREAD_FILTERS if f == value), None)


def known_sort(value: str) -> ThreadSort | None:
    return next((s for s in THREAD_SORTS if s == value), None)


def known_tab(value: str) -> MyThreadsTab | None:
    return next((t for t in MY_THREADS_TABS if t == value), None)


# --- categories ---------------------------------------------------------------------------------


def list_categories(session: Session) -> list[Category]:
    """By position, then by name: the order admins set in the category editor."""
    query = select(Category).order_by(col(Category.position), col(Category.name))
    return list(session.exec(query))


def category_overviews(session: Session, guardian: Guardian) -> list[CategoryOverview]:
    categories = list_categories(session)
    last_ids = [c.last_thread_id for c in categories if c.last_thread_id is not None]
    last_threads = {t.id: t for t in _visible(session, guardian, last_ids)}
    return [
        CategoryOverview(category=c, last_thread=last_threads.get(c.last_thread_id))
        for c in categories
    ]


def get_category(session: Session, slug: str) -> Category:
    category = session.exec(select(Category).where(Category.slug == slug)).first()
    if category is None:
        raise NotFound("There is no such category.")
    return category


# --- threads ------------------------------------------------------------------------------------


def list_threads(
    session: Session,
    guardian: Guardian,
    *,
    category: Category | None = None,
    filter: ThreadFilter = "all",
    sort: ThreadSort = "activity",
    cursor: str | None = None,
    limit: int | None = None,
) -> ThreadPage:
    """One page of threads, in ``category`` or in all of them. Raises Invalid for a bad cursor."""
    limit = _page_size(limit)
    query = _listed(select(Thread), guardian)
    if category is not None:
        query = query.where(Thread.category_id == category.id)
    if filter == "unanswered":
        query = query.where(col(Thread.first_response_at).is_(None))
    elif filter == "unsolved":
        query = query.where(col(Thread.solved_at).is_(None))
    elif filter == "solved":
        query = query.where(col(Thread.solved_at).is_not(None))
    return _keyset_page(session, guardian, query, sort=sort, cursor=cursor, limit=limit)


def latest_threads(
    session: Session, guardian: Guardian, *, limit: int = LATEST_LIMIT
) -> list[ThreadSummary]:
    """The most recently active threads across categories (the home page's list)."""
    return list_threads(session, guardian, limit=limit).items


def my_threads(
    session: Session,
    guardian: Guardian,
    *,
    tab: MyThreadsTab = "started",
    cursor: str | None = None,
    limit: int | None = None,
) -> ThreadPage:
    """Threads the signed-in user started (by activity), or replied to (by their last reply)."""
    ensure_signed_in(guardian)
    if tab == "replied":
        return _replied_threads(session, guardian, cursor=cursor, limit=_page_size(limit))
    limit = _page_size(limit)
    # Their own hidden threads stay on an author's list (marked), like on their pages.
    query = select(Thread).where(
        Thread.author_id == guardian.user_id, col(Thread.merged_into_id).is_(None)
    )
    if not guardian.can_see_deleted_threads():
        query = query.where(col(Thread.deleted_at).is_(None))
    return _keyset_page(session, guardian, query, sort="activity", cursor=cursor, limit=limit)


def _replied_threads(
    session: Session, guardian: Guardian, *, cursor: str | None, limit: int
) -> ThreadPage:
    """Threads of others the user replied to, most recent reply first.

    Walks the user's replies newest first along ix_post_author_created and keeps each thread's
    latest one (no later reply of theirs in the thread, checked on the thread's few posts), so
    a page costs the same for someone with ten replies or a moderator with 75,000.
    """
    user_id = guardian.user_id
    later = aliased(Post)
    query = (
        select(Post, Thread)
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .where(
            Post.author_id == user_id,
            col(Post.post_number) > 1,
            col(Post.deleted_at).is_(None),
            Thread.author_id != user_id,
            ~exists().where(
                col(later.thread_id) == col(Post.thread_id),
                col(later.post_number) > col(Post.post_number),
                col(later.author_id) == user_id,
                col(later.deleted_at).is_(None),
            ),
        )
    )
    query = _listed(query, guardian)
    if cursor:
        key, last_id = decode_cursor(cursor, "replied")
        # One person's replies rarely share a timestamp, so a row-value seek is enough here.
        query = query.where(
            tuple_(col(Post.created_at), col(Post.id)) < tuple_(_bind(key), literal(last_id))
        )
    query = query.order_by(col(Post.created_at).desc(), col(Post.id).desc()).limit(limit + 1)
    rows = list(session.exec(query).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last_reply = rows[-1][0]
        assert last_reply.id is not None
        next_cursor = encode_cursor("replied", last_reply.created_at, last_reply.id)
    items = summarize(session, guardian, [t for _, t in rows])
    return ThreadPage(items=items, next_cursor=next_cursor)


def _keyset_page(
    session: Session,
    guardian: Guardian,
    query: SelectOfScalar[Thread],
    *,
    sort: ThreadSort,
    cursor: str | None,
    limit: int,
) -> ThreadPage:
    """The page of ``query`` after ``cursor`` in ``sort`` order (key, then id, descending).

    "After (key, id)" is asked as two exact index ranges: the rest of the rows sharing ``key``
    (key = k AND id < i), then the rows below it (key < k). One row-value comparison would say
    the same, but SQLite seeks on its first column only and would walk a whole run of equal
    keys (say, 150,000 threads with 0 kudos) to reach a deep page.
    """
    key_column = _sort_column(sort)
    id_column = col(Thread.id)
    ordered = query.order_by(key_column.desc(), id_column.desc())
    if not cursor:
        threads = list(session.exec(ordered.limit(limit + 1)))
    else:
        key, last_id = decode_cursor(cursor, sort)
        bound_key = _bind(key)
        threads = list(
            session.exec(
                ordered.where(key_column == bound_key, id_column < last_id).limit(limit + 1)
            )
        )
        if len(threads) <= limit:
            below = ordered.where(key_column < bound_key).limit(limit + 1 - len(threads))
            threads += session.exec(below)
    next_cursor = None
    if len(threads) > limit:
        threads = threads[:limit]
        last = threads[-1]
        assert last.id is not None
        next_cursor = encode_cursor(sort, _sort_key(last, sort), last.id)
    return ThreadPage(items=summarize(session, guardian, threads), next_cursor=next_cursor)


def summarize(
    session: Session, guardian: Guardian, threads: Sequence[Thread]
) -> list[ThreadSummary]:
    """Attach authors, categories and the reader's unseen held replies with one query each (not
    one per row)."""
    author_ids = {t.author_id for t in threads}
    category_ids = {t.category_id for t in threads}
    authors = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(author_ids)))}
    categories = {
        c.id: c for c in session.exec(select(Category).where(col(Category.id).in_(category_ids)))
    }
    held = visibility.held_out_of_sight(session, guardian, [t.id for t in threads if t.id])
    return [
        ThreadSummary(
            thread=t,
            author=authors[t.author_id],
            category=categories[t.category_id],
            held_out_of_sight=held.get(t.id or 0, 0),
        )
        for t in threads
    ]


def _visible(session: Session, guardian: Guardian, ids: list[int]) -> list[Thread]:
    if not ids:
        return []
    query = _listed(select(Thread).where(col(Thread.id).in_(ids)), guardian)
    return list(session.exec(query))


_Listed = TypeVar("_Listed", SelectOfScalar[Thread], Select[Post, Thread])


def _listed(query: _Listed, guardian: Guardian) -> _Listed:
    """Only the threads lists may show the reader: never a merged one (it lives on in the thread
    it was merged into); deleted and hidden ones for moderators only. Like deleted threads,
    hidden ones are rare: the sort indexes are walked and they are skipped."""
    query = query.where(col(Thread.merged_into_id).is_(None))
    if not guardian.can_see_deleted_threads():
        query = query.where(col(Thread.deleted_at).is_(None))
    if not guardian.can_see_hidden_threads():
        query = query.where(col(Thread.hidden_at).is_(None))
    return query


def _page_size(limit: int | None) -> int:
    if limit is None:
        return get_settings().page_size
    return max(1, min(limit, MAX_LIMIT))


def _sort_column(sort: ThreadSort) -> SortColumn:
    if sort == "newest":
        return col(Thread.created_at)
    if sort == "kudos":
        return col(Thread.kudos_count)
    return col(Thread.last_activity_at)


def _sort_key(thread: Thread, sort: ThreadSort) -> CursorKey:
    if sort == "newest":
        return thread.created_at
    if sort == "kudos":
        return thread.kudos_count
    return thread.last_activity_at


def _bind(key: CursorKey) -> ColumnElement[datetime] | ColumnElement[int]:
    """Datetimes are bound with the column type, so they compare exactly as they are stored."""
    return literal(key, UTCDateTime()) if isinstance(key, datetime) else literal(key)


# --- cursors ------------------------------------------------------------------------------------


def encode_cursor(order: ThreadSort | Literal["replied"], key: CursorKey, last_id: int) -> str:
    """An opaque token for "the rows after this one": the order's tag, its key and the id."""
    text = key.isoformat() if isinstance(key, datetime) else str(key)
    raw = f"{_CURSOR_TAGS[order]}|{text}|{last_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: ThreadSort | Literal["replied"]) -> tuple[CursorKey, int]:
    """The (key, id) of a cursor made by encode_cursor for ``order``; Invalid for anything else."""
    if len(cursor) > _MAX_CURSOR_CHARS:
        raise Invalid(BAD_CURSOR, field="cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        tag, text, id_text = raw.split("|")
        last_id = params.parse_number(id_text)
        key: CursorKey
        if tag != _CURSOR_TAGS[order] or last_id is None:
            raise ValueError(tag)
        if order == "kudos":
            kudos = params.parse_number(text, low=0)
            if kudos is None:
                raise ValueError(text)
            key = kudos
        else:
            key = datetime.fromisoformat(text)
            if key.tzinfo is None:
                raise ValueError(text)
            key = key.astimezone(UTC)  # OverflowError out of years 1..9999: not for the database
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError) as exc:
        raise Invalid(BAD_CURSOR, field="cursor") from exc
    return key, last_id
