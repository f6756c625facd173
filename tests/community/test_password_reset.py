"""Forgotten passwords, as a member sees them: the link by e-mail, choosing a new password with it,
and everything that must not work (someone else's address, an old or used link, a weak password)."""

import hashlib
import re
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import select

from community.clock import FrozenClock
from community.events import OutboxDelivery
from community.models import PasswordResetToken
from community.settings import CommunitySettings, get_settings
from tests.conftest import drain
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_token, login
from tests.mail_helpers import body
from tests.moderation.brand_helpers import client_for, submit

NEW_PASSWORD = "a brand new long password"
LINK = re.compile(r"https?://\S+(/password/reset/[A-Za-z0-9_-]+)")


def link_in(message: EmailMessage) -> str:
    match = LINK.search(body(message))
    assert match is not None, body(message)
    return match.group(1)


def ask_for_link(client: TestClient, login_name: str) -> str:
    response = submit(client, "/password/forgot", {"login": login_name})
    assert response.status_code == 200, response.text
    return response.text


def is_signed_in(client: TestClient) -> bool:
    status: int = client.get("/settings", follow_redirects=False).status_code
    return status == 200


def choose(client: TestClient, path: str, password: str, again: str | None = None):
    return submit(
        client, path, {"new_password": password, "new_password_confirm": again or password}
    )


def test_the_login_page_offers_a_new_password(client):
    page = client.get("/login").text
    assert 'href="/password/forgot"' in page
    assert "Forgot your password?" in client.get("/password/forgot").text


def test_a_member_gets_a_link_by_email_and_chooses_a_new_password(
    app, client, session, clock, mailbox
):
    giulia = make_user(session, clock, username="giulia")
    elsewhere = client_for(app, giulia)  # signed in on another device

    page = ask_for_link(client, "Giulia@Example.com ")
    assert "Check your email" in page
    drain(session, clock)

    (message,) = mailbox()
    assert message["To"] == "Giulia <giulia@example.com>"
    assert message["Subject"] == "Choose a new password for Connettia"
    assert "Hello Giulia," in body(message)
    assert "within 60 minutes" in body(message)
    path = link_in(message)

    form = client.get(path)
    assert form.status_code == 200
    assert form.headers["referrer-policy"] == "no-referrer"
    assert 'name="new_password"' in form.text

    done = choose(client, path, NEW_PASSWORD)
    assert done.status_code == 303
    assert "Your new password is set, and you are logged in." in client.get("/").text
    assert is_signed_in(client)
    assert not is_signed_in(elsewhere)

    fresh = client_for(app)
    refused = fresh.post(
        "/login",
        data={"csrf_token": csrf_token(fresh), "username": "giulia", "password": PASSWORD},
    )
    assert refused.status_code == 422
    login(fresh, "giulia", NEW_PASSWORD)

    again = client_for(app).get(path)
    assert again.status_code == 410
    assert "has expired or has already been used" in again.text

    drain(session, clock)
    _, notice = mailbox()
    assert notice["Subject"] == "Your Connettia password was changed"
    assert "every other browser signed in to the account was signed out" in body(notice)


def test_the_database_never_holds_a_working_link(client, session, clock, mailbox):
    make_user(session, clock, username="luca")
    ask_for_link(client, "luca")
    drain(session, clock)

    token = link_in(mailbox()[0]).rsplit("/", 1)[1]
    (row,) = session.exec(select(PasswordResetToken)).all()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash


def test_asking_for_someone_who_does_not_exist_looks_the_same_and_sends_nothing(
    client, session, clock, mailbox
):
    make_user(session, clock, username="sara")
    known = ask_for_link(client, "sara")
    unknown = ask_for_link(client, "nobody-here")
    drain(session, clock)

    assert known.replace("sara", "X") == unknown.replace("nobody-here", "X")
    assert [m["To"] for m in mailbox()] == ["Sara <sara@example.com>"]


def test_an_empty_request_is_refused_next_to_the_field(client):
    response = submit(client, "/password/forgot", {"login": "  "})
    assert response.status_code == 422
    assert "Enter your username or email address." in response.text
    assert 'aria-invalid="true"' in response.text


def test_requests_are_rate_limited(client, session, clock, mailbox):
    make_user(session, clock, username="marco")
    for _ in range(get_settings().password_reset_limit_per_hour):
        ask_for_link(client, "marco")
    response = submit(client, "/password/forgot", {"login": "marco"})
    assert response.status_code == 429
    assert "Too many requests for a new password" in response.text


def test_a_link_expires_after_an_hour(client, session, clock: FrozenClock, mailbox):
    make_user(session, clock, username="anna")
    ask_for_link(client, "anna")
    drain(session, clock)
    path = link_in(mailbox()[0])

    clock.advance(minutes=59)
    assert client.get(path).status_code == 200
    clock.advance(minutes=1)
    expired = choose(client, path, NEW_PASSWORD)
    assert expired.status_code == 410
    assert "Ask for a new one below." in expired.text
    assert 'action="/password/forgot"' in expired.text


