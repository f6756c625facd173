"""What the care analytics count, kept with each thread's care row (moderation.care builds both
in the same transaction, from the same reading of the thread).

Per thread (CareThread's figure columns, and a CareDuration row per measured duration):

- **counted**: the thread is neither deleted nor merged away; only counted threads have
  durations, sentiment tallies and figures.
- a **reply** is a post after the question, neither deleted nor hidden (hidden posts are not
  seen by the asker: spam, personal data, awaiting approval), written after the question by
  anyone but its askers (the thread's and those of questions merged into it), as in
  community.first_response; it counts from when it was published (a reply that waited for
  approval, from the approval). A
  **brand** reply's author is a moderator or admin when the worker reads the thread, a **peer**
  reply's a member. ``first_reply_s``, ``first_peer_reply_s``, ``first_brand_reply_s``: whole
  seconds from the question to the first such reply, each timestamp truncated to the second.
- ``solution_s``: seconds from the question to ``solved_at``; ``solver_id`` and
  ``solved_by_brand``: the accepted answer's author and whether they are brand staff.
- ``escalations``: private cases opened about the thread.

Per post, for the sentiment trend: every post that is not deleted, in a counted thread, that
the signals worker read, counts once on the UTC day it was written, in its thread's category
and language, as negative when its sentiment (a moderator's correction first) is negative.
SentimentCount remembers what each post adds; a change moves the SentimentDay tallies by the
difference, through compare-and-set statements, so two workers never apply one change twice.
"""

from calendar import timegm
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import Any

from sqlalchemy import and_, delete, insert, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from community.clock import as_utc
from community.models import Thread
from moderation.models import CareDuration, CareThread, SentimentCount, SentimentDay

# Raise it when the facts' definitions change: the care catch-up rebuilds older rows.
FACTS_VERSION = 2  # 2: merged-in askers and replies older than the question don't count
_CHUNK = 500


class Metric(IntEnum):
    first_reply = 1
    first_peer_reply = 2
    first_brand_reply = 3
    solution = 4


METRIC_COLUMNS: dict[Metric, str] = {
    Metric.first_reply: "first_reply_s",
    Metric.first_peer_reply: "first_peer_reply_s",
    Metric.first_brand_reply: "first_brand_reply_s",
    Metric.solution: "solution_s",
}


def seconds_between(start: datetime, end: datetime) -> int:
    """Whole seconds from ``start`` to ``end``, each truncated to the second (integer maths:
    a float timestamp could round .999999 up)."""
    return timegm(as_utc(end).utctimetuple()) - timegm(as_utc(start).utctimetuple())


def week_start(moment: datetime) -> date:
    """The Monday (UTC) that starts the ISO week of ``moment``."""
    day = as_utc(moment).date()
    return day - timedelta(days=day.weekday())


@dataclass
class Replies:
    """The first visible replies to a thread by anyone but the asker, by peers, by the brand."""

    first_at: datetime | None = None
    peer_at: datetime | None = None
    brand_at: datetime | None = None

    def see(self, at: datetime, *, brand: bool) -> None:
        at = as_utc(at)
        self.first_at = _earlier(self.first_at, at)
        if brand:
            self.brand_at = _earlier(self.brand_at, at)
        else:
            self.peer_at = _earlier(self.peer_at, at)


def _earlier(current: datetime | None, value: datetime) -> datetime:
    return value if current is None or value < current else current


def is_counted(thread: Thread) -> bool:
    return thread.deleted_at is None and thread.merged_into_id is None


def figure_columns(
    thread: Thread,
    replies: Replies,
    *,
    solver_id: int | None,
    solver_is_brand: bool | None,
    escalations: int,
) -> dict[str, object]:
    """The CareThread figure columns of a thread."""
    created = thread.created_at

    def since(moment: datetime | None) -> int | None:
        return None if moment is None else seconds_between(created, moment)

    solved = thread.solved_at is not None
    return {
        "facts_version": FACTS_VERSION,
        "counted": is_counted(thread),
        "week": week_start(created),
        "first_reply_s": since(replies.first_at),
        "first_peer_reply_s": since(replies.peer_at),
        "first_brand_reply_s": since(replies.brand_at),
        "solution_s": since(thread.solved_at),
        "solver_id": solver_id if solved else None,
        "solved_by_brand": solver_is_brand if solved else None,
        "escalations": escalations,
    }


