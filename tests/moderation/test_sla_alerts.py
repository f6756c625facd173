"""A moderator who claimed a thread hears, once, when it comes close to missing its
first-response target: on the site, and by email if they have not looked in time."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from community import events, notifications
from community.clock import FrozenClock
from community.models import Notification, Role, Thread, User
from community.policy import Guardian
from moderation import claims, sla_alerts
from moderation.service_levels import default_target
from tests.conftest import Mailbox, drain
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.mail_helpers import body, run_mailer
from tests.moderation.brand_helpers import client_for

TITLE = "Fibra ferma da ieri"


@pytest.fixture
def mara(session: Session, clock: FrozenClock) -> User:
    return make_user(session, clock, username="mara", role=Role.moderator, language="en")


@pytest.fixture
def thread(session: Session, clock: FrozenClock) -> Thread:
    asker = make_user(session, clock, username="asker")
    return make_thread(session, clock, author=asker, category=make_category(session), title=TITLE)


def alerts(session: Session, user: User) -> list[Notification]:
    session.expire_all()
    return list(
        session.exec(
            select(Notification).where(
                Notification.user_id == user.id, Notification.kind == "sla_at_risk"
            )
        )
    )


def run_care(session: Session, clock: FrozenClock) -> None:
    """The care consumer as an idle worker runs it: its events, then its background step."""
    drain(session, clock)
    consumer = events.registry.consumers["care"]
    while events.catch_up(session, consumer, now=clock.now()):
        pass


def until_at_risk(clock: FrozenClock, *, less: timedelta = timedelta(0)) -> None:
    clock.advance(default_target() * 3 / 4 - less)


def test_the_claimer_hears_once_when_the_thread_comes_at_risk(session, clock, mara, thread):
    claims.claim(session, Guardian(mara), thread, clock=clock)
    until_at_risk(clock, less=timedelta(seconds=1))
    run_care(session, clock)
    assert alerts(session, mara) == []

    clock.advance(seconds=1)
    run_care(session, clock)
    (alert,) = alerts(session, mara)
    assert alert.thread_id == thread.id
    assert [e.name for e in session.exec(select(events.OutboxEvent))][-1] == "thread_at_risk"

    clock.advance(hours=1)
    run_care(session, clock)
    assert len(alerts(session, mara)) == 1


def test_the_alert_reads_as_the_notification_list_shows_it(app, session, clock, mara, thread):
    claims.claim(session, Guardian(mara), thread, clock=clock)
    until_at_risk(clock)
    run_care(session, clock)
    page = client_for(app, mara).get("/notifications").text
    assert f"{TITLE}, which you claimed, is close to missing its first-response target" in page
    item = notifications.load_item(session, alerts(session, mara)[0], Guardian(mara))
    assert item.target_url == f"/t/{thread.id}"


def test_it_comes_by_email_when_not_seen(session, clock, mara, thread, mailbox: Mailbox):
    claims.claim(session, Guardian(mara), thread, clock=clock)
    until_at_risk(clock)
    run_care(session, clock)
    clock.advance(minutes=10)
    run_mailer(session, clock)
    (message,) = [m for m in mailbox() if m["To"] == "Mara <mara@example.com>"]
    assert message["Subject"] == (
        f"{TITLE}, which you claimed, is close to missing its first-response target"
    )
    assert f"http://127.0.0.1:8000/t/{thread.id}" in body(message)


def test_an_unclaimed_or_answered_thread_tells_nobody(session, clock, mara, thread):
    other = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    claims.claim(session, Guardian(mara), other, clock=clock)
    make_reply(session, clock, author=mara, thread=other)  # official: meets any thread's target
    until_at_risk(clock, less=timedelta(minutes=-5))
    run_care(session, clock)
    assert alerts(session, mara) == []  # ``thread`` is unclaimed, ``other`` was answered


def test_a_thread_passed_on_tells_its_new_assignee(session, clock, mara, thread):
    luca = make_user(session, clock, username="luca", role=Role.moderator)
    claims.claim(session, Guardian(mara), thread, clock=clock)
    until_at_risk(clock)
    run_care(session, clock)
    claims.assign(session, Guardian(mara), thread, to=luca, clock=clock)
    run_care(session, clock)
    assert len(alerts(session, mara)) == 1
    assert len(alerts(session, luca)) == 1


def test_the_idle_step_does_nothing_when_no_claimed_thread_is_at_risk(session, clock, mara, thread):
    claims.claim(session, Guardian(mara), thread, clock=clock)
    run_care(session, clock)
    assert sla_alerts.alert_due(session, clock.now()) == 0
