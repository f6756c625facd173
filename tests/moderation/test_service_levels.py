"""Service levels: the thread states at their exact boundaries, per-category targets, the form."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from community.clock import FrozenClock
from community.errors import Forbidden, Invalid
from community.models import Role, Thread
from community.policy import Guardian
from moderation import care, service_levels, tools
from moderation.models import CareThread, ServiceLevel
from moderation.service_levels import SlaState, ThreadTimes
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token, login
from tests.moderation.care_helpers import run_care

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def times(
    *,
    first_response_at: datetime | None = None,
    first_official_at: datetime | None = None,
    needs_brand: bool = False,
) -> ThreadTimes:
    return ThreadTimes(
        created_at=START,
        due_at=START + DAY,
        first_response_at=first_response_at,
        first_official_at=first_official_at,
        needs_brand=needs_brand,
    )


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (timedelta(0), SlaState.on_track),
        (timedelta(hours=18) - timedelta(microseconds=1), SlaState.on_track),
        (timedelta(hours=18), SlaState.at_risk),  # exactly 75% of 24 h
        (DAY - timedelta(microseconds=1), SlaState.at_risk),
        (DAY, SlaState.breached),  # exactly the target
        (DAY + timedelta(hours=2), SlaState.breached),
    ],
)
def test_states_at_their_exact_boundaries(elapsed: timedelta, expected: SlaState) -> None:
    clock = FrozenClock(START)
    clock.advance(elapsed)
    assert service_levels.status(times(), clock.now()).sla == expected


def test_a_reply_stops_the_clock_and_the_wait() -> None:
    status = service_levels.status(
        times(first_response_at=START + timedelta(hours=3)), START + 2 * DAY
    )
    assert status.sla == SlaState.answered
    assert not status.unanswered
    assert status.waited_hours == 3


def test_a_thread_that_needs_the_brand_waits_for_an_official_reply() -> None:
    member_replied = times(first_response_at=START + timedelta(hours=1), needs_brand=True)
    status = service_levels.status(member_replied, START + timedelta(hours=26))
    assert not status.unanswered
    assert status.awaiting_brand
    assert status.sla == SlaState.breached
    assert status.waited_hours == 26
    official = times(
        first_response_at=START + timedelta(hours=1),
        first_official_at=START + timedelta(hours=5),
        needs_brand=True,
    )
    assert service_levels.status(official, START + 3 * DAY).sla == SlaState.answered
    assert not service_levels.status(official, START + 3 * DAY).awaiting_brand


def test_at_risk_from_is_three_quarters_of_the_target() -> None:
    assert service_levels.at_risk_from(START, START + DAY) == START + timedelta(hours=18)
    assert service_levels.at_risk_from(START, START + timedelta(hours=4)) == START + timedelta(
        hours=3
    )


def test_a_thread_whose_only_reply_is_the_askers_is_unanswered(session, clock) -> None:
    asker = make_user(session, clock)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    clock.advance(hours=2)
    make_reply(session, clock, author=asker, thread=thread, body="Anyone? Still broken.")
    run_care(session, clock)
    row = session.get(CareThread, thread.id)
    assert row is not None and row.first_response_at is None and row.in_queue
    assert row.repeat_contact == 1  # the asker wrote again while waiting
    clock.advance(hours=24)
    status = service_levels.status(
        ThreadTimes(row.created_at, row.due_at, row.first_response_at, None, False), clock.now()
    )
    assert status.unanswered and status.sla == SlaState.breached and status.waited_hours == 26


def test_each_category_has_its_own_target_and_the_default_is_24_hours(session, clock) -> None:
    admin = make_user(session, clock, role=Role.admin)
    fast, slow = make_category(session), make_category(session)
    service_levels.set_target(session, Guardian(admin), fast, hours=4, clock=clock)
    asker = make_user(session, clock)
    quick = make_thread(session, clock, author=asker, category=fast)
    normal = make_thread(session, clock, author=asker, category=slow)
    run_care(session, clock)
    assert session.get(CareThread, quick.id).due_at == clock.now() + timedelta(hours=4)
    assert session.get(CareThread, normal.id).due_at == clock.now() + timedelta(hours=24)


def test_changing_a_target_moves_the_deadlines_of_queued_threads(session, clock) -> None:
    admin = make_user(session, clock, role=Role.admin)
    category = make_category(session)
    thread = make_thread(session, clock, author=make_user(session, clock), category=category)
    run_care(session, clock)
    created = session.get(CareThread, thread.id).created_at
    clock.advance(hours=1)
    service_levels.set_target(session, Guardian(admin), category, hours=8, clock=clock)
    run_care(session, clock)
    session.expire_all()
    assert session.get(CareThread, thread.id).due_at == created + timedelta(hours=8)
    assert session.get(ServiceLevel, category.id).first_response_hours == 8


def test_only_admins_set_targets_and_only_sensible_ones(session, clock) -> None:
    category = make_category(session)
    moderator = make_user(session, clock, role=Role.moderator)
    admin = make_user(session, clock, role=Role.admin)
    with pytest.raises(Forbidden):
        service_levels.set_target(session, Guardian(moderator), category, hours=4, clock=clock)
    with pytest.raises(Invalid):
        service_levels.set_target(session, Guardian(admin), category, hours=0, clock=clock)
    with pytest.raises(Invalid):
        service_levels.parse_hours("abc")
    assert service_levels.parse_hours(" 12 ") == 12


def test_catch_up_builds_rows_for_threads_seeded_without_events(session, clock) -> None:
    asker = make_user(session, clock)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    assert session.get(CareThread, thread.id) is None  # the worker has not run
    assert care.catch_up(session, clock.now()) == 1
    session.commit()
    assert session.get(CareThread, thread.id).in_queue
    assert care.catch_up(session, clock.now()) == 0


def test_admins_edit_targets_with_a_small_form(session, clock, client) -> None:
    admin = make_user(session, clock, username="ada", role=Role.admin)
    category = make_category(session, slug="billing")
    login(client, admin)
    page = client.get("/mod/service-levels")
    assert page.status_code == 200 and "Billing" in page.text and "(default)" in page.text
    token = csrf_token(client)
    wrong = client.post(
        f"/mod/service-levels/{category.id}", data={"csrf_token": token, "hours": "0"}
    )
    assert wrong.status_code == 422
    assert "The target is a whole number of hours from 1 to 720." in wrong.text
    for hours in ("²", "6²"):  # digits to str.isdigit(), not to int()
        refused = client.post(
            f"/mod/service-levels/{category.id}", data={"csrf_token": token, "hours": hours}
        )
        assert refused.status_code == 422, hours
        assert 'id="hours-error-' in refused.text and "a whole number of hours" in refused.text
    saved = client.post(
        f"/mod/service-levels/{category.id}",
        data={"csrf_token": token, "hours": "6"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert session.get(ServiceLevel, category.id).first_response_hours == 6


def test_moderators_see_the_queue_but_not_the_service_level_form(session, clock, client) -> None:
    moderator = make_user(session, clock, role=Role.moderator)
    category = make_category(session)
    login(client, moderator)
    assert client.get("/mod/service-levels").status_code == 403
    response = client.post(
        f"/mod/service-levels/{category.id}", data={"csrf_token": csrf_token(client), "hours": "6"}
    )
    assert response.status_code == 403


def _queued(session: Session, thread: Thread) -> CareThread:
    session.expire_all()
    row = session.get(CareThread, thread.id)
    assert row is not None
    return row


def test_a_reply_hidden_by_a_moderator_answers_nobody(session, clock) -> None:
    asker, spammer = make_user(session, clock), make_user(session, clock)
    moderator = Guardian(make_user(session, clock, role=Role.moderator))
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    clock.advance(hours=1)
    spam = make_reply(session, clock, author=spammer, thread=thread, body="Buy cheap routers")
    run_care(session, clock)
    assert not _queued(session, thread).in_queue  # answered, as far as anyone could tell

    tools.hide_post(session, moderator, spam, clock=clock)
    run_care(session, clock)
    row = _queued(session, thread)
    assert row.in_queue and row.first_response_at is None

    tools.unhide_post(session, moderator, spam, clock=clock)  # it was an answer after all
    run_care(session, clock)
    row = _queued(session, thread)
    assert not row.in_queue and row.first_response_at == spam.created_at


def test_a_held_reply_unhidden_by_a_moderator_answers_the_thread(session, clock) -> None:
    asker, newcomer = make_user(session, clock), make_user(session, clock)
    moderator = Guardian(make_user(session, clock, role=Role.moderator))
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    clock.advance(hours=1)
    reply = make_reply(session, clock, author=newcomer, thread=thread, body="See https://x.org/fix")
    assert reply.is_hidden  # a newcomer's link waits for approval
    clock.advance(hours=29)  # the asker sees nothing all this time
    run_care(session, clock)
    assert _queued(session, thread).in_queue
    tools.unhide_post(session, moderator, reply, clock=clock)
    run_care(session, clock)
    row = _queued(session, thread)
    # answered when the customer could read it: 30 h after asking, past the 24 h target
    assert row.first_response_at == clock.now() and not row.in_queue
    assert row.first_reply_s == 30 * 3600


def test_a_merged_question_is_not_an_answer(session, clock) -> None:
    """Another customer's question merged in is more of the same question; a reply waiting for
    approval answers nobody, merged or not."""
    category = make_category(session)
    alice, bob, newcomer = (make_user(session, clock) for _ in range(3))
    moderator = Guardian(make_user(session, clock, role=Role.moderator))
    older = make_thread(session, clock, author=bob, category=category, title="Router drops")
    make_reply(session, clock, author=newcomer, thread=older, body="See https://x.org/fix")
    clock.advance(hours=2)
    target = make_thread(session, clock, author=alice, category=category, title="Fibre drops")
    clock.advance(hours=30)
    run_care(session, clock)
    assert _queued(session, target).in_queue

    tools.merge_thread(
        session, Guardian(moderator.user, now=clock.now()), older, into=target, clock=clock
    )
    run_care(session, clock)
    row = _queued(session, target)
    assert row.in_queue and row.first_response_at is None
    assert row.first_reply_s is None  # never a negative time in the care figures
