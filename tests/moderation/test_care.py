"""The care consumer: each CareThread row follows its thread's events."""

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from community import events, kudos, posting, solutions, visibility
from community.models import HiddenReason, Post, Role, Thread
from community.policy import Guardian
from moderation import care, service_levels, tools
from moderation.models import CareThread, SignalCorrection
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.care_helpers import run_care, signal


@pytest.fixture
def scene(session, clock):
    category = make_category(session)
    moderator = make_user(session, clock, username="mara", role=Role.moderator)
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    thread = make_thread(session, clock, author=asker, category=category)
    assert thread.last_post_id is not None
    question = posting.get_post(session, Guardian(asker), thread.last_post_id)
    run_care(session, clock)
    return {
        "category": category,
        "moderator": moderator,
        "asker": asker,
        "helper": helper,
        "thread": thread,
        "question": question,
    }


def row(session: Session, thread: Thread) -> CareThread:
    session.expire_all()
    found = session.get(CareThread, thread.id)
    assert found is not None
    return found


def test_a_new_thread_is_unanswered_and_in_the_queue(session, clock, scene):
    r = row(session, scene["thread"])
    assert r.in_queue and r.first_response_at is None
    assert r.due_at == r.created_at + timedelta(hours=24) == r.urgent_at
    assert r.customer_id == scene["asker"].id and r.category_id == scene["category"].id


def test_a_member_answer_takes_it_out_unless_it_needs_the_brand(session, clock, scene):
    thread = scene["thread"]
    clock.advance(hours=1)
    make_reply(session, clock, author=scene["helper"], thread=thread)
    run_care(session, clock)
    assert not row(session, thread).in_queue
    assert row(session, thread).first_response_at == clock.now()
    signal(session, clock, scene["question"], needs_brand=True)
    run_care(session, clock)
    r = row(session, thread)
    assert r.in_queue and r.needs_brand and r.first_official_at is None
    clock.advance(hours=1)
    make_reply(session, clock, author=scene["moderator"], thread=thread, body="Official reply.")
    run_care(session, clock)
    r = row(session, thread)
    assert r.first_official_at == clock.now() and not r.in_queue


def test_negative_counts_until_the_brand_replies_and_corrections_override(session, clock, scene):
    thread, question = scene["thread"], scene["question"]
    make_reply(session, clock, author=scene["helper"], thread=thread)  # answered by a member
    signal(session, clock, question, sentiment="negative", score=0.8)
    run_care(session, clock)
    r = row(session, thread)
    assert r.in_queue and r.negative and r.sentiment_score == 0.8
    assert r.urgent_at == r.due_at - timedelta(hours=care.WEIGHT_NEGATIVE)
    session.add(
        SignalCorrection(
            post_id=question.id,
            signal="sentiment",
            value="neutral",
            corrected_by_id=scene["moderator"].id,
            created_at=clock.now(),
        )
    )
    events.record(
        session,
        "signal_corrected",
        at=clock.now(),
        thread_id=thread.id,
        post_id=question.id,
        signal="sentiment",
        value="neutral",
        by_id=scene["moderator"].id,
    )
    session.commit()
    run_care(session, clock)
    r = row(session, thread)
    assert not r.negative and not r.in_queue and r.urgent_at == r.due_at


def test_solved_deleted_and_moderator_hidden_threads_leave_the_queue(session, clock, scene):
    thread = scene["thread"]
    answer = make_reply(session, clock, author=scene["asker"], thread=thread, body="Fixed it!")
    solutions.accept_solution(session, Guardian(scene["asker"]), thread, answer, clock=clock)
    run_care(session, clock)
    assert not row(session, thread).in_queue
    solutions.unmark_solution(session, Guardian(scene["asker"]), thread, clock=clock)
    run_care(session, clock)
    assert row(session, thread).in_queue
    visibility.hide_thread(
        session, thread, reason=HiddenReason.moderator, by_id=scene["moderator"].id, now=clock.now()
    )
    session.commit()
    run_care(session, clock)
    assert not row(session, thread).in_queue
    visibility.unhide_thread(session, thread, by_id=scene["moderator"].id, now=clock.now())
    session.commit()
    run_care(session, clock)
    assert row(session, thread).in_queue
    posting.delete_post(session, Guardian(scene["asker"]), scene["question"], clock=clock)
    run_care(session, clock)
    assert not row(session, thread).in_queue


