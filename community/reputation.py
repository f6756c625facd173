"""Reputation: a ledger of points, with each member's total and the leaderboard tallies moved in
the same transaction as every ledger row.

The services that cause a change (kudos, solutions, posting, moderation's flags) call the
functions below inside their own transaction, so a total can never disagree with its ledger:
``user.reputation`` is the sum of the member's ``reputation_entry`` rows, and each
``reputation_tally`` row is the sum of the rows of its member, period and category.
Undoing a change appends a reversal (the opposite points, ``reverses_id`` naming the original)
and marks the original ``reversed_at``; nothing is edited away.

Fair play: kudos earn at most ``kudos_points_per_day`` points a day (net of withdrawals), and
two members who mostly give each other kudos (``mutual_kudos_*`` settings) stop earning points
from each other; the pair is recorded (``kudos_pair``) and a ``mutual_kudos_suspected`` event
tells moderation, which puts it in the queue.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from community import events
from community.counters import bump
from community.models import (
    Kudos,
    KudosPair,
    Post,
    ReputationEntry,
    ReputationReason,
    ReputationTally,
    Thread,
    User,
)
from community.settings import get_settings

KUDOS_REASONS = (ReputationReason.answer_kudos, ReputationReason.question_kudos)
SOLUTION_REASONS = (ReputationReason.answer_accepted, ReputationReason.accepted_answer)
ALL_CATEGORIES = 0
ALL_TIME = "all"


def week_key(at: datetime) -> str:
    monday = (at - timedelta(days=at.weekday())).date()
    return f"w{monday.isoformat()}"


def month_key(at: datetime) -> str:
    return f"m{at:%Y-%m}"


def period_keys(at: datetime) -> tuple[str, str, str]:
    """The tally periods a ledger row dated ``at`` (UTC) counts in."""
    return (ALL_TIME, month_key(at), week_key(at))


# The ledger ------------------------------------------------------------------------------------


def _insert_tally(session: Session) -> type:
    dialect = session.get_bind().dialect.name
    return pg_insert if dialect == "postgresql" else sqlite_insert  # type: ignore[return-value]


def _move_tallies(
    session: Session,
    user_id: int,
    category_id: int | None,
    at: datetime,
    *,
    points: int,
    solutions: int,
) -> None:
    if not points and not solutions:
        return
    insert = _insert_tally(session)
    categories = {ALL_CATEGORIES} | ({category_id} if category_id else set())
    for period in period_keys(at):
        for category in categories:
            statement = insert(ReputationTally).values(
                period=period,
                category_id=category,
                user_id=user_id,
                points=points,
                solutions=solutions,
            )
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["period", "category_id", "user_id"],
                    set_={
                        "points": ReputationTally.points + points,
                        "solutions": ReputationTally.solutions + solutions,
                    },
                )
            )


def _solutions_delta(reason: str, sign: int) -> int:
    return sign if reason == ReputationReason.answer_accepted else 0


def _append(session: Session, entry: ReputationEntry, *, sign: int) -> ReputationEntry:
    session.add(entry)
    session.flush()
    bump(session, User, entry.user_id, reputation=entry.points)
    _move_tallies(
        session,
        entry.user_id,
        entry.category_id,
        entry.created_at,
        points=entry.points,
        solutions=_solutions_delta(entry.reason, sign),
    )
    return entry


def award(
    session: Session,
    *,
    user_id: int,
    points: int,
    reason: ReputationReason,
    at: datetime,
    post: Post | None = None,
    thread: Thread | None = None,
    actor_id: int | None = None,
    note: str = "",
) -> ReputationEntry:
    """Append one ledger row (``points`` may be 0, e.g. at the daily cap) and move the totals."""
    if thread is None and post is not None:
        thread = session.get(Thread, post.thread_id)
    entry = ReputationEntry(
        user_id=user_id,
        points=points,
        reason=reason,
        post_id=post.id if post is not None else None,
        thread_id=thread.id if thread is not None else None,
        category_id=thread.category_id if thread is not None else None,
        actor_id=actor_id,
        note=note,
        created_at=at,
    )
    return _append(session, entry, sign=1)


def reverse(session: Session, entry: ReputationEntry, *, at: datetime) -> ReputationEntry | None:
    """Undo ``entry`` (once): append its opposite and mark it reversed."""
    assert entry.id is not None
    marked = session.execute(
        update(ReputationEntry)
        .where(col(ReputationEntry.id) == entry.id, col(ReputationEntry.reversed_at).is_(None))
        .values(reversed_at=at)
    )
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        return None  # already reversed (or a reversal itself, which is never reversed)
    opposite = ReputationEntry(
        user_id=entry.user_id,
        points=-entry.points,
        reason=entry.reason,
        post_id=entry.post_id,
        thread_id=entry.thread_id,
        category_id=entry.category_id,
        actor_id=entry.actor_id,
        note=entry.note,
        created_at=at,
        reverses_id=entry.id,
    )
    return _append(session, opposite, sign=-1)


def _open_entries(
    session: Session,
    *,
    post_id: int,
    reasons: Iterable[str] | None = None,
    actor_id: int | None = None,
) -> list[ReputationEntry]:
    query = select(ReputationEntry).where(
        col(ReputationEntry.post_id) == post_id,
        col(ReputationEntry.reverses_id).is_(None),
        col(ReputationEntry.reversed_at).is_(None),
    )
    if reasons is not None:
        query = query.where(col(ReputationEntry.reason).in_(list(reasons)))
    if actor_id is not None:
        query = query.where(col(ReputationEntry.actor_id) == actor_id)
    return list(session.scalars(query.order_by(col(ReputationEntry.id))))


def reverse_for_post(
    session: Session,
    post_id: int,
    *,
    at: datetime,
    reasons: Iterable[str] | None = None,
    actor_id: int | None = None,
) -> int:
    """Reverse every standing row about ``post_id`` (of ``reasons``, caused by ``actor_id``)."""
    entries = _open_entries(session, post_id=post_id, reasons=reasons, actor_id=actor_id)
    return sum(1 for entry in entries if reverse(session, entry, at=at) is not None)


# What causes points: called by the services, inside their transaction ----------------------------


def _day_start(at: datetime) -> datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def kudos_points_today(session: Session, user_id: int, at: datetime) -> int:
    """Net points from kudos the member has earned since midnight UTC."""
    total = session.scalar(
        select(func.coalesce(func.sum(ReputationEntry.points), 0)).where(
            col(ReputationEntry.user_id) == user_id,
            col(ReputationEntry.created_at) >= _day_start(at),
            col(ReputationEntry.reason).in_(KUDOS_REASONS),
        )
    )
    return int(total or 0)


def on_kudos_given(session: Session, post: Post, *, giver_id: int, at: datetime) -> None:
    settings = get_settings()
    thread = session.get(Thread, post.thread_id)
    assert thread is not None
    if post.is_question:
        reason, value = ReputationReason.question_kudos, settings.points_question_kudos
    else:
        reason, value = ReputationReason.answer_kudos, settings.points_answer_kudos
    points, note = value, ""
    if pair_blocks_points(session, giver_id, post.author_id):
        points, note = 0, "mutual_kudos"
    else:
        earned = kudos_points_today(session, post.author_id, at)
        room = max(0, settings.kudos_points_per_day - earned)
        if room < value:
            points, note = room, "daily_cap"
    award(
        session,
        user_id=post.author_id,
        points=points,
        reason=reason,
        at=at,
        post=post,
        thread=thread,
        actor_id=giver_id,
        note=note,
    )
    detect_mutual_kudos(session, giver_id, post.author_id, at=at, post=post)


def on_kudos_withdrawn(session: Session, post: Post, *, giver_id: int, at: datetime) -> None:
    assert post.id is not None
    reverse_for_post(session, post.id, at=at, reasons=KUDOS_REASONS, actor_id=giver_id)


def on_solution_accepted(
    session: Session, thread: Thread, post: Post, *, accepted_by_id: int, at: datetime
) -> None:
    """+15 to the answer's author and +2 to the asker; nothing for answering yourself."""
    if post.author_id == thread.author_id:
        return
    settings = get_settings()
    award(
        session,
        user_id=post.author_id,
        points=settings.points_answer_accepted,
        reason=ReputationReason.answer_accepted,
        at=at,
        post=post,
        thread=thread,
        actor_id=accepted_by_id,
    )
    award(
        session,
        user_id=thread.author_id,
        points=settings.points_accepted_answer,
        reason=ReputationReason.accepted_answer,
        at=at,
        post=post,
        thread=thread,
        actor_id=accepted_by_id,
    )


