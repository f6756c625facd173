"""/api/v1/admin/outbox: the figures of /mod/outbox for an admin's script, and the retry. Admins
only, with an API token or the session (and its CSRF header); moderators and members 403,
anonymous clients 401; a consumer that does not exist is a 422 that names those there are."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from community import events
from community.clock import FrozenClock
from community.models import Role, User
from moderation.models import AuditEntry
from tests.conftest import drain
from tests.factories import api_headers, make_user
from tests.moderation.brand_helpers import api_post, client_for
from tests.moderation.outbox_helpers import (
    MailServer,
    mail_deliveries,
    mail_server_with_a_wrong_password,
    park_a_reset_mail,
)

URL = "/api/v1/admin/outbox"


@pytest.fixture
def mail_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[MailServer]:
    with mail_server_with_a_wrong_password(monkeypatch) as server:
        yield server


@pytest.fixture
def parked(
    client: TestClient, session: Session, clock: FrozenClock, mail_server: MailServer
) -> None:
    """Giulia's reset mail, parked after the server refused every attempt."""
    make_user(session, clock, username="giulia")
    park_a_reset_mail(client, session, clock, "giulia")


def _retries(session: Session) -> list[AuditEntry]:
    session.expire_all()
    query = select(AuditEntry).where(col(AuditEntry.action) == "retry_parked_deliveries")
    return list(session.exec(query))


def test_an_admins_token_reads_every_consumer_and_the_parked_failure(
    client: TestClient, session: Session, clock: FrozenClock, admin: User, parked: None
) -> None:
    answer = client.get(URL, headers=api_headers(session, clock, admin))
    assert answer.status_code == 200
    body = answer.json()
    assert body["max_attempts"] == events.MAX_ATTEMPTS
    names = [c["consumer"] for c in body["consumers"]]
    assert names == ["mail", *sorted(set(events.registry.consumers) - {"mail"})]  # mail first
    consumers = {c["consumer"]: c for c in body["consumers"]}
    assert consumers["mail"] == {
        "consumer": "mail",
        "description": "E-mail: password resets, address confirmations, notification digests",
        "waiting": 0,
        "retrying": 0,
        "parked": 1,
        "oldest_at": None,  # nothing of mail is in line: the one delivery is parked
        "oldest_age_seconds": None,
        "needs_attention": True,
    }
    assert consumers["search"]["needs_attention"] is False
    (failure,) = body["failures"]
    (delivery,) = mail_deliveries(session)
    assert failure["consumer"] == "mail" and failure["event_id"] == delivery.event_id
    assert failure["event_name"] == "password_reset_requested"
    assert failure["attempts"] == events.MAX_ATTEMPTS
    assert failure["parked"] is True and failure["retry_at"] is None
    assert failure["parked_at"] is not None and failure["event_at"] is not None
    assert failure["error"].startswith("MailNotSent: SMTPAuthenticationError: (535")
    assert "<https://mail.example.com/badlogin>" in failure["error"]  # JSON: the raw text


def test_a_retry_puts_it_back_in_line_and_a_second_finds_nothing(
    client: TestClient, session: Session, clock: FrozenClock, admin: User, parked: None
) -> None:
    headers = api_headers(session, clock, admin)
    answer = client.post(f"{URL}/retry", json={"consumer": "mail"}, headers=headers)
    assert answer.status_code == 200
    assert answer.json() == {"consumer": "mail", "put_back": 1}
    clock.advance(minutes=5)
    mail = next(
        c for c in client.get(URL, headers=headers).json()["consumers"] if c["consumer"] == "mail"
    )
    assert (mail["waiting"], mail["parked"], mail["needs_attention"]) == (1, 0, False)
    assert mail["oldest_age_seconds"] == (2 * events.MAX_ATTEMPTS) * 3600 + 300

    again = client.post(f"{URL}/retry", json={"consumer": "mail"}, headers=headers)
    assert again.json() == {"consumer": "mail", "put_back": 0}
    assert len(_retries(session)) == 1  # only the retry that moved something


def test_a_retry_without_a_body_takes_every_consumer(
    client: TestClient, session: Session, clock: FrozenClock, admin: User, parked: None
) -> None:
    answer = client.post(f"{URL}/retry", headers=api_headers(session, clock, admin))
    assert answer.status_code == 200 and answer.json() == {"consumer": None, "put_back": 1}
    drain(session, clock)
    (delivery,) = mail_deliveries(session)
    assert delivery.attempts == 1  # tried again at once (and refused again: still wrong)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"consumer": "mailer"}, "There is no consumer called mailer. The consumers are: audit,"),
        ({"consumer": ""}, "String should have at least 1 character"),
        ({"consumers": "mail"}, "Extra inputs are not permitted"),
        ({"consumer": 3}, "Input should be a valid string"),
    ],
)
def test_a_bad_retry_is_a_422_that_says_why(
    client: TestClient,
    session: Session,
    clock: FrozenClock,
    admin: User,
    parked: None,
    payload: dict[str, object],
    message: str,
) -> None:
    answer = client.post(f"{URL}/retry", json=payload, headers=api_headers(session, clock, admin))
    assert answer.status_code == 422
    assert message in answer.text
    assert [d.parked_at is not None for d in mail_deliveries(session)] == [True]


def test_the_session_works_with_its_csrf_header_and_not_without(
    app, session: Session, admin: User, parked: None
) -> None:
    browser = client_for(app, admin)
    assert browser.get(URL).status_code == 200
    refused = browser.post(f"{URL}/retry", json={"consumer": "mail"})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert [d.parked_at is not None for d in mail_deliveries(session)] == [True]
    answer = api_post(browser, f"{URL}/retry", {"consumer": "mail"})
    assert answer.status_code == 200 and answer.json()["put_back"] == 1


@pytest.mark.parametrize("role", [Role.moderator, Role.member])
def test_moderators_and_members_get_403(
    app, client: TestClient, session: Session, clock: FrozenClock, parked: None, role: Role
) -> None:
    user = make_user(session, clock, username="sara", role=role)
    headers = api_headers(session, clock, user)
    assert client.get(URL, headers=headers).status_code == 403
    for payload in ({"consumer": "mail"}, {"consumer": "mailer"}, {}):
        answer = client.post(f"{URL}/retry", json=payload, headers=headers)
        assert answer.status_code == 403, payload
        assert answer.json()["detail"] == (
            "Only administrators can see and retry the background deliveries."
        )
    browser = client_for(app, user)
    assert browser.get(URL).status_code == 403
    assert api_post(browser, f"{URL}/retry", {"consumer": "mail"}).status_code == 403
    assert [d.parked_at is not None for d in mail_deliveries(session)] == [True]
    assert _retries(session) == []


def test_anonymous_clients_get_401(client: TestClient, session: Session, parked: None) -> None:
    assert client.get(URL).status_code == 401
    assert client.post(f"{URL}/retry", json={"consumer": "mail"}).status_code == 401
    assert client.get(URL, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert [d.parked_at is not None for d in mail_deliveries(session)] == [True]
