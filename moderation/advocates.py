"""The advocate programme: moderators nominate members who answer well as advocates, with the
categories they look after; advocates get a "needs a peer answer" view of those categories, and
moderators see what each advocate contributed over a date range.

Nominating sets ``User.advocate_since`` and the ``AdvocateCategory`` rows, records
``advocate_nominated`` {user_id, by_id} (the badges consumer awards the advocate badge on it) and
an audit entry; revoking undoes all three (``advocate_revoked``). Both are conditional updates,
so two moderators acting at once cannot nominate or revoke twice: the second gets a conflict.

**Needs a peer answer**: public threads of the advocate's categories that nobody but the asker has
answered (``first_response_at IS NULL``), not deleted, hidden (for any reason: a moderator's,
personal data, awaiting approval), merged away, marked duplicate or locked, not taken private as
a support case, and not the advocate's own. Oldest waiting first: the customer who has waited
longest is the one a peer answer helps most (and the one closest to breaching the brand's service
level; answering after a day also earns the rescue points), while the newest are the ones the
brand's own queue and other members are most likely to pick up anyway. Each category is one walk
of the partial index ``ix_thread_unanswered_category_created`` (a page at most per category),
merged in Python, with a ``(created_at, id)`` keyset cursor.

**Contribution** over ``[start, end)``: answers (the advocate's live replies to others'
threads), accepted solutions (ledger rows ``answer_accepted`` not reversed, through the ledger's
``(user_id, created_at)`` index) and the median time to first answer: from the thread's creation
to the advocate's reply, over the threads where that reply was the first by anyone but the asker.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from community import events, params
from community.clock import Clock, as_utc
from community.cursors import decode_time_cursor, encode_time_cursor
from community.errors import Conflict, Invalid, NotFound
from community.models import (
    AdvocateCategory,
    Category,
    Post,
    ReputationEntry,
    ReputationReason,
    Thread,
    User,
)
from community.policy import Guardian, ensure, ensure_signed_in
from moderation import audit
from moderation.models import SupportCase

DEFAULT_DAYS = 30
MAX_DAYS = 366
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_CATEGORIES = 50


# Who may ------------------------------------------------------------------------------------------


def ensure_moderator(guardian: Guardian) -> int:
    ensure_signed_in(guardian)
    ensure(guardian.can_nominate_advocates(), "Only moderators can manage advocates.")
    return guardian.user_id


def get_member(session: Session, guardian: Guardian, username: str) -> User:
    """The member named ``username`` (moderators only: members get 403 before a 404)."""
    ensure_moderator(guardian)
    name = username.strip().lstrip("@").lower()  # usernames are stored in lower case
    if not name:
        raise Invalid("Write the member's username.", field="username")
    user = session.exec(select(User).where(col(User.username) == name)).first()
    if user is None:
        raise NotFound("There is no member %(name)s.", name=name[:30])
    return user


def parse_category_ids(session: Session, raw: Iterable[str | int]) -> list[int]:
    """The chosen categories (ids as sent by a form or JSON), checked to exist; at least one."""
    ids: set[int] = set()
    for value in raw:
        text = str(value).strip()
        if not text:
            continue
        number = params.parse_number(text)
        if number is None:
            raise Invalid("Choose the categories from the list.", field="categories")
        ids.add(number)
    if not ids:
        raise Invalid("Choose at least one category the advocate looks after.", field="categories")
    if len(ids) > MAX_CATEGORIES:
        raise Invalid("Choose the categories from the list.", field="categories")
    found = set(session.exec(select(col(Category.id)).where(col(Category.id).in_(ids))).all())
    if found != ids:
        raise Invalid("Choose the categories from the list.", field="categories")
    return sorted(ids)


def categories_of(session: Session, user_id: int) -> list[int]:
    rows = session.exec(
        select(col(AdvocateCategory.category_id)).where(col(AdvocateCategory.user_id) == user_id)
    ).all()
    return sorted(rows)


def _state(session: Session, user: User) -> dict[str, Any]:
    assert user.id is not None
    return {
        "advocate": user.advocate_since is not None,
        "advocate_since": user.advocate_since,
        "categories": categories_of(session, user.id),
    }


# Nominating and revoking ------------------------------------------------------------------------


def _audit_and_commit(
    session: Session,
    user: User,
    *,
    by_id: int,
    action: str,
    before: dict[str, Any],
    now: datetime,
    event: str | None = None,
) -> User:
    """Store the change to ``user`` with its audit entry (and ``event``, if any), and commit."""
    assert user.id is not None
    session.flush()
    session.refresh(user)
    audit.record(
        session,
        actor_id=by_id,
        action=action,
        target_type="user",
        target_id=user.id,
        before=before,
        after=_state(session, user),
        now=now,
    )
    if event is not None:
        events.record(session, event, at=now, user_id=user.id, by_id=by_id)
    session.commit()
    session.refresh(user)
    return user


def nominate(
    session: Session,
    guardian: Guardian,
    user: User,
    *,
    category_ids: Sequence[int],
    clock: Clock,
) -> User:
    by_id = ensure_moderator(guardian)
    assert user.id is not None
    if user.is_moderator:
        raise Invalid(
            "%(name)s is a moderator: moderators cannot be advocates.",
            field="username",
            name=user.username,
        )
    if not user.is_active:
        raise Invalid("%(name)s's account is closed.", field="username", name=user.username)
    if user.advocate_since is not None:
        raise Conflict("%(name)s is already an advocate.", name=user.username)
    if not category_ids:
        raise Invalid("Choose at least one category the advocate looks after.", field="categories")
    now = clock.now()
    before = _state(session, user)
    changed = session.execute(
        update(User)
        .where(col(User.id) == user.id, col(User.advocate_since).is_(None))
        .values(advocate_since=now)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("%(name)s is already an advocate.", name=user.username)
    session.execute(delete(AdvocateCategory).where(col(AdvocateCategory.user_id) == user.id))
    for category_id in sorted(set(category_ids)):
        session.add(AdvocateCategory(user_id=user.id, category_id=category_id))
    return _audit_and_commit(
        session,
        user,
        by_id=by_id,
        action="nominate_advocate",
        event="advocate_nominated",
        before=before,
        now=now,
    )


def set_categories(
    session: Session,
    guardian: Guardian,
    user: User,
    *,
    category_ids: Sequence[int],
    clock: Clock,
) -> User:
    """Change the categories an advocate looks after (audited)."""
    by_id = ensure_moderator(guardian)
    assert user.id is not None
    if user.advocate_since is None:
        raise Conflict("%(name)s is not an advocate.", name=user.username)
    if not category_ids:
        raise Invalid("Choose at least one category the advocate looks after.", field="categories")
    before = _state(session, user)
    wanted = sorted(set(category_ids))
    if before["categories"] == wanted:
        return user
    now = clock.now()
    session.execute(delete(AdvocateCategory).where(col(AdvocateCategory.user_id) == user.id))
    for category_id in wanted:
        session.add(AdvocateCategory(user_id=user.id, category_id=category_id))
    return _audit_and_commit(
        session, user, by_id=by_id, action="advocate_categories", before=before, now=now
    )


def revoke(session: Session, guardian: Guardian, user: User, *, clock: Clock) -> User:
    by_id = ensure_moderator(guardian)
    assert user.id is not None
    if user.advocate_since is None:
        raise Conflict("%(name)s is not an advocate.", name=user.username)
    now = clock.now()
    before = _state(session, user)
    changed = session.execute(
        update(User)
        .where(col(User.id) == user.id, col(User.advocate_since).is_not(None))
        .values(advocate_since=None)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("%(name)s is not an advocate.", name=user.username)
    session.execute(delete(AdvocateCategory).where(col(AdvocateCategory.user_id) == user.id))
    return _audit_and_commit(
        session,
        user,
        by_id=by_id,
        action="revoke_advocate",
        event="advocate_revoked",
        before=before,
        now=now,
    )


# Contribution ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateRange:
    start: datetime  # inclusive, UTC midnight
    end: datetime  # exclusive, UTC midnight

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()


def _day(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid("Write the date as YYYY-MM-DD.", field=field) from None


def parse_range(start: str, end: str, *, now: datetime) -> DateRange:
    """``start`` and ``end`` are days (YYYY-MM-DD, both included); by default the last 30 days
    up to today."""
    last = _day(end, "end") if end.strip() else now.date()
    if not (date.min + timedelta(days=MAX_DAYS) < last < date.max):
        raise Invalid("Choose a day between the years 2 and 9999.", field="end")
    first = _day(start, "start") if start.strip() else last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Invalid("The first day must not be after the last.", field="start")
    if (last - first).days >= MAX_DAYS:
        raise Invalid("Choose at most %(count)s days.", field="start", count=MAX_DAYS)
    return DateRange(
        start=datetime.combine(first, time(), tzinfo=UTC),
        end=datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC),
    )


@dataclass(frozen=True)
class Contribution:
    user: User
    categories: list[Category]
    answers: int
    solutions: int
    first_answers: int  # threads where theirs was the first answer
    median_first_answer: timedelta | None

    @property
    def median_hours(self) -> float | None:
        if self.median_first_answer is None:
            return None
        return round(self.median_first_answer.total_seconds() / 3600, 1)


def advocate_ids(session: Session) -> list[int]:
    """Every advocate, from the small advocate_category table (each has a category)."""
    rows = session.exec(
        select(col(AdvocateCategory.user_id))
        .join(User, col(User.id) == col(AdvocateCategory.user_id))
        .where(col(User.advocate_since).is_not(None))
        .distinct()
    ).all()
    return sorted(rows)


def answers_query(ids: Sequence[int], window: DateRange) -> Any:
    """The advocates' replies to others' threads written in the window that readers can see (as
    community.first_response counts answers; ix_post_author_created): (author, answered at:
    when it was published, asked at, whether it was the first reply by anyone but the asker)."""
    earlier = aliased(Post)
    first = ~exists().where(
        col(earlier.thread_id) == col(Post.thread_id),
        col(earlier.post_number) > 1,
        col(earlier.post_number) < col(Post.post_number),
        col(earlier.author_id) != col(Thread.author_id),
        col(earlier.deleted_at).is_(None),
        col(earlier.hidden_at).is_(None),
    )
    answered = func.coalesce(col(Post.published_at), col(Post.created_at))
    return (
        select(col(Post.author_id), answered, col(Thread.created_at), first)
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .where(
            col(Post.author_id).in_(ids),
            col(Post.created_at) >= window.start,
            col(Post.created_at) < window.end,
            col(Post.post_number) > 1,
            col(Post.deleted_at).is_(None),
            col(Post.hidden_at).is_(None),
            col(Thread.author_id) != col(Post.author_id),
        )
    )


def contributions(session: Session, guardian: Guardian, *, window: DateRange) -> list[Contribution]:
    """Each advocate's contribution over ``window``, the most answers first."""
    ensure_moderator(guardian)
    ids = advocate_ids(session)
    if not ids:
        return []
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids)))}
    by_user: dict[int, list[Category]] = defaultdict(list)
    for user_id, category in session.exec(
        select(col(AdvocateCategory.user_id), Category)
        .join(Category, col(Category.id) == col(AdvocateCategory.category_id))
        .where(col(AdvocateCategory.user_id).in_(ids))
        .order_by(col(Category.position), col(Category.name))
    ):
        by_user[user_id].append(category)

    answers = session.exec(answers_query(ids, window)).all()
    counts: dict[int, int] = defaultdict(int)
    waits: dict[int, list[timedelta]] = defaultdict(list)
    for author_id, answered_at, asked_at, was_first in answers:
        counts[author_id] += 1
        if was_first:
            waits[author_id].append(as_utc(answered_at) - as_utc(asked_at))

    # Accepted solutions: the ledger's answer_accepted rows still standing.
    solutions = dict(
        session.exec(
            select(col(ReputationEntry.user_id), func.count())
            .where(
                col(ReputationEntry.user_id).in_(ids),
                col(ReputationEntry.reason) == ReputationReason.answer_accepted,
                col(ReputationEntry.created_at) >= window.start,
                col(ReputationEntry.created_at) < window.end,
                col(ReputationEntry.reverses_id).is_(None),
                col(ReputationEntry.reversed_at).is_(None),
            )
            .group_by(col(ReputationEntry.user_id))
        ).all()
    )
    out = []
    for user_id in ids:
        user = users.get(user_id)
        if user is None:
            continue
        times = waits.get(user_id, [])
        out.append(
            Contribution(
                user=user,
                categories=by_user.get(user_id, []),
                answers=counts.get(user_id, 0),
                solutions=int(solutions.get(user_id, 0)),
                first_answers=len(times),
                median_first_answer=_median(times),
            )
        )
    out.sort(key=lambda c: (-c.answers, -c.solutions, c.user.username))
    return out


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


