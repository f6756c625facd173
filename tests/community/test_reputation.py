"""The reputation ledger: what earns and costs points, reversals, fair play, and totals that always
equal the sum of the ledger."""

import random
from datetime import UTC, datetime

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from community import kudos, posting, reputation, solutions
from community.errors import DomainError
from community.events import OutboxEvent
from community.models import (
    KudosPair,
    Post,
    ReputationEntry,
    ReputationTally,
    Role,
    Thread,
    User,
)
from community.policy import Guardian
from community.settings import get_settings
from tests.factories import make_category, make_reply, make_thread, make_user


@pytest.fixture(autouse=True)
def many_posts_a_minute(monkeypatch):
    monkeypatch.setattr(get_settings(), "posts_limit_per_minute", 100_000)


@pytest.fixture
def people(session, clock) -> dict[str, User]:
    return {name: make_user(session, clock, username=name) for name in ("asker", "anna", "bruno")}


@pytest.fixture
def thread(session, clock, people) -> Thread:
    return make_thread(session, clock, author=people["asker"], category=make_category(session))


def total(session: Session, user: User) -> int:
    session.refresh(user)
    return user.reputation


def ledger(session: Session, user: User) -> list[tuple[int, str]]:
    rows = session.exec(
        select(ReputationEntry)
        .where(col(ReputationEntry.user_id) == user.id)
        .order_by(col(ReputationEntry.id))
    )
    return [(e.points, e.reason) for e in rows]


def test_kudos_on_an_answer_and_a_question_and_their_withdrawal(session, clock, people, thread):
    answer = make_reply(session, clock, author=people["anna"], thread=thread)
    question = _question(session, thread)
    kudos.give_kudos(session, Guardian(people["bruno"]), answer, clock=clock)
    kudos.give_kudos(session, Guardian(people["anna"]), question, clock=clock)
    assert total(session, people["anna"]) == 10
    assert total(session, people["asker"]) == 5
    kudos.withdraw_kudos(session, Guardian(people["bruno"]), answer, clock=clock)
    assert total(session, people["anna"]) == 0
    assert ledger(session, people["anna"]) == [(10, "answer_kudos"), (-10, "answer_kudos")]
    original, reversal = session.exec(
        select(ReputationEntry)
        .where(col(ReputationEntry.user_id) == people["anna"].id)
        .order_by(col(ReputationEntry.id))
    ).all()
    assert reversal.reverses_id == original.id and original.reversed_at == clock.now()
    assert reversal.actor_id == people["bruno"].id and reversal.post_id == answer.id


def _question(session: Session, thread: Thread) -> Post:
    return session.exec(
        select(Post).where(col(Post.thread_id) == thread.id, col(Post.post_number) == 1)
    ).one()


def test_an_accepted_answer_pays_both_and_unmarking_or_moving_it_takes_it_back(
    session, clock, people, thread
):
    first = make_reply(session, clock, author=people["anna"], thread=thread)
    second = make_reply(session, clock, author=people["bruno"], thread=thread)
    asker = Guardian(people["asker"])
    solutions.accept_solution(session, asker, thread, first, clock=clock)
    assert (total(session, people["anna"]), total(session, people["asker"])) == (15, 2)
    solutions.accept_solution(session, asker, thread, second, clock=clock)  # moved
    assert total(session, people["anna"]) == 0
    assert (total(session, people["bruno"]), total(session, people["asker"])) == (15, 2)
    solutions.unmark_solution(session, asker, thread, clock=clock)
    assert (total(session, people["bruno"]), total(session, people["asker"])) == (0, 0)
    assert ledger(session, people["asker"]) == [
        (2, "accepted_answer"),
        (-2, "accepted_answer"),
        (2, "accepted_answer"),
        (-2, "accepted_answer"),
    ]


def test_answering_your_own_question_earns_nothing(session, clock, people, thread):
    own = make_reply(session, clock, author=people["asker"], thread=thread)
    solutions.accept_solution(session, Guardian(people["asker"]), thread, own, clock=clock)
    assert ledger(session, people["asker"]) == []


