"""Badges: awarded by the ``badges`` outbox consumer when the event that earns them is delivered,
never twice (not on redelivery, not in a race), and in bulk by award_all for seeded data."""

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from community import badges, events, kudos, posting, solutions, visibility
from community.clock import FrozenClock
from community.counters import bump
from community.models import BadgeAward, HiddenReason, Kudos, Post, Role, Thread, User
from community.policy import Guardian
from tests.factories import make_category, make_reply, make_thread, make_user


def _drain(session: Session, clock: FrozenClock) -> None:
    session.expire_all()
    events.drain(session, now=clock.now(), consumers=[badges.CONSUMER])
    session.expire_all()


def _badges(session: Session, user: User) -> dict[str, BadgeAward]:
    return {a.badge: a for a in badges.badges_of(session, user.id or 0)}


def _redeliver(session: Session) -> None:
    """Every event is delivered to the badges consumer again (a worker crashed after the work)."""
    session.execute(
        update(events.OutboxDelivery)
        .where(col(events.OutboxDelivery.consumer) == badges.CONSUMER)
        .values(done_at=None)
    )
    session.commit()


@pytest.fixture
def people(session, clock):
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    category = make_category(session)
    return asker, helper, category


def test_first_answer_is_for_replying_to_someone_else_once_even_when_redelivered(
    session, clock, people
):
    asker, helper, category = people
    thread = make_thread(session, clock, author=asker, category=category)
    make_reply(session, clock, author=asker, thread=thread, body="Anyone?")
    _drain(session, clock)
    assert _badges(session, asker) == {}  # answering yourself is not an answer

    clock.advance(minutes=5)
    answer = make_reply(session, clock, author=helper, thread=thread)
    answered_at = clock.now()
    clock.advance(minutes=5)
    make_reply(session, clock, author=helper, thread=thread, body="Also the cable.")
    clock.advance(hours=3)  # the worker is late: the award keeps the time of the answer
    _drain(session, clock)
    _redeliver(session)
    _drain(session, clock)

    awards = session.exec(select(BadgeAward)).all()
    assert [(a.user_id, a.badge, a.post_id) for a in awards] == [
        (helper.id, "first_answer", answer.id)
    ]
    assert awards[0].awarded_at == answered_at


def test_a_race_for_the_same_badge_leaves_one_award(session, clock, people, monkeypatch):
    _, helper, _ = people
    assert badges.grant(session, helper.id, badges.Badge.advocate, at=clock.now()) is not None
    session.commit()
    # Another worker checked before this one inserted: the unique index has the last word.
    monkeypatch.setattr(badges, "has_badge", lambda *_args: False)
    assert badges.grant(session, helper.id, badges.Badge.advocate, at=clock.now()) is None
    session.commit()
    assert len(session.exec(select(BadgeAward)).all()) == 1


def test_solution_badges_follow_the_members_accepted_solutions(session, clock, people):
    asker, helper, category = people
    thread = make_thread(session, clock, author=asker, category=category)
    answer = make_reply(session, clock, author=helper, thread=thread)
    solutions.accept_solution(session, Guardian(asker), thread, answer, clock=clock)
    _drain(session, clock)
    assert set(_badges(session, helper)) == {"first_answer", "first_solution"}
    assert _badges(session, helper)["first_solution"].post_id == answer.id
    assert _badges(session, asker) == {}  # accepting earns no badge

    # Eight more solved elsewhere (counted on the member), then the tenth.
    bump(session, User, helper.id, solution_count=8)
    session.commit()
    second = make_thread(
        session, clock, author=asker, category=category, title="Wifi is slow at night"
    )
    tenth = make_reply(session, clock, author=helper, thread=second)
    solutions.accept_solution(session, Guardian(asker), second, tenth, clock=clock)
    _drain(session, clock)
    assert "solutions_10" in _badges(session, helper)
    assert "solutions_100" not in _badges(session, helper)

    bump(session, User, helper.id, solution_count=89)
    session.commit()
    third = make_thread(session, clock, author=asker, category=category, title="No dial tone")
    hundredth = make_reply(session, clock, author=helper, thread=third)
    solutions.accept_solution(session, Guardian(asker), third, hundredth, clock=clock)
    _drain(session, clock)
    assert _badges(session, helper)["solutions_100"].post_id == hundredth.id
    assert _badges(session, helper)["first_solution"].post_id == answer.id  # never twice