# Needs a peer answer --------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingThread:
    thread: Thread
    category: Category
    waited: timedelta

    @property
    def waited_hours(self) -> int:
        return int(self.waited.total_seconds() // 3600)


@dataclass(frozen=True)
class WaitingPage:
    items: list[WaitingThread]
    next_cursor: str | None
    categories: list[Category]


def waiting_query(
    category_id: int, user_id: int, *, after: tuple[datetime, int] | None, limit: int
) -> SelectOfScalar[Thread]:
    """One category's page of threads waiting for a peer answer: a walk of the partial index
    ``ix_thread_unanswered_category_created`` from the cursor on."""
    query = select(Thread).where(
        col(Thread.category_id) == category_id,
        col(Thread.first_response_at).is_(None),
        col(Thread.deleted_at).is_(None),
        col(Thread.hidden_at).is_(None),
        col(Thread.merged_into_id).is_(None),
        col(Thread.duplicate_of_id).is_(None),
        col(Thread.is_locked).is_(False),
        col(Thread.author_id) != user_id,
        ~exists().where(col(SupportCase.thread_id) == col(Thread.id)),
    )
    if after is not None:
        at, last_id = after
        query = query.where(
            (col(Thread.created_at) > at)
            | and_(col(Thread.created_at) == at, col(Thread.id) > last_id)
        )
    query = query.order_by(col(Thread.created_at), col(Thread.id)).limit(limit + 1)
    return query


def needs_answer(
    session: Session,
    guardian: Guardian,
    *,
    now: datetime,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> WaitingPage:
    """The unanswered public threads of the advocate's categories, oldest waiting first."""
    ensure_signed_in(guardian)
    ensure(guardian.is_advocate(), "Only advocates have this view.")
    user_id = guardian.user_id
    limit = min(MAX_PAGE_SIZE, max(1, limit))
    category_ids = categories_of(session, user_id)
    categories = {
        c.id: c
        for c in session.exec(select(Category).where(col(Category.id).in_(category_ids)))
        if c.id is not None
    }
    after = decode_time_cursor(cursor) if cursor else None
    found: list[Thread] = []
    for category_id in category_ids:
        found.extend(session.exec(waiting_query(category_id, user_id, after=after, limit=limit)))
    found.sort(key=lambda t: (as_utc(t.created_at), t.id or 0))
    more = len(found) > limit
    page = found[:limit]
    items = [
        WaitingThread(
            thread=t, category=categories[t.category_id], waited=now - as_utc(t.created_at)
        )
        for t in page
    ]
    last = page[-1] if page else None
    return WaitingPage(
        items=items,
        next_cursor=(
            encode_time_cursor(last.created_at, last.id) if more and last and last.id else None
        ),
        categories=sorted(categories.values(), key=lambda c: (c.position, c.name)),
    )