def test_rescuing_a_thread_unanswered_for_a_day(session, clock, people):
    category = make_category(session)
    old = make_thread(session, clock, author=people["asker"], category=category)
    clock.advance(hours=2)
    fresh = make_thread(
        session, clock, author=people["asker"], category=category, title="Fresh question"
    )
    clock.advance(hours=23)  # old has waited 25 h, fresh 23 h
    make_reply(session, clock, author=people["asker"], thread=old)  # the asker's bump: no rescue
    make_reply(session, clock, author=people["anna"], thread=old)
    make_reply(session, clock, author=people["bruno"], thread=old)  # not the first answer
    make_reply(session, clock, author=people["bruno"], thread=fresh)
    assert ledger(session, people["anna"]) == [(5, "rescue")]
    assert ledger(session, people["bruno"]) == []


def test_deleting_a_post_reverses_every_point_it_earned(session, clock, people, thread):
    answer = make_reply(session, clock, author=people["anna"], thread=thread)
    kudos.give_kudos(session, Guardian(people["bruno"]), answer, clock=clock)
    solutions.accept_solution(session, Guardian(people["asker"]), thread, answer, clock=clock)
    assert total(session, people["anna"]) == 25
    posting.delete_post(session, Guardian(people["anna"]), answer, clock=clock)
    assert total(session, people["anna"]) == 0
    assert total(session, people["asker"]) == 0  # the solution went with it
    assert reputation.ledger_total(session, people["anna"].id) == 0


def test_kudos_earn_at_most_the_daily_cap_net_of_withdrawals(session, clock, people, monkeypatch):
    monkeypatch.setattr(get_settings(), "kudos_points_per_day", 30)
    category = make_category(session)
    answers = []
    for n in range(5):
        t = make_thread(
            session, clock, author=people["asker"], category=category, title=f"Question {n}"
        )
        answers.append(make_reply(session, clock, author=people["anna"], thread=t))
    givers = [make_user(session, clock, username=f"giver{n}") for n in range(4)]
    for giver in givers:
        kudos.give_kudos(session, Guardian(giver), answers[0], clock=clock)
    assert total(session, people["anna"]) == 30
    assert [(p, n) for p, n in _notes(session, people["anna"])] == [
        (10, ""),
        (10, ""),
        (10, ""),
        (0, "daily_cap"),
    ]
    kudos.withdraw_kudos(session, Guardian(givers[0]), answers[0], clock=clock)
    kudos.give_kudos(session, Guardian(givers[0]), answers[1], clock=clock)
    assert total(session, people["anna"]) == 30  # the withdrawal made room for one more
    clock.advance(days=1)
    kudos.give_kudos(session, Guardian(givers[1]), answers[1], clock=clock)
    assert total(session, people["anna"]) == 40  # a new day


def _notes(session: Session, user: User) -> list[tuple[int, str]]:
    rows = session.exec(
        select(ReputationEntry)
        .where(col(ReputationEntry.user_id) == user.id, col(ReputationEntry.reverses_id).is_(None))
        .order_by(col(ReputationEntry.id))
    )
    return [(e.points, e.note) for e in rows]