def test_a_solution_shown_again_can_complete_a_milestone(session, clock, people):
    asker, helper, category = people
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    assert moderator.id is not None
    hidden_thread = make_thread(session, clock, author=asker, category=category)
    first = make_reply(session, clock, author=helper, thread=hidden_thread)
    solutions.accept_solution(session, Guardian(asker), hidden_thread, first, clock=clock)
    visibility.hide_thread(
        session, hidden_thread, reason=HiddenReason.moderator, by_id=moderator.id, now=clock.now()
    )
    session.commit()
    bump(session, User, helper.id, solution_count=8)  # eight more solved elsewhere
    session.commit()
    thread = make_thread(session, clock, author=asker, category=category, title="Wifi is slow")
    tenth = make_reply(session, clock, author=helper, thread=thread)
    solutions.accept_solution(session, Guardian(asker), thread, tenth, clock=clock)
    _drain(session, clock)
    assert "solutions_10" not in _badges(session, helper)  # nine of them count

    visibility.unhide_thread(session, hidden_thread, by_id=moderator.id, now=clock.now())
    session.commit()
    _drain(session, clock)
    assert _badges(session, helper)["solutions_10"].post_id == first.id


def test_no_solution_badge_for_answering_yourself_or_for_a_solution_unmarked_at_once(
    session, clock, people
):
    asker, helper, category = people
    thread = make_thread(session, clock, author=asker, category=category)
    own = make_reply(session, clock, author=asker, thread=thread, body="Fixed it myself.")
    solutions.accept_solution(session, Guardian(asker), thread, own, clock=clock)
    other = make_thread(
        session, clock, author=asker, category=category, title="Router keeps restarting"
    )
    answer = make_reply(session, clock, author=helper, thread=other)
    solutions.accept_solution(session, Guardian(asker), other, answer, clock=clock)
    solutions.unmark_solution(session, Guardian(asker), other, clock=clock)
    _drain(session, clock)
    assert _badges(session, asker) == {}
    assert set(_badges(session, helper)) == {"first_answer"}


def test_great_answer_at_fifty_kudos_on_one_answer(session, clock, people):
    asker, helper, category = people
    thread = make_thread(session, clock, author=asker, category=category)
    answer = make_reply(session, clock, author=helper, thread=thread)
    session.execute(update(Post).where(col(Post.id) == answer.id).values(kudos_count=48))
    session.commit()
    session.refresh(answer)
    kudos.give_kudos(session, Guardian(asker), answer, clock=clock)  # 49
    _drain(session, clock)
    assert "kudos_50" not in _badges(session, helper)

    fan = make_user(session, clock)
    kudos.give_kudos(session, Guardian(fan), answer, clock=clock)  # 50
    _drain(session, clock)
    assert _badges(session, helper)["kudos_50"].post_id == answer.id


def test_lifeline_for_the_accepted_first_answer_to_a_thread_that_had_waited(session, clock, people):
    asker, helper, category = people
    waited = make_thread(session, clock, author=asker, category=category)
    quick = make_thread(
        session, clock, author=asker, category=category, title="A quick question on fibre"
    )
    fast = make_reply(session, clock, author=helper, thread=quick)
    solutions.accept_solution(session, Guardian(asker), quick, fast, clock=clock)
    _drain(session, clock)
    assert "lifeline" not in _badges(session, helper)

    clock.advance(hours=25)
    rescue = make_reply(session, clock, author=helper, thread=waited)
    _drain(session, clock)
    assert "lifeline" not in _badges(session, helper)  # a rescue, but not accepted yet
    solutions.accept_solution(session, Guardian(asker), waited, rescue, clock=clock)
    _drain(session, clock)
    assert _badges(session, helper)["lifeline"].post_id == rescue.id