def test_a_refused_password_keeps_the_link_working(client, session, clock, mailbox):
    make_user(session, clock, username="paolo")
    ask_for_link(client, "paolo")
    drain(session, clock)
    path = link_in(mailbox()[0])

    short = choose(client, path, "short")
    assert short.status_code == 422
    assert 'id="f-new_password-error"' in short.text
    mismatch = choose(client, path, NEW_PASSWORD, "another password entirely")
    assert "The two new passwords do not match." in mismatch.text
    assert not is_signed_in(client)

    assert choose(client, path, NEW_PASSWORD).status_code == 303


def test_a_new_link_and_a_password_change_use_up_every_open_link(client, session, clock, mailbox):
    make_user(session, clock, username="elena")
    ask_for_link(client, "elena")
    ask_for_link(client, "elena")
    drain(session, clock)
    first, second = (link_in(m) for m in mailbox())

    assert choose(client, second, NEW_PASSWORD).status_code == 303
    assert client_for(client.app).get(first).status_code == 410


def test_an_unknown_token_is_a_dead_link(client):
    response = client.get("/password/reset/not-a-token")
    assert response.status_code == 410
    assert response.headers["referrer-policy"] == "no-referrer"


def test_a_deactivated_account_gets_no_link(client, session, clock, mailbox):
    user = make_user(session, clock, username="gone")
    user.is_active = False
    session.add(user)
    session.commit()
    ask_for_link(client, "gone")
    drain(session, clock)
    assert mailbox() == []


def test_an_italian_member_reads_italian(client, session, clock, mailbox):
    make_user(session, clock, username="chiara", language="it")
    ask_for_link(client, "chiara")
    drain(session, clock)
    (message,) = mailbox()
    assert message["Subject"] == "Scegli una nuova password per Connettia"
    assert "Ciao Chiara," in body(message)


def test_changing_the_password_in_settings_sends_a_notice(app, session, clock, mailbox):
    user = make_user(session, clock, username="bruno")
    browser = client_for(app, user)
    changed = submit(
        browser,
        "/settings/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 303
    drain(session, clock)
    (notice,) = mailbox()
    assert notice["Subject"] == "Your Connettia password was changed"
    assert "/password/forgot" in body(notice)


# Over SMTP ---------------------------------------------------------------------------------------


def test_links_go_out_over_smtp(client, session, clock, smtp_server, mailbox):
    make_user(session, clock, username="giorgio")
    ask_for_link(client, "giorgio")
    drain(session, clock)

    (message,) = smtp_server.messages
    assert message["To"] == "Giorgio <giorgio@example.com>"
    assert message["From"] == "Connettia <noreply@127.0.0.1>"
    assert client.get(link_in(message)).status_code == 200
    assert mailbox() == []


def test_a_server_that_is_down_gets_the_message_later(client, session, clock, monkeypatch, mailbox):
    make_user(session, clock, username="rita")
    monkeypatch.setenv("PEERDESK_SMTP_URL", "smtp://127.0.0.1:9")  # nothing listens on discard
    get_settings.cache_clear()
    try:
        ask_for_link(client, "rita")
        drain(session, clock)
        (delivery,) = session.exec(
            select(OutboxDelivery).where(OutboxDelivery.consumer == "mail")
        ).all()
        assert delivery.done_at is None
        assert delivery.attempts == 1
        assert "MailNotSent" in (delivery.last_error or "")
    finally:
        monkeypatch.delenv("PEERDESK_SMTP_URL")
        get_settings.cache_clear()

    clock.advance(seconds=3)  # past the first backoff; the pickup directory takes it now
    drain(session, clock)
    (message,) = mailbox()
    session.refresh(delivery)
    assert delivery.done_at is not None
    assert client.get(link_in(message)).status_code == 200


def test_a_mailbox_that_does_not_exist_is_not_retried(client, session, clock, smtp_server):
    make_user(session, clock, username="ghost")
    smtp_server.refuse.add("ghost@example.com")
    ask_for_link(client, "ghost")
    drain(session, clock)

    (delivery,) = session.exec(select(OutboxDelivery).where(OutboxDelivery.consumer == "mail"))
    assert delivery.done_at is not None and delivery.attempts == 0
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    "url", ["http://mail.example.com", "smtp://", "mail.example.com:25", "smtps:/x"]
)
def test_a_mistyped_smtp_address_stops_the_start_with_a_clear_message(url):
    with pytest.raises(ValidationError, match="PEERDESK_SMTP_URL must look like smtp://host:25"):
        CommunitySettings(smtp_url=url)


def test_the_sender_defaults_to_the_brand_at_the_public_address():
    settings = CommunitySettings(public_url="https://community.connettia.it/")
    assert settings.public_url == "https://community.connettia.it"
    assert settings.sender == "Connettia <noreply@community.connettia.it>"
    assert CommunitySettings(mail_from="Care <care@x.it>").sender == "Care <care@x.it>"