def test_two_accounts_trading_kudos_are_caught_and_earn_nothing_from_each_other(
    session, clock, people
):
    category = make_category(session)
    anna, bruno = people["anna"], people["bruno"]
    posts: dict[str, list[Post]] = {"anna": [], "bruno": []}
    for n in range(4):
        t = make_thread(
            session, clock, author=people["asker"], category=category, title=f"Question {n}"
        )
        posts["anna"].append(make_reply(session, clock, author=anna, thread=t))
        posts["bruno"].append(make_reply(session, clock, author=bruno, thread=t))
    honest = make_user(session, clock, username="honest")
    kudos.give_kudos(session, Guardian(honest), posts["anna"][3], clock=clock)
    for n in range(2):
        kudos.give_kudos(session, Guardian(anna), posts["bruno"][n], clock=clock)
        kudos.give_kudos(session, Guardian(bruno), posts["anna"][n], clock=clock)
    assert session.exec(select(KudosPair)).all() == []
    assert total(session, anna) == 30
    kudos.give_kudos(session, Guardian(anna), posts["bruno"][2], clock=clock)
    kudos.give_kudos(session, Guardian(bruno), posts["anna"][2], clock=clock)  # 3 each way

    pair = session.exec(select(KudosPair)).one()
    assert {pair.low_id, pair.high_id} == {anna.id, bruno.id} and pair.status == "suspected"
    suspected = [e for e in session.exec(select(OutboxEvent)) if e.name == "mutual_kudos_suspected"]
    assert len(suspected) == 1 and suspected[0].data["post_id"] == posts["anna"][2].id
    assert total(session, anna) == 10  # only the honest member's kudos still count
    assert total(session, bruno) == 0
    kudos.give_kudos(session, Guardian(anna), posts["bruno"][3], clock=clock)
    assert total(session, bruno) == 0 and _notes(session, bruno)[-1] == (0, "mutual_kudos")
    assert honest.id is not None
    reputation.resolve_pair(
        session, anna.id, bruno.id, cleared=True, by_id=honest.id, at=clock.now()
    )
    session.commit()
    kudos.give_kudos(session, Guardian(bruno), posts["anna"][3], clock=clock)
    assert total(session, anna) == 20  # cleared: points flow again


def test_occasional_thanks_between_two_active_members_is_not_a_ring(session, clock, people):
    category = make_category(session)
    anna, bruno = people["anna"], people["bruno"]
    others = [make_user(session, clock, username=f"other{n}") for n in range(6)]
    for n in range(7):
        t = make_thread(
            session, clock, author=others[n % 6], category=category, title=f"Question {n}"
        )
        a = make_reply(session, clock, author=anna, thread=t)
        b = make_reply(session, clock, author=bruno, thread=t)
        o = make_reply(session, clock, author=others[(n + 1) % 6], thread=t)
        if n < 4:  # each gives 4 kudos to others first, then 3 to the other: 3 of 7
            kudos.give_kudos(session, Guardian(anna), o, clock=clock)
            kudos.give_kudos(session, Guardian(bruno), o, clock=clock)
        else:
            kudos.give_kudos(session, Guardian(anna), b, clock=clock)
            kudos.give_kudos(session, Guardian(bruno), a, clock=clock)
    assert session.exec(select(KudosPair)).all() == []


def test_leaderboard_tallies_follow_the_period_of_each_ledger_row(session, clock, people):
    clock.set(datetime(2026, 11, 29, 23, 0, tzinfo=UTC))  # a Sunday
    thread = make_thread(session, clock, author=people["asker"], category=make_category(session))
    answer = make_reply(session, clock, author=people["anna"], thread=thread)
    kudos.give_kudos(session, Guardian(people["bruno"]), answer, clock=clock)
    clock.advance(hours=26)  # Tuesday 1 December: a new week and a new month
    kudos.withdraw_kudos(session, Guardian(people["bruno"]), answer, clock=clock)
    tallies = {
        (t.period, t.category_id): t.points
        for t in session.exec(
            select(ReputationTally).where(col(ReputationTally.user_id) == people["anna"].id)
        )
    }
    category = thread.category_id
    assert tallies[("all", 0)] == 0 and tallies[("all", category)] == 0
    assert tallies[("w2026-11-23", 0)] == 10 and tallies[("m2026-11", category)] == 10
    assert tallies[("w2026-11-30", 0)] == -10 and tallies[("m2026-12", 0)] == -10