def _signalled(session: Session, post: Post, language: str, clock: FrozenClock) -> None:
    """What moderation's signals worker does for a post: store its language, announce it."""
    post.language = language
    session.add(post)
    events.record(
        session, "post_signalled", at=clock.now(), thread_id=post.thread_id, post_id=post.id
    )
    session.commit()


def test_bilingual_when_answers_exist_in_italian_and_english(session, clock, people):
    asker, helper, category = people
    thread = make_thread(session, clock, author=asker, category=category)
    question = session.exec(select(Post).where(col(Post.thread_id) == thread.id)).one()
    _signalled(session, question, "it", clock)
    english = make_reply(session, clock, author=helper, thread=thread)
    _signalled(session, english, "en", clock)
    own = make_thread(
        session, clock, author=helper, category=category, title="Il mio problema con il modem"
    )
    own_question = session.exec(select(Post).where(col(Post.thread_id) == own.id)).one()
    _signalled(session, own_question, "it", clock)  # a question is not an answer
    _drain(session, clock)
    assert "bilingual" not in _badges(session, helper)

    italian = make_reply(session, clock, author=helper, thread=thread, body="Riavvia il modem.")
    _signalled(session, italian, "it", clock)
    _drain(session, clock)
    assert _badges(session, helper)["bilingual"].post_id == italian.id


def test_the_signals_worker_stores_the_language_on_the_post_and_earns_bilingual(
    session, clock, people
):
    asker, helper, category = people
    thread = make_thread(session, clock, author=asker, category=category)
    make_reply(
        session,
        clock,
        author=helper,
        thread=thread,
        body="Try restarting the router and then check whether the light turns green.",
    )
    make_reply(
        session,
        clock,
        author=helper,
        thread=thread,
        body="Prova a riavviare il router e poi controlla se la luce diventa verde.",
    )
    session.expire_all()
    events.drain(session, now=clock.now(), consumers=["signals", badges.CONSUMER])
    session.expire_all()
    replies = session.exec(
        select(Post).where(col(Post.thread_id) == thread.id).order_by(col(Post.post_number))
    ).all()
    assert [p.language for p in replies[1:]] == ["en", "it"]
    assert "bilingual" in _badges(session, helper)


def test_advocate_badge_on_nomination(session, clock, people):
    _, helper, _ = people
    moderator = make_user(session, clock)
    events.record(
        session, "advocate_nominated", at=clock.now(), user_id=helper.id, by_id=moderator.id
    )
    session.commit()
    _drain(session, clock)
    _redeliver(session)
    _drain(session, clock)
    assert list(_badges(session, helper)) == ["advocate"]