def on_solution_unmarked(session: Session, post_id: int, *, at: datetime) -> None:
    reverse_for_post(session, post_id, at=at, reasons=SOLUTION_REASONS)


def on_reply(session: Session, thread: Thread, post: Post, *, at: datetime) -> None:
    """Call before the reply sets ``first_response_at``: the first answer to a thread that had
    waited ``rescue_after_hours`` earns a rescue."""
    settings = get_settings()
    if post.author_id == thread.author_id or thread.first_response_at is not None:
        return
    if at - thread.created_at < timedelta(hours=settings.rescue_after_hours):
        return
    award(
        session,
        user_id=post.author_id,
        points=settings.points_rescue,
        reason=ReputationReason.rescue,
        at=at,
        post=post,
        thread=thread,
    )


# Deleting a post takes back what it earned, never a penalty it drew.
_EARNED = [r for r in ReputationReason if r != ReputationReason.flag_upheld]


def on_post_deleted(session: Session, post: Post, *, at: datetime) -> None:
    assert post.id is not None
    reverse_for_post(session, post.id, at=at, reasons=_EARNED)


def on_flag_upheld(session: Session, post: Post, *, moderator_id: int, at: datetime) -> None:
    award(
        session,
        user_id=post.author_id,
        points=get_settings().points_flag_upheld,
        reason=ReputationReason.flag_upheld,
        at=at,
        post=post,
        actor_id=moderator_id,
    )


# Mutual kudos ----------------------------------------------------------------------------------


def _pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def pair_blocks_points(session: Session, a: int, b: int) -> bool:
    pair = session.get(KudosPair, _pair_key(a, b))
    return pair is not None and pair.status != "cleared"


