"""Backfilling the reputation ledger from facts written without the services (the seed, or a
database older than the ledger), and the recompute-reputation / backfill-reputation commands."""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, delete, func, select, update
from sqlmodel import Session, col
from typer.testing import CliRunner

from community import cli, kudos, posting, reputation, reputation_backfill, solutions
from community.errors import Conflict
from community.models import (
    BadgeAward,
    HiddenReason,
    Kudos,
    Post,
    ReputationEntry,
    ReputationReason,
    ReputationTally,
    Solution,
    Thread,
    User,
)
from community.policy import Guardian
from community.seed import loader
from community.settings import get_settings
from tests.factories import make_category, make_reply, make_thread, make_user

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def standing_rows(session: Session) -> Counter[tuple[object, ...]]:
    """The ledger rows still in force (neither reversed nor a reversal), as comparable tuples."""
    rows = session.execute(
        select(
            col(ReputationEntry.user_id),
            col(ReputationEntry.points),
            col(ReputationEntry.reason),
            col(ReputationEntry.post_id),
            col(ReputationEntry.category_id),
            col(ReputationEntry.actor_id),
            col(ReputationEntry.note),
            col(ReputationEntry.created_at),
        ).where(
            col(ReputationEntry.reverses_id).is_(None),
            col(ReputationEntry.reversed_at).is_(None),
        )
    )
    return Counter(tuple(row) for row in rows)


def totals(session: Session) -> dict[int, int]:
    return dict(session.execute(select(col(User.id), col(User.reputation))).all())


def ledger_sums(session: Session) -> dict[int, int]:
    sums = dict(
        session.execute(
            select(col(ReputationEntry.user_id), func.sum(ReputationEntry.points)).group_by(
                col(ReputationEntry.user_id)
            )
        ).all()
    )
    return {user_id: int(sums.get(user_id) or 0) for user_id in totals(session)}


def tallies(session: Session) -> set[tuple[str, int, int, int, int]]:
    rows = session.execute(
        select(
            col(ReputationTally.period),
            col(ReputationTally.category_id),
            col(ReputationTally.user_id),
            col(ReputationTally.points),
            col(ReputationTally.solutions),
        )
    )
    return {tuple(row) for row in rows if row[3] or row[4]}


def forget_ledger(session: Session) -> None:
    """What a database from before the ledger looks like: the facts, no reputation."""
    session.execute(delete(ReputationTally))
    session.execute(update(ReputationEntry).values(reverses_id=None))
    session.execute(delete(ReputationEntry))
    session.execute(update(User).values(reputation=0))
    session.commit()


def test_backfill_writes_what_the_services_wrote_for_the_same_facts(session, clock, monkeypatch):
    monkeypatch.setattr(get_settings(), "kudos_points_per_day", 20)
    asker, helper, other = (make_user(session, clock, username=n) for n in ("asker", "helper", "o"))
    givers = [make_user(session, clock, username=f"giver{i}") for i in range(4)]
    fibre, mobile = make_category(session), make_category(session)

    thread = make_thread(session, clock, author=asker, category=fibre)
    clock.advance(minutes=10)
    answer = make_reply(session, clock, author=helper, thread=thread)
    second = make_reply(session, clock, author=other, thread=thread)
    for giver in givers[:3]:  # 10, 10, then the daily cap of 20 leaves 0
        clock.advance(minutes=5)
        kudos.give_kudos(session, Guardian(giver), answer, clock=clock)
    kudos.give_kudos(session, Guardian(givers[0]), thread_question(session, thread), clock=clock)
    kudos.give_kudos(session, Guardian(givers[1]), second, clock=clock)
    clock.advance(hours=24)  # a new day: kudos earn again
    kudos.give_kudos(session, Guardian(givers[3]), answer, clock=clock)
    solutions.accept_solution(session, Guardian(asker), thread, answer, clock=clock)
    posting.delete_post(session, Guardian(other), second, clock=clock)  # its kudos reversed

    waiting = make_thread(session, clock, author=asker, category=mobile)
    clock.advance(hours=25)
    newcomer = make_user(session, clock, username="newcomer")
    held = make_reply(session, clock, author=newcomer, thread=waiting, body="See https://x.example")
    assert held.hidden_reason == HiddenReason.awaiting_approval  # answers nobody: no rescue
    clock.advance(minutes=5)
    make_reply(session, clock, author=other, thread=waiting)  # the rescue
    own = make_thread(session, clock, author=helper, category=mobile)
    self_answer = make_reply(session, clock, author=helper, thread=own)
    solutions.accept_solution(session, Guardian(helper), own, self_answer, clock=clock)

    live_rows, live_totals, live_tallies = standing_rows(session), totals(session), tallies(session)
    assert helper.id is not None and other.id is not None
    assert live_totals[helper.id] == 10 + 10 + 0 + 10 + 15
    assert live_totals[other.id] == 5

    forget_ledger(session)
    # Tiny batches: rows are written while the kudos are still being streamed in (a server-side
    # cursor on PostgreSQL), as at full size.
    monkeypatch.setattr(reputation_backfill, "BATCH", 2)
    summary = reputation_backfill.backfill(session)

    assert standing_rows(session) == live_rows
    assert totals(session) == live_totals
    assert tallies(session) == live_tallies
    assert (summary.kudos, summary.capped, summary.solutions, summary.rescues) == (5, 1, 1, 1)
    assert summary.entries == 5 + 2 + 1
    assert summary.recount.changed == len([t for t in live_totals.values() if t])