def test_award_all_gives_seeded_members_what_they_earned_dated_when_earned(session, clock):
    start = clock.now()
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    quiet = make_user(session, clock, username="quiet")
    category = make_category(session)
    thread = make_thread(session, clock, author=asker, category=category)
    clock.advance(hours=30)
    rescue = make_reply(session, clock, author=helper, thread=thread, body="Riavvia il modem.")
    first_answer_at = clock.now()
    clock.advance(hours=1)
    solutions.accept_solution(session, Guardian(asker), thread, rescue, clock=clock)
    accepted_at = clock.now()
    other = make_thread(
        session, clock, author=asker, category=category, title="Router keeps restarting"
    )
    clock.advance(hours=1)
    english = make_reply(session, clock, author=helper, thread=other)
    english_at = clock.now()
    session.execute(update(Post).where(col(Post.id) == rescue.id).values(language="it"))
    session.execute(update(Post).where(col(Post.id) == english.id).values(language="en"))
    # Fifty kudos, as the seed loads them: rows and counters, no events.
    fans = [make_user(session, clock, username=f"fan{i}") for i in range(50)]
    assert english.id is not None
    for i, fan in enumerate(fans):
        assert fan.id is not None
        session.add(
            Kudos(
                post_id=english.id, user_id=fan.id, created_at=start + timedelta(days=2, minutes=i)
            )
        )
    session.execute(update(Post).where(col(Post.id) == english.id).values(kudos_count=50))
    session.execute(update(User).where(col(User.id) == quiet.id).values(advocate_since=start))
    session.commit()

    assert badges.award_all(session) > 0
    got = {(a.user_id, a.badge): a for a in session.exec(select(BadgeAward))}
    assert {b for u, b in got if u == helper.id} == {
        "first_answer",
        "first_solution",
        "lifeline",
        "bilingual",
        "kudos_50",
    }
    assert {b for u, b in got if u != helper.id} == {"advocate"}
    assert got[(helper.id, "first_answer")].awarded_at == first_answer_at
    assert got[(helper.id, "first_answer")].post_id == rescue.id
    assert got[(helper.id, "first_solution")].awarded_at == accepted_at
    assert got[(helper.id, "lifeline")].awarded_at == accepted_at
    assert got[(helper.id, "bilingual")].awarded_at == english_at
    assert got[(helper.id, "kudos_50")].awarded_at == start + timedelta(days=2, minutes=49)
    assert got[(quiet.id, "advocate")].awarded_at == start

    # The consumer and a second run add nothing: never twice.
    _drain(session, clock)
    assert badges.award_all(session) == 0
    assert len(session.exec(select(BadgeAward)).all()) == len(got)


def test_every_badge_has_a_label_and_a_description():
    assert set(badges.BADGES) == set(badges.Badge)
    for info in badges.BADGES.values():
        assert info.label and info.description
    assert badges.info("no_such_badge") is None


def test_deleted_or_unknown_posts_earn_nothing(session, clock, people):
    asker, helper, category = people
    thread = make_thread(session, clock, author=asker, category=category)
    answer = make_reply(session, clock, author=helper, thread=thread)
    posting.delete_post(session, Guardian(helper), answer, clock=clock)
    _drain(session, clock)
    assert _badges(session, helper) == {}
    assert session.get(Thread, thread.id) is not None


def test_the_member_is_told_of_a_new_badge_once_and_it_links_to_their_profile(
    session, clock, people, client
):
    from community import notifications
    from tests.helpers import login

    asker, helper, category = people
    thread = make_thread(session, clock, author=asker, category=category)
    make_reply(session, clock, author=helper, thread=thread)
    _drain(session, clock)
    _redeliver(session)  # the award is not repeated, so neither is the news
    _drain(session, clock)
    session.expire_all()
    events.drain(session, now=clock.now(), consumers=["notifications"])
    page = notifications.list_notifications(session, Guardian(helper))
    earned = [i for i in page.items if i.notification.kind == "badge"]
    assert len(earned) == 1
    assert earned[0].badge == "first_answer" and not earned[0].is_gone
    assert earned[0].target_url == "/u/helper#badges"
    login(client, helper)
    html = client.get("/notifications").text
    assert "You earned the badge First answer" in html
    client.cookies.clear()
    login(client, asker)  # nobody else hears of it
    assert "You earned the badge" not in client.get("/notifications").text
    # Deleting the answer keeps the badge and its news, unread and not "deleted".
    answer = session.exec(select(Post).where(Post.thread_id == thread.id, Post.post_number == 2))
    posting.delete_post(session, Guardian(helper), answer.one(), clock=clock)
    events.drain(session, now=clock.now(), consumers=["notifications"])
    item = notifications.list_notifications(session, Guardian(helper)).items[0]
    assert item.notification.kind == "badge" and not item.is_gone
    assert item.notification.read_at is None