def test_totals_equal_the_ledger_after_a_long_random_sequence_of_actions(session, clock):
    rng = random.Random(20261124)
    members = [make_user(session, clock, username=f"m{n}") for n in range(8)]
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    categories = [make_category(session, slug=f"c{n}") for n in range(3)]
    threads: list[Thread] = []
    replies: list[Post] = []
    done = {"kudos": 0, "withdraw": 0, "accept": 0, "unmark": 0, "delete": 0}
    for step in range(600):
        clock.advance(minutes=rng.choice([1, 7, 60, 300, 1500]))
        action = rng.random()
        who = rng.choice(members)
        try:
            if action < 0.12 or not threads:
                threads.append(
                    make_thread(
                        session,
                        clock,
                        author=who,
                        category=rng.choice(categories),
                        title=f"Question number {step}",
                    )
                )
            elif action < 0.35:
                replies.append(make_reply(session, clock, author=who, thread=rng.choice(threads)))
            elif action < 0.65 and replies:
                post = rng.choice(replies + [_question(session, t) for t in threads[-3:]])
                if kudos.toggle_kudos(session, Guardian(who), post, clock=clock):
                    done["kudos"] += 1
                else:
                    done["withdraw"] += 1
            elif action < 0.8 and replies:
                post = rng.choice(replies)
                t = session.get(Thread, post.thread_id)
                solutions.accept_solution(session, Guardian(moderator), t, post, clock=clock)
                done["accept"] += 1
            elif action < 0.88 and threads:
                t = rng.choice(threads)
                solutions.unmark_solution(session, Guardian(moderator), t, clock=clock)
                done["unmark"] += 1
            elif replies:
                post = replies.pop(rng.randrange(len(replies)))
                posting.delete_post(session, Guardian(moderator), post, clock=clock)
                done["delete"] += 1
        except DomainError:
            session.rollback()  # own post, already deleted, nothing to unmark...
    assert all(count >= 10 for count in done.values()), done

    sums = dict(
        session.exec(
            select(col(ReputationEntry.user_id), func.sum(ReputationEntry.points)).group_by(
                col(ReputationEntry.user_id)
            )
        ).all()
    )
    session.expire_all()
    for user in session.exec(select(User)):
        assert user.reputation == (sums.get(user.id) or 0), user.username
    assert any(user.reputation > 0 for user in members)
    incremental = _tallies(session)
    recount = reputation.recompute(session)
    assert recount.changed == 0
    assert _tallies(session) == incremental


def _tallies(session: Session) -> dict[tuple[str, int, int], tuple[int, int]]:
    return {
        (t.period, t.category_id, t.user_id): (t.points, t.solutions)
        for t in session.exec(select(ReputationTally))
        if t.points or t.solutions
    }


def test_recompute_repairs_a_total_that_drifted(session, clock, people, thread):
    answer = make_reply(session, clock, author=people["anna"], thread=thread)
    kudos.give_kudos(session, Guardian(people["bruno"]), answer, clock=clock)
    people["anna"].reputation = 999
    session.add(people["anna"])
    session.commit()
    assert reputation.recompute(session).changed == 1
    assert total(session, people["anna"]) == 10


def test_an_upheld_flag_costs_points(session, clock, people, thread):
    answer = make_reply(session, clock, author=people["anna"], thread=thread)
    reputation.on_flag_upheld(session, answer, moderator_id=people["bruno"].id, at=clock.now())
    session.commit()
    assert ledger(session, people["anna"]) == [(get_settings().points_flag_upheld, "flag_upheld")]
    assert total(session, people["anna"]) < 0


def test_deleting_a_penalised_post_keeps_the_penalty(session, clock, people, thread):
    answer = make_reply(session, clock, author=people["anna"], thread=thread)
    kudos.give_kudos(session, Guardian(people["bruno"]), answer, clock=clock)
    reputation.on_flag_upheld(session, answer, moderator_id=people["bruno"].id, at=clock.now())
    session.commit()
    posting.delete_post(session, Guardian(people["anna"]), answer, clock=clock)
    assert total(session, people["anna"]) == get_settings().points_flag_upheld