def thread_question(session: Session, thread: Thread) -> Post:
    post = session.scalars(
        select(Post).where(col(Post.thread_id) == thread.id, col(Post.post_number) == 1)
    ).one()
    return post


def test_backfill_refuses_a_ledger_that_already_has_rows(session, clock):
    user = make_user(session, clock)
    assert user.id is not None
    reputation.award(
        session, user_id=user.id, points=10, reason=ReputationReason.rescue, at=clock.now()
    )
    session.commit()
    with pytest.raises(Conflict):
        reputation_backfill.backfill(session)
    assert reputation.ledger_total(session, user.id) == 10


# --- a seeded community ---------------------------------------------------------------------------


@pytest.fixture
def seeded(db: Engine) -> Engine:
    loader.seed(db, threads=150, seed=7, now=NOW)
    return db


def test_seeding_fills_the_ledger_and_totals_equal_it(seeded: Engine):
    with Session(seeded) as session:
        sums = ledger_sums(session)
        assert totals(session) == sums
        assert sum(sums.values()) > 0
        solved = session.scalar(
            select(func.count())
            .select_from(Solution)
            .join(Post, col(Post.id) == col(Solution.post_id))
            .join(Thread, col(Thread.id) == col(Solution.thread_id))
            .where(col(Post.author_id) != col(Thread.author_id))
        )
        reasons = Counter(session.scalars(select(col(ReputationEntry.reason))).all())
        assert reasons[ReputationReason.answer_accepted] == solved
        assert reasons[ReputationReason.accepted_answer] == solved
        # The badges the seeded facts earn are awarded too (community.badges.award_all).
        assert (session.scalar(select(func.count()).select_from(BadgeAward)) or 0) > 0
        kudos_total = session.scalar(select(func.count()).select_from(Kudos))
        assert (
            reasons[ReputationReason.answer_kudos] + reasons[ReputationReason.question_kudos]
            == kudos_total
        )


def test_seeded_kudos_respect_the_daily_cap(seeded: Engine):
    cap = get_settings().kudos_points_per_day
    with Session(seeded) as session:
        per_day: Counter[tuple[int, object]] = Counter()
        rows = session.execute(
            select(
                col(ReputationEntry.user_id),
                col(ReputationEntry.created_at),
                col(ReputationEntry.points),
            ).where(col(ReputationEntry.reason).in_(reputation.KUDOS_REASONS))
        )
        for user_id, at, points in rows:
            per_day[(user_id, at.date())] += points
    assert max(per_day.values()) == cap  # the busiest helpers hit it in the seed


def test_seeded_tallies_equal_what_recompute_rebuilds(seeded: Engine):
    with Session(seeded) as session:
        before = tallies(session)
        recount = reputation.recompute(session)
        assert recount.changed == 0
        assert tallies(session) == before
        assert len(before) > 0


# --- the commands -------------------------------------------------------------------------------


@pytest.fixture
def operator_db(database_url: str, db: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield db
    monkeypatch.delenv("DATABASE_URL")
    get_settings.cache_clear()


def test_recompute_reputation_reports_users_checked_and_totals_corrected(operator_db, clock):
    with Session(operator_db, expire_on_commit=False) as session:
        user = make_user(session, clock)
        make_user(session, clock)
        assert user.id is not None
        reputation.award(
            session, user_id=user.id, points=15, reason=ReputationReason.rescue, at=clock.now()
        )
        session.execute(update(User).where(col(User.id) == user.id).values(reputation=999))
        session.commit()
    result = CliRunner().invoke(cli.app, ["recompute-reputation"])
    assert result.exit_code == 0, result.output
    assert "2 users checked, 1 totals corrected, 3 tallies rebuilt" in result.output
    with Session(operator_db) as session:
        stored = session.get(User, user.id)
        assert stored is not None and stored.reputation == 15


def test_backfill_reputation_fills_an_empty_ledger_once_then_refuses(operator_db):
    loader.seed(operator_db, threads=60, seed=3, now=NOW)
    with Session(operator_db) as session:
        expected = totals(session)
        forget_ledger(session)
    result = CliRunner().invoke(cli.app, ["backfill-reputation"])
    assert result.exit_code == 0, result.output
    assert "ledger entries written" in result.output
    with Session(operator_db) as session:
        assert totals(session) == expected

    again = CliRunner().invoke(cli.app, ["backfill-reputation"])
    assert again.exit_code == 1
    assert "already has entries" in again.output