def _kudos_given(session: Session, giver_id: int, since: datetime, *, to: int | None) -> int:
    query = (
        select(func.count())
        .select_from(Kudos)
        .where(col(Kudos.user_id) == giver_id, col(Kudos.created_at) >= since)
    )
    if to is not None:
        query = query.join(Post, col(Post.id) == col(Kudos.post_id)).where(
            col(Post.author_id) == to
        )
    return int(session.scalar(query) or 0)


def detect_mutual_kudos(
    session: Session, giver_id: int, receiver_id: int, *, at: datetime, post: Post
) -> KudosPair | None:
    """Record the pair when each gave the other at least ``mutual_kudos_min`` kudos within
    ``mutual_kudos_days``, making up at least ``mutual_kudos_share`` of all each gave; their
    kudos points to each other in that window are reversed."""
    settings = get_settings()
    key = _pair_key(giver_id, receiver_id)
    if session.get(KudosPair, key) is not None:
        return None
    since = at - timedelta(days=settings.mutual_kudos_days)
    for giver, receiver in ((giver_id, receiver_id), (receiver_id, giver_id)):
        mutual = _kudos_given(session, giver, since, to=receiver)
        if mutual < settings.mutual_kudos_min:
            return None
        if mutual < settings.mutual_kudos_share * _kudos_given(session, giver, since, to=None):
            return None
    pair = KudosPair(low_id=key[0], high_id=key[1], detected_at=at)
    session.add(pair)
    session.flush()
    traded = session.scalars(
        select(ReputationEntry).where(
            col(ReputationEntry.reason).in_(KUDOS_REASONS),
            col(ReputationEntry.created_at) >= since,
            col(ReputationEntry.reverses_id).is_(None),
            col(ReputationEntry.reversed_at).is_(None),
            or_(
                (col(ReputationEntry.user_id) == giver_id)
                & (col(ReputationEntry.actor_id) == receiver_id),
                (col(ReputationEntry.user_id) == receiver_id)
                & (col(ReputationEntry.actor_id) == giver_id),
            ),
        )
    ).all()
    for entry in traded:
        if entry.points:
            reverse(session, entry, at=at)
    events.record(
        session,
        "mutual_kudos_suspected",
        at=at,
        thread_id=post.thread_id,
        post_id=post.id,
        low_id=key[0],
        high_id=key[1],
    )
    return pair


def resolve_pair(
    session: Session, low_id: int, high_id: int, *, cleared: bool, by_id: int, at: datetime
) -> KudosPair | None:
    """A moderator's verdict on a pair (moderation calls it): cleared pairs earn points again."""
    pair = session.get(KudosPair, _pair_key(low_id, high_id))
    if pair is None:
        return None
    pair.status = "cleared" if cleared else "upheld"
    pair.resolved_by_id = by_id
    pair.resolved_at = at
    session.add(pair)
    return pair


# Reading and rebuilding ------------------------------------------------------------------------


@dataclass(frozen=True)
class Recount:
    users: int
    changed: int
    tallies: int


def ledger_total(session: Session, user_id: int) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(ReputationEntry.points), 0)).where(
            col(ReputationEntry.user_id) == user_id
        )
    )
    return int(total or 0)


def recompute(session: Session) -> Recount:
    """Rebuild every total and tally from the ledger (``peerdesk recompute-reputation``); returns
    how many totals had drifted."""
    sums = dict(
        session.execute(
            select(col(ReputationEntry.user_id), func.sum(ReputationEntry.points)).group_by(
                col(ReputationEntry.user_id)
            )
        ).all()
    )
    changed = 0
    users = session.execute(select(col(User.id), col(User.reputation))).all()
    for user_id, current in users:
        expected = int(sums.get(user_id) or 0)
        if current != expected:
            changed += 1
            session.execute(update(User).where(col(User.id) == user_id).values(reputation=expected))
    session.execute(ReputationTally.__table__.delete())  # type: ignore[attr-defined]
    tallies: dict[tuple[str, int, int], list[int]] = {}
    rows = session.execute(
        select(
            col(ReputationEntry.user_id),
            col(ReputationEntry.category_id),
            col(ReputationEntry.created_at),
            col(ReputationEntry.points),
            col(ReputationEntry.reason),
            col(ReputationEntry.reverses_id),
        )
    )
    for user_id, category_id, created_at, points, reason, reverses_id in rows:
        solutions = _solutions_delta(reason, -1 if reverses_id is not None else 1)
        categories = {ALL_CATEGORIES} | ({category_id} if category_id else set())
        for period in period_keys(created_at):
            for category in categories:
                cell = tallies.setdefault((period, category, user_id), [0, 0])
                cell[0] += points
                cell[1] += solutions
    session.bulk_insert_mappings(
        ReputationTally,
        [
            {"period": p, "category_id": c, "user_id": u, "points": v[0], "solutions": v[1]}
            for (p, c, u), v in tallies.items()
            if v[0] or v[1]
        ],
    )
    session.commit()
    return Recount(users=len(users), changed=changed, tallies=len(tallies))
