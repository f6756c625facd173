"""Notifications by e-mail, as a member sees them: what they missed on the site comes to their
inbox after a while, once, and never what they had already read, asked not to get, or may no
longer see."""

from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from sqlmodel import Session, select

from community import kudos, notification_mail, notifications
from community.clock import FrozenClock
from community.models import HiddenReason, Notification, Post, Role, Thread, User
from community.policy import Guardian
from community.settings import get_settings
from community.visibility import hide_post
from tests.conftest import Mailbox
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.helpers import sqlite_plan
from tests.mail_helpers import body, run_mailer
from tests.moderation.brand_helpers import client_for, submit

TITLE = "Il modem si spegne da solo"


def asked_and_answered(
    session: Session, clock: FrozenClock, *, asker_language: str = "en"
) -> tuple[User, Thread, Post]:
    asker = make_user(session, clock, username="giulia", language=asker_language)
    helper = make_user(session, clock, username="luca")
    thread = make_thread(session, clock, author=asker, category=make_category(session), title=TITLE)
    reply = make_reply(session, clock, author=helper, thread=thread)
    return asker, thread, reply


def to_giulia(mailbox: Mailbox) -> list[EmailMessage]:
    return [m for m in mailbox() if m["To"] == "Giulia <giulia@example.com>"]


def wait_out(clock: FrozenClock) -> None:
    clock.advance(minutes=get_settings().email_delay_minutes)


def test_an_answer_the_asker_has_not_seen_comes_by_email_once(session, clock, mailbox):
    _asker, thread, reply = asked_and_answered(session, clock)

    run_mailer(session, clock)
    assert to_giulia(mailbox) == []  # not yet: she may see it on the site first

    wait_out(clock)
    run_mailer(session, clock)
    (message,) = to_giulia(mailbox)
    assert message["Subject"] == f"Luca replied to {TITLE}"
    text = body(message)
    assert text.startswith("Hello Giulia,")
    assert f"http://127.0.0.1:8000/t/{thread.id}#post-{reply.id}" in text
    off = message["List-Unsubscribe"].strip().strip("<>")
    assert f"To stop these emails: {off}" in text

    clock.advance(hours=1)
    run_mailer(session, clock)
    assert len(to_giulia(mailbox)) == 1


def test_what_was_read_in_time_is_not_mailed(session, clock, mailbox):
    asker, _thread, _reply = asked_and_answered(session, clock)
    run_mailer(session, clock)
    notifications.mark_all_read(session, Guardian(asker), clock=clock)

    wait_out(clock)
    run_mailer(session, clock)
    assert to_giulia(mailbox) == []
    (notification,) = session.exec(select(Notification).where(Notification.user_id == asker.id))
    assert notification.mail_done_at is not None


def test_what_is_due_together_comes_in_one_message(session, clock, mailbox):
    _asker, thread, _reply = asked_and_answered(session, clock)
    sara = make_user(session, clock, username="sara")
    make_reply(session, clock, author=sara, thread=thread, body="Also check the power supply.")

    wait_out(clock)
    run_mailer(session, clock)
    (message,) = to_giulia(mailbox)
    assert message["Subject"] == "2 new notifications on Connettia"
    text = body(message)
    assert text.index(f"Luca replied to {TITLE}") < text.index(f"Sara replied to {TITLE}")


def test_kudos_stay_on_the_site(session, clock, mailbox):
    asker, _thread, reply = asked_and_answered(session, clock)
    kudos.toggle_kudos(session, Guardian(asker), reply, clock=clock)
    run_mailer(session, clock)
    luca_notes = session.exec(select(Notification).where(Notification.kind == "kudos")).all()
    assert len(luca_notes) == 1
    wait_out(clock)
    run_mailer(session, clock)
    assert [m["To"] for m in mailbox()] == ["Giulia <giulia@example.com>"]  # not Luca


def test_a_reply_hidden_meanwhile_is_not_mailed(session, clock, mailbox):
    _asker, _thread, reply = asked_and_answered(session, clock)
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    run_mailer(session, clock)
    hide_post(session, reply, reason=HiddenReason.moderator, by_id=moderator.id, now=clock.now())
    session.commit()

    wait_out(clock)
    run_mailer(session, clock)
    assert to_giulia(mailbox) == []


def test_an_italian_member_reads_italian(session, clock, mailbox):
    asked_and_answered(session, clock, asker_language="it")
    wait_out(clock)
    run_mailer(session, clock)
    (message,) = to_giulia(mailbox)
    assert message["Subject"] == f"Luca ha risposto nella discussione «{TITLE}»"
    assert body(message).startswith("Ciao Giulia,")


def test_the_member_turns_email_off_in_their_settings(app, session, clock, mailbox):
    asker, _thread, _reply = asked_and_answered(session, clock)
    browser = client_for(app, asker)
    page = browser.get("/settings").text
    assert 'name="email_notifications" role="switch" checked' in page
    assert "Your address is giulia@example.com." in page

    saved = submit(browser, "/settings/email", {})  # the box unticked
    assert saved.status_code == 303
    page = browser.get(saved.headers["location"]).text
    assert "Your email choice has been saved." in page
    assert 'name="email_notifications" role="switch" aria-describedby' in page

    wait_out(clock)
    run_mailer(session, clock)
    assert to_giulia(mailbox) == []

    submit(browser, "/settings/email", {"email_notifications": "on"})
    session.refresh(asker)
    assert asker.email_notifications


def test_the_link_in_a_message_turns_email_off_after_asking(app, session, clock, mailbox):
    asker, thread, _reply = asked_and_answered(session, clock)
    wait_out(clock)
    run_mailer(session, clock)
    off = urlsplit(to_giulia(mailbox)[0]["List-Unsubscribe"].strip().strip("<>")).path

    stranger = client_for(app)  # the link works without signing in
    question = stranger.get(off)
    assert question.status_code == 200
    assert "Stop emailing giulia about replies" in question.text
    session.refresh(asker)
    assert asker.email_notifications  # opening the link changes nothing

    done = submit(stranger, off)
    assert done.status_code == 200
    assert "giulia gets no more notification emails" in done.text
    session.refresh(asker)
    assert not asker.email_notifications

    make_reply(session, clock, author=make_user(session, clock), thread=thread)
    wait_out(clock)
    run_mailer(session, clock)
    assert len(to_giulia(mailbox)) == 1


def test_a_tampered_link_changes_nothing(app, session, clock):
    asker = make_user(session, clock, username="giulia")
    good = notification_mail.unsubscribe_url(get_settings(), asker)
    other = make_user(session, clock, username="sara")
    forged = urlsplit(good).path.replace(".", f"{other.id}.", 1)

    response = submit(client_for(app), forged)
    assert response.status_code == 404
    assert "This link is not one of ours" in response.text
    session.refresh(other)
    assert other.email_notifications


def test_another_member_cannot_change_someone_elses_choice(app, session, clock):
    giulia = make_user(session, clock, username="giulia")
    intruder = make_user(session, clock, username="intruder")
    with_intruder = client_for(app, intruder)
    submit(with_intruder, "/settings/email", {})
    session.refresh(giulia)
    session.refresh(intruder)
    assert giulia.email_notifications and not intruder.email_notifications


@pytest.mark.sqlite_only
def test_the_mailer_reads_only_the_rows_it_has_still_to_decide_about(session):
    plan = sqlite_plan(session, notification_mail._due(FrozenClock().now(), 200))
    assert "USING INDEX ix_notification_mail_due" in plan
