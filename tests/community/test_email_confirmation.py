"""Confirmed e-mail addresses, as a member sees them: the link after signing up, changing the
address (which changes only once the new one is confirmed), and the links that must not work."""

import re
from email.message import EmailMessage

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from community import accounts, email_confirmation
from community.clock import FrozenClock
from community.models import User
from community.policy import OperatorGuardian
from tests.conftest import Mailbox, drain
from tests.factories import PASSWORD, make_category, make_reply, make_thread, make_user
from tests.helpers import login
from tests.mail_helpers import body, run_mailer
from tests.moderation.brand_helpers import client_for, submit

CONFIRM_LINK = re.compile(r"https?://\S+(/email/confirm/[A-Za-z0-9_-]+)")


def link_in(message: EmailMessage) -> str:
    match = CONFIRM_LINK.search(body(message))
    assert match is not None, body(message)
    return match.group(1)


def sign_up(client: TestClient, username: str = "marta") -> None:
    response = submit(
        client,
        "/signup",
        {
            "username": username,
            "email": f"{username}@example.com",
            "display_name": username.capitalize(),
            "password": "a long enough password",
        },
    )
    assert response.status_code == 303, response.text


def member(session: Session, username: str) -> User:
    session.expire_all()
    return session.exec(select(User).where(User.username == username)).one()


def test_a_new_member_confirms_their_address_from_the_link(
    client, session, clock, mailbox: Mailbox
):
    sign_up(client)
    assert "We have sent a link to marta@example.com" in client.get("/").text
    assert "Not confirmed yet" in client.get("/settings").text
    drain(session, clock)

    (message,) = mailbox()
    assert message["To"] == "Marta <marta@example.com>"
    assert message["Subject"] == "Confirm your email address for Connettia"
    path = link_in(message)

    question = client_for(client.app).get(path)  # any browser: the link is the proof
    assert "Is marta@example.com your address?" in question.text
    assert question.headers["referrer-policy"] == "no-referrer"
    assert member(session, "marta").email_verified_at is None  # opening it changes nothing

    done = submit(client_for(client.app), path)
    assert "marta@example.com is confirmed" in done.text
    assert member(session, "marta").email_verified_at == clock.now()
    assert "Confirmed" in client.get("/settings").text
    assert submit(client, path).status_code == 410


def test_notifications_wait_for_a_confirmed_address(client, session, clock, mailbox: Mailbox):
    sign_up(client)
    drain(session, clock)
    marta = member(session, "marta")
    thread = make_thread(session, clock, author=marta, category=make_category(session))
    make_reply(session, clock, author=make_user(session, clock), thread=thread)

    clock.advance(minutes=10)
    run_mailer(session, clock)
    assert [m["Subject"] for m in mailbox()] == ["Confirm your email address for Connettia"]

    submit(client, link_in(mailbox()[0]))
    make_reply(session, clock, author=make_user(session, clock), thread=thread)
    clock.advance(minutes=10)
    run_mailer(session, clock)
    assert [m["To"] for m in mailbox()].count("Marta <marta@example.com>") == 2


def change(client: TestClient, email: str, password: str = PASSWORD):
    return submit(client, "/settings/email/address", {"email": email, "password": password})


def test_a_new_address_counts_once_it_is_confirmed(app, session, clock, mailbox: Mailbox):
    giulia = make_user(session, clock, username="giulia", language="en")
    browser = client_for(app, giulia)

    asked = change(browser, "Giulia.New@Example.com")
    assert asked.status_code == 303
    assert "Your address changes when you open it." in browser.get("/settings").text
    drain(session, clock)
    (message,) = mailbox()
    assert message["To"] == "Giulia <giulia.new@example.com>"
    assert member(session, "giulia").email == "giulia@example.com"  # not yet

    submit(client_for(app), link_in(message))
    assert member(session, "giulia").email == "giulia.new@example.com"
    drain(session, clock)
    _, notice = mailbox()
    assert notice["To"] == "Giulia <giulia@example.com>"  # the old address hears of it
    assert "is now giulia.new@example.com" in body(notice)
    login(client_for(app), "giulia.new@example.com")


