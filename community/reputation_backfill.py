"""Derive the reputation ledger from the facts already in the database, in bulk.

``peerdesk seed`` writes kudos and accepted solutions with bulk inserts, not through the services,
and a database older than the ledger has the same facts without it: either way the ledger is
empty. ``backfill`` appends the rows the services would have written had each fact happened
through them, in time order:

- kudos: ``answer_kudos`` / ``question_kudos`` to the post's author, at most
  ``kudos_points_per_day`` points per member and UTC day (the rest get 0 points and the note
  "daily_cap", as community.reputation writes them), 0 points between a pair of members
  recorded as trading kudos (``kudos_pair``, unless cleared);
- accepted solutions: ``answer_accepted`` to the answer's author and ``accepted_answer`` to the
  asker, none when the asker answered themselves;
- rescues: the first reply by someone other than the asker (not one still waiting for a
  moderator's approval), when it came at least ``rescue_after_hours`` after the question.

Facts about deleted posts earn nothing (the services reverse them on deletion); penalties for
upheld flags live in moderation's tables and are not derived here. Kudos are read in one
streamed, time-ordered query; solutions and rescues (far fewer) are loaded and merged into that
stream, and rows are inserted ``BATCH`` at a time with executemany. ``reputation.recompute``
then sets every member's total and the leaderboard tallies from the ledger.
"""

import heapq
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from rich.console import Console
from sqlalchemy import Connection, Engine, func, insert, or_, select
from sqlmodel import Session, col

from community import reputation
from community.errors import Conflict
from community.models import (
    HiddenReason,
    Kudos,
    KudosPair,
    Post,
    ReputationEntry,
    ReputationReason,
    Solution,
    Thread,
)
from community.progress import progress_bar
from community.settings import get_settings

BATCH = 10_000

Row = dict[str, Any]


@dataclass(frozen=True)
class BackfillSummary:
    entries: int  # ledger rows written
    kudos: int  # of which for kudos received
    capped: int  # kudos rows cut (to fewer or 0 points) by the daily cap or a kudos pair
    solutions: int  # accepted solutions that earned points (two rows each)
    rescues: int
    recount: reputation.Recount  # what reputation.recompute() then found and rebuilt
    seconds: float


def ledger_is_empty(session: Session) -> bool:
    return session.scalar(select(col(ReputationEntry.id)).limit(1)) is None


def backfill(target: Session | Engine, *, show_progress: bool = False) -> BackfillSummary:
    """Write the ledger of an empty ``reputation_entry`` from kudos, solutions and replies, then
    recompute totals and tallies. Commits. Raises Conflict if the ledger already has rows."""
    if isinstance(target, Session):
        return _backfill(target, show_progress=show_progress)
    with Session(target, expire_on_commit=False) as session:
        return _backfill(session, show_progress=show_progress)


def _backfill(session: Session, *, show_progress: bool) -> BackfillSummary:
    started = time.perf_counter()
    if not ledger_is_empty(session):
        raise Conflict(
            "The reputation ledger already has entries: backfill only fills an empty one "
            "(use recompute-reputation to rebuild totals from it)."
        )
    conn = session.connection()
    writer = _Writer(conn)
    kudos_total = int(session.scalar(select(func.count()).select_from(Kudos)) or 0)
    progress = progress_bar(
        "reputation: {task.description}",
        console=Console(stderr=True),
        disable=not show_progress,
    )
    with progress:
        task = progress.add_task("facts", total=kudos_total)
        facts = heapq.merge(
            _kudos(conn),
            iter(_solutions(conn)),
            iter(_rescues(conn)),
            key=lambda fact: fact[0],
        )
        ledger = _Ledger(session)
        for at, kind, data in facts:
            for row in ledger.rows(kind, at, data):
                writer.add(row)
            if ledger.kudos % BATCH == 0 and kind == "kudos":
                progress.update(task, completed=ledger.kudos)
        writer.flush()
        progress.update(task, completed=ledger.kudos)
    recount = reputation.recompute(session)  # commits
    return BackfillSummary(
        entries=writer.written,
        kudos=ledger.kudos,
        capped=ledger.capped,
        solutions=ledger.solutions,
        rescues=ledger.rescues,
        recount=recount,
        seconds=time.perf_counter() - started,
    )


# The facts, each as (time, kind, values), in time order ------------------------------------------

Fact = tuple[datetime, str, tuple[Any, ...]]


def _kudos(conn: Connection) -> Iterator[Fact]:
    query = (
        select(
            col(Kudos.created_at),
            col(Kudos.user_id),
            col(Post.id),
            col(Post.author_id),
            col(Post.post_number),
            col(Post.thread_id),
            col(Thread.category_id),
        )
        .join(Post, col(Post.id) == col(Kudos.post_id))
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .where(col(Post.deleted_at).is_(None), col(Kudos.user_id) != col(Post.author_id))
        .order_by(col(Kudos.created_at), col(Kudos.id))
    )
    result = conn.execute(query, execution_options={"yield_per": BATCH})
    for at, *values in result:
        yield (at, "kudos", tuple(values))


def _solutions(conn: Connection) -> list[Fact]:
    query = (
        select(
            col(Solution.accepted_at),
            col(Solution.accepted_by_id),
            col(Post.id),
            col(Post.author_id),
            col(Thread.id),
            col(Thread.author_id),
            col(Thread.category_id),
        )
        .join(Post, col(Post.id) == col(Solution.post_id))
        .join(Thread, col(Thread.id) == col(Solution.thread_id))
        .where(col(Post.deleted_at).is_(None), col(Post.author_id) != col(Thread.author_id))
        .order_by(col(Solution.accepted_at), col(Solution.thread_id))
    )
    return [(at, "solution", tuple(values)) for at, *values in conn.execute(query)]