def chunks(ids: Sequence[int], size: int = _CHUNK) -> Iterable[Sequence[int]]:
    """``ids`` in slices short enough for an ``IN (...)`` list."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# Durations ---------------------------------------------------------------------------------------


def sync_durations(session: Session, rows: Sequence[CareThread]) -> None:
    """Make the CareDuration rows of these threads match their care rows (the caller commits)."""
    if not rows:
        return
    table = CareDuration.__table__  # type: ignore[attr-defined]
    ids = [row.thread_id for row in rows]
    existing: dict[tuple[int, int], tuple[Any, ...]] = {}
    for chunk in chunks(ids):
        for d in session.exec(select(CareDuration).where(col(CareDuration.thread_id).in_(chunk))):
            existing[(d.thread_id, d.metric)] = (d.seconds, d.created_at, d.category_id, d.language)
    new: list[dict[str, object]] = []
    for row in rows:
        for metric, column in METRIC_COLUMNS.items():
            key = (row.thread_id, int(metric))
            have = existing.pop(key, None)
            value = getattr(row, column) if row.counted else None
            if value is None:
                if have is not None:
                    session.execute(
                        delete(table).where(
                            table.c.thread_id == row.thread_id, table.c.metric == int(metric)
                        )
                    )
                continue
            want = (value, as_utc(row.created_at), row.category_id, row.language)
            if have is None:
                new.append(
                    {
                        "thread_id": row.thread_id,
                        "metric": int(metric),
                        "seconds": value,
                        "created_at": want[1],
                        "category_id": row.category_id,
                        "language": row.language,
                    }
                )
            elif (have[0], as_utc(have[1]), have[2], have[3]) != want:
                session.execute(
                    update(table)
                    .where(table.c.thread_id == row.thread_id, table.c.metric == int(metric))
                    .values(
                        seconds=value,
                        created_at=want[1],
                        category_id=row.category_id,
                        language=row.language,
                    )
                )
    if new:
        session.execute(insert(table), new)


# Sentiment ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """What one post adds to the tallies: a post in ``day``'s cell, negative or not."""

    thread_id: int
    day: date
    category_id: int
    language: str
    negative: bool

    @property
    def cell(self) -> tuple[date, int, str]:
        return (self.day, self.category_id, self.language)


def contribution(
    thread: Thread, language: str | None, written_at: datetime, *, negative: bool
) -> Contribution:
    assert thread.id is not None
    return Contribution(
        thread_id=thread.id,
        day=as_utc(written_at).date(),
        category_id=thread.category_id,
        language=language or "",
        negative=negative,
    )


def sync_sentiment(
    session: Session, thread_ids: Sequence[int], wanted: dict[int, Contribution]
) -> None:
    """Make the SentimentCount rows of these threads' posts equal ``wanted`` (post id ->
    contribution) and move the SentimentDay tallies by the difference."""
    table = SentimentCount.__table__  # type: ignore[attr-defined]
    existing: dict[int, Contribution] = {}
    post_ids = sorted(wanted)
    for column, keys in ((table.c.thread_id, list(thread_ids)), (table.c.post_id, post_ids)):
        for chunk in chunks(keys):
            for row in session.execute(table.select().where(column.in_(chunk))):
                existing[row.post_id] = Contribution(
                    thread_id=row.thread_id,
                    day=as_date(row.day),
                    category_id=row.category_id,
                    language=row.language,
                    negative=bool(row.negative),
                )
    deltas: dict[tuple[date, int, str], list[int]] = defaultdict(lambda: [0, 0])

    def move(c: Contribution, sign: int) -> None:
        cell = deltas[c.cell]
        cell[0] += sign
        cell[1] += sign * int(c.negative)

    def same(post_id: int, c: Contribution) -> Any:
        return and_(
            table.c.post_id == post_id,
            table.c.thread_id == c.thread_id,
            table.c.day == c.day,
            table.c.category_id == c.category_id,
            table.c.language == c.language,
            table.c.negative == c.negative,
        )

    new: list[dict[str, object]] = []
    for post_id in sorted(set(existing) | set(wanted)):
        have, want = existing.get(post_id), wanted.get(post_id)
        if have == want:
            continue
        if have is None:
            assert want is not None
            new.append({"post_id": post_id, **_values(want)})
            move(want, +1)
        elif want is None:
            if session.execute(delete(table).where(same(post_id, have))).rowcount == 1:  # type: ignore[attr-defined]
                move(have, -1)
        elif (
            session.execute(update(table).where(same(post_id, have)).values(**_values(want)))
        ).rowcount == 1:  # type: ignore[attr-defined]
            move(have, -1)
            move(want, +1)
    if new:
        session.execute(insert(table), new)
    _move_days(session, deltas)


def _values(c: Contribution) -> dict[str, object]:
    return {
        "thread_id": c.thread_id,
        "day": c.day,
        "category_id": c.category_id,
        "language": c.language,
        "negative": c.negative,
    }


def as_date(value: object) -> date:
    """A stored date as a ``date`` (SQLite hands back text, PostgreSQL a date)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _move_days(session: Session, deltas: dict[tuple[date, int, str], list[int]]) -> None:
    dialect = session.get_bind().dialect.name
    insert_day = pg_insert if dialect == "postgresql" else sqlite_insert
    day_table = SentimentDay.__table__  # type: ignore[attr-defined]
    for (day, category_id, language), (posts, negative) in sorted(deltas.items()):
        if not posts and not negative:
            continue
        statement = insert_day(day_table).values(
            day=day, category_id=category_id, language=language, posts=posts, negative=negative
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["day", "category_id", "language"],
                set_={
                    "posts": day_table.c.posts + posts,
                    "negative": day_table.c.negative + negative,
                },
            )
        )


def stale_rows(session: Session, limit: int) -> list[int]:
    """Threads whose care row predates the current facts (or the figure columns)."""
    return [
        int(i)
        for i in session.exec(
            select(col(CareThread.thread_id))
            .where(
                or_(
                    col(CareThread.facts_version).is_(None),
                    col(CareThread.facts_version) < FACTS_VERSION,
                )
            )
            .order_by(col(CareThread.thread_id))
            .limit(limit)
        )
    ]