def test_a_change_is_refused_next_to_the_field(app, session, clock, mailbox: Mailbox):
    giulia = make_user(session, clock, username="giulia")
    make_user(session, clock, username="luca")
    browser = client_for(app, giulia)

    wrong = change(browser, "g@example.com", password="not my password")
    assert wrong.status_code == 422
    assert "Your current password is not correct." in wrong.text
    assert "<details open>" in wrong.text
    taken = change(browser, "luca@example.com")
    assert taken.status_code == 409
    assert "An account with this email address already exists." in taken.text
    same = change(browser, "giulia@example.com")
    assert "This is your email address already." in same.text
    invalid = change(browser, "not-an-address")
    assert 'id="f-email-error"' in invalid.text
    assert 'value="not-an-address"' in invalid.text

    drain(session, clock)
    assert mailbox() == []


def test_an_address_taken_meanwhile_is_not_stolen(app, session, clock, mailbox: Mailbox):
    giulia = make_user(session, clock, username="giulia")
    change(client_for(app, giulia), "shared@example.com")
    drain(session, clock)
    path = link_in(mailbox()[0])
    sign_up(client_for(app), "shared")  # takes shared@example.com first

    refused = submit(client_for(app), path)
    assert refused.status_code == 409
    assert "Another account has taken shared@example.com since you asked." in refused.text
    assert member(session, "giulia").email == "giulia@example.com"


def test_a_link_to_an_old_address_dies_with_the_change(app, client, session, clock, mailbox):
    sign_up(client)
    drain(session, clock)
    first = link_in(mailbox()[0])
    change(client, "marta.two@example.com", password="a long enough password")
    drain(session, clock)
    submit(client, link_in(mailbox()[1]))

    assert submit(client, first).status_code == 410
    assert member(session, "marta").email == "marta.two@example.com"


def test_the_link_can_be_sent_again_a_few_times(client, session, clock, mailbox: Mailbox):
    sign_up(client)
    for _ in range(email_confirmation.REQUESTS_PER_HOUR):
        assert submit(client, "/settings/email/confirm-again").status_code == 303
    too_many = submit(client, "/settings/email/confirm-again")
    assert too_many.status_code == 429
    assert "Too many confirmation emails." in too_many.text
    drain(session, clock)
    assert len(mailbox()) == 1 + email_confirmation.REQUESTS_PER_HOUR


def test_a_confirmed_address_needs_no_link(app, session, clock):
    browser = client_for(app, make_user(session, clock, username="giulia"))
    response = submit(browser, "/settings/email/confirm-again")
    assert response.status_code == 422
    assert "Your email address is confirmed already." in response.text


def test_a_link_expires_after_a_week(client, session, clock: FrozenClock, mailbox: Mailbox):
    sign_up(client)
    drain(session, clock)
    path = link_in(mailbox()[0])
    clock.advance(days=email_confirmation.CONFIRM_VALID_DAYS)
    expired = client.get(path)
    assert expired.status_code == 410
    assert "Your settings can send a new one." in expired.text


def test_an_administrator_made_by_the_operator_needs_no_link(session, clock, mailbox: Mailbox):
    admin = accounts.create_admin(
        session,
        OperatorGuardian(),
        username="boss",
        email="boss@example.com",
        password="a long enough password",
        clock=clock,
    )
    drain(session, clock)
    assert admin.email_verified_at is not None
    assert mailbox() == []


def test_changes_are_rate_limited_before_any_address_is_looked_up(app, session, clock):
    browser = client_for(app, make_user(session, clock, username="giulia"))
    for n in range(email_confirmation.REQUESTS_PER_HOUR):
        change(browser, f"probe{n}@example.com")
    refused = change(browser, "luca@example.com")
    assert refused.status_code == 429
    assert "Too many confirmation emails." in refused.text


def test_the_api_says_whether_the_address_is_confirmed_and_mailed(client, session, clock):
    sign_up(client)
    me = client.get("/api/v1/me").json()
    assert (me["email_confirmed"], me["email_notifications"]) == (False, True)