def _rescues(conn: Connection) -> list[Fact]:
    """The first reply by someone else to each answered thread, when it came late enough. The
    first one ever, deleted or not (a rescue whose post was deleted was reversed), but not one
    waiting for a moderator's approval: that answers nobody and earns no rescue."""
    late = timedelta(hours=get_settings().rescue_after_hours)
    earlier = Post.__table__.alias("earlier")  # type: ignore[attr-defined]
    first_reply_id = (
        select(earlier.c.id)
        .where(
            earlier.c.thread_id == col(Thread.id),
            earlier.c.author_id != col(Thread.author_id),
            or_(
                earlier.c.hidden_reason.is_(None),
                earlier.c.hidden_reason != HiddenReason.awaiting_approval,
            ),
        )
        .order_by(earlier.c.post_number)
        .limit(1)
        .correlate(Thread)
        .scalar_subquery()
    )
    query = (
        select(
            col(Post.created_at),
            col(Thread.created_at),
            col(Post.deleted_at),
            col(Post.id),
            col(Post.author_id),
            col(Thread.id),
            col(Thread.category_id),
        )
        .select_from(Thread)
        .join(Post, col(Post.id) == first_reply_id)
        .where(col(Thread.first_response_at).is_not(None))
    )
    facts = [
        (at, "rescue", (post_id, author_id, thread_id, category_id))
        for at, asked_at, deleted_at, post_id, author_id, thread_id, category_id in conn.execute(
            query
        )
        if deleted_at is None and at - asked_at >= late
    ]
    facts.sort(key=lambda fact: (fact[0], fact[2][0]))
    return facts


# From facts to ledger rows ---------------------------------------------------------------------


class _Ledger:
    """The rows the services would have written, with the daily kudos cap kept per member."""

    def __init__(self, session: Session) -> None:
        self.settings = get_settings()
        self.blocked = {
            (low, high)
            for low, high in session.execute(
                select(col(KudosPair.low_id), col(KudosPair.high_id)).where(
                    col(KudosPair.status) != "cleared"
                )
            )
        }
        self.today: dict[int, tuple[date, int]] = {}  # member -> (UTC day, kudos points that day)
        self.kudos = self.capped = self.solutions = self.rescues = 0

    def rows(self, kind: str, at: datetime, data: tuple[Any, ...]) -> list[Row]:
        if kind == "kudos":
            return [self._kudos(at, *data)]
        if kind == "solution":
            return self._solution(at, *data)
        return [self._rescue(at, *data)]

    def _entry(self, **values: Any) -> Row:
        return {"note": "", "actor_id": None, "reverses_id": None, "reversed_at": None, **values}

    def _kudos(
        self,
        at: datetime,
        giver_id: int,
        post_id: int,
        author_id: int,
        post_number: int,
        thread_id: int,
        category_id: int,
    ) -> Row:
        settings = self.settings
        if post_number == 1:
            reason, value = ReputationReason.question_kudos, settings.points_question_kudos
        else:
            reason, value = ReputationReason.answer_kudos, settings.points_answer_kudos
        points, note = value, ""
        pair = (giver_id, author_id) if giver_id < author_id else (author_id, giver_id)
        if pair in self.blocked:
            points, note = 0, "mutual_kudos"
        else:
            day = at.date()
            earned_day, earned = self.today.get(author_id, (day, 0))
            if earned_day != day:
                earned = 0
            room = max(0, settings.kudos_points_per_day - earned)
            if room < value:
                points, note = room, "daily_cap"
            self.today[author_id] = (day, earned + points)
        self.kudos += 1
        self.capped += points < value
        return self._entry(
            user_id=author_id,
            points=points,
            reason=reason,
            post_id=post_id,
            thread_id=thread_id,
            category_id=category_id,
            actor_id=giver_id,
            note=note,
            created_at=at,
        )

    def _solution(
        self,
        at: datetime,
        accepted_by_id: int,
        post_id: int,
        answerer_id: int,
        thread_id: int,
        asker_id: int,
        category_id: int,
    ) -> list[Row]:
        self.solutions += 1
        common = {
            "post_id": post_id,
            "thread_id": thread_id,
            "category_id": category_id,
            "actor_id": accepted_by_id,
            "created_at": at,
        }
        return [
            self._entry(
                user_id=answerer_id,
                points=self.settings.points_answer_accepted,
                reason=ReputationReason.answer_accepted,
                **common,
            ),
            self._entry(
                user_id=asker_id,
                points=self.settings.points_accepted_answer,
                reason=ReputationReason.accepted_answer,
                **common,
            ),
        ]

    def _rescue(
        self, at: datetime, post_id: int, author_id: int, thread_id: int, category_id: int
    ) -> Row:
        self.rescues += 1
        return self._entry(
            user_id=author_id,
            points=self.settings.points_rescue,
            reason=ReputationReason.rescue,
            post_id=post_id,
            thread_id=thread_id,
            category_id=category_id,
            created_at=at,
        )


class _Writer:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.statement = insert(ReputationEntry.__table__)  # type: ignore[attr-defined]
        self.pending: list[Row] = []
        self.written = 0

    def add(self, row: Row) -> None:
        self.pending.append(row)
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.conn.execute(self.statement, self.pending)
            self.written += len(self.pending)
            self.pending = []