def test_personal_data_hidden_puts_an_answered_thread_back(session, clock, scene):
    thread = scene["thread"]
    make_reply(session, clock, author=scene["moderator"], thread=thread)
    run_care(session, clock)
    assert not row(session, thread).in_queue
    clock.advance(hours=5)
    post = make_reply(session, clock, author=scene["asker"], thread=thread, body="My card 4111...")
    visibility.hide_post(
        session, post, reason=HiddenReason.personal_data, by_id=None, now=clock.now()
    )
    session.commit()
    run_care(session, clock)
    r = row(session, thread)
    assert r.in_queue and r.pii_hidden
    # The deadline runs from the hiding, not from the old question; the asker wrote again after
    # the brand's reply, which is repeat contact too.
    assert r.repeat_contact == 1
    shift = care.WEIGHT_PII + care.WEIGHT_PER_REPEAT
    assert r.urgent_at == clock.now() + timedelta(hours=24) - timedelta(hours=shift)
    visibility.unhide_post(session, post, by_id=scene["moderator"].id, now=clock.now())
    session.commit()
    run_care(session, clock)
    assert not row(session, thread).in_queue


def test_toxic_posts_count_until_hidden_by_a_moderator(session, clock, scene):
    thread = scene["thread"]
    make_reply(session, clock, author=scene["moderator"], thread=thread)
    rude = make_reply(session, clock, author=scene["helper"], thread=thread, body="You idiot")
    signal(session, clock, rude, toxic=True)
    run_care(session, clock)
    assert row(session, thread).toxic and row(session, thread).in_queue
    visibility.hide_post(
        session, rude, reason=HiddenReason.moderator, by_id=scene["moderator"].id, now=clock.now()
    )
    session.commit()
    run_care(session, clock)
    assert not row(session, thread).toxic and not row(session, thread).in_queue


def test_me_too_votes_and_a_move_change_the_urgent_moment(session, clock, scene):
    thread, question = scene["thread"], scene["question"]
    for _ in range(3):
        kudos.toggle_kudos(session, Guardian(make_user(session, clock)), question, clock=clock)
    run_care(session, clock)
    r = row(session, thread)
    assert r.me_too == 3
    assert r.urgent_at == r.due_at - timedelta(hours=care.WEIGHT_PER_REACH_DOUBLING * 2)
    fast = make_category(session)
    service_levels.set_target(
        session, Guardian(make_user(session, clock, role=Role.admin)), fast, hours=4, clock=clock
    )
    thread.category_id = fast.id
    session.add(thread)
    events.record(
        session,
        "thread_moved",
        at=clock.now(),
        thread_id=thread.id,
        from_category_id=scene["category"].id,
        to_category_id=fast.id,
        by_id=scene["moderator"].id,
    )
    session.commit()
    run_care(session, clock)
    r = row(session, thread)
    assert r.category_id == fast.id and r.due_at == r.created_at + timedelta(hours=4)


def test_severity_weights_add_up_with_caps() -> None:
    nothing = care.severity_hours(
        negative=False,
        awaiting_brand=False,
        toxic=False,
        pii_hidden=False,
        flag_weight=0,
        repeat_contact=0,
        me_too=0,
        views=0,
    )
    everything = care.severity_hours(
        negative=True,
        awaiting_brand=True,
        toxic=True,
        pii_hidden=True,
        flag_weight=10,
        repeat_contact=10,
        me_too=1000,
        views=10**6,
    )
    assert nothing == 0
    assert everything == 24 + 8 + 6 + 6 + 12 + 9 + 6


def test_repeat_contact_drops_when_the_customers_other_thread_closes(session, clock) -> None:
    category = make_category(session)
    alice, helper = make_user(session, clock), make_user(session, clock)
    moderator = make_user(session, clock, role=Role.moderator)
    first = make_thread(session, clock, author=alice, category=category, title="Router drops")
    clock.advance(hours=1)
    second = make_thread(session, clock, author=alice, category=category, title="Still no fibre")
    clock.advance(hours=1)
    third = make_thread(session, clock, author=alice, category=category, title="Billing wrong")
    run_care(session, clock)

    def repeats() -> list[int]:
        session.expire_all()
        return [
            row.repeat_contact
            for row in (session.get(CareThread, t.id) for t in (first, second, third))
            if row is not None
        ]

    assert repeats() == [2, 2, 2]
    answer = make_reply(session, clock, author=helper, thread=first)
    solutions.accept_solution(session, Guardian(alice), first, answer, clock=clock)
    run_care(session, clock)
    assert repeats()[1:] == [1, 1]  # the solved thread is contact no longer
    solutions.unmark_solution(session, Guardian(alice), first, clock=clock)
    run_care(session, clock)
    assert repeats() == [2, 2, 2]
    tools.merge_thread(
        session, Guardian(moderator, now=clock.now()), third, into=second, clock=clock
    )
    run_care(session, clock)
    # the merged question counts once, as the asker writing again in the thread it joined
    assert repeats()[:2] == [1, 2]
    question = session.exec(
        select(Post).where(col(Post.thread_id) == first.id, col(Post.post_number) == 1)
    ).one()
    posting.delete_post(session, Guardian(alice), question, clock=clock)  # the thread goes
    run_care(session, clock)
    assert repeats()[1] == 1
