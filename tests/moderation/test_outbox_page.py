"""/mod/outbox as an admin uses it: the mail server refuses the SMTP password, the reset mail is
retried, then parked; the page shows it with the server's words; once the password is fixed,
"Retry parked deliveries" puts it back in line, it goes out, and the audit log keeps who did it.
Nobody else gets in."""

import html
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from community import events
from community.clock import FrozenClock
from community.errors import Forbidden, NotAuthenticated
from community.models import Role, User
from community.policy import Guardian
from moderation import audit, outbox_health
from moderation.models import AuditEntry
from tests.conftest import drain
from tests.factories import make_user
from tests.moderation.brand_helpers import client_for, submit
from tests.moderation.outbox_helpers import (
    RIGHT_PASSWORD,
    MailServer,
    cells,
    element,
    mail_deliveries,
    mail_server_with_a_wrong_password,
    park_a_reset_mail,
    row,
    use_smtp,
)


@pytest.fixture
def mail_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[MailServer]:
    with mail_server_with_a_wrong_password(monkeypatch) as server:
        yield server


@pytest.fixture
def giulia(session: Session, clock: FrozenClock) -> User:
    return make_user(session, clock, username="giulia")


def _retries(session: Session) -> list[AuditEntry]:
    session.expire_all()
    query = select(AuditEntry).where(col(AuditEntry.action) == "retry_parked_deliveries")
    return list(session.exec(query))


def test_an_admin_sees_the_mail_being_retried_then_parked_with_the_servers_words(
    client: TestClient,
    admin_client: TestClient,
    session: Session,
    clock: FrozenClock,
    giulia: User,
    mail_server: MailServer,
) -> None:
    page = admin_client.get("/mod/outbox")
    assert page.status_code == 200
    assert 'class="consumer-ok"' in row(page.text, "consumer-mail")
    assert "No delivery is failing." in page.text and "Nothing is parked." in page.text

    assert submit(client, "/password/forgot", {"login": "giulia"}).status_code == 200
    drain(session, clock)
    page = admin_client.get("/mod/outbox").text
    mail = row(page, "consumer-mail")
    assert 'class="consumer-retrying"' in mail
    assert cells(mail)[1:4] == ["0", "1", "0"]  # waiting, being retried, parked
    assert "/mod/outbox/retry" not in mail  # nothing parked yet to retry
    (delivery,) = mail_deliveries(session)
    failure = row(page, f"failure-mail-{delivery.event_id}")
    assert "<code>password_reset_requested</code>" in failure and "Being retried" in failure

    for _ in range(events.MAX_ATTEMPTS):
        clock.advance(hours=2)
        drain(session, clock)
    page = admin_client.get("/mod/outbox").text
    mail = row(page, "consumer-mail")
    assert 'class="consumer-parked"' in mail
    assert '<strong class="chip parked-chip">1</strong>' in mail
    assert 'name="consumer" value="mail"' in mail and "Retry parked deliveries" in mail
    assert 'class="consumer-ok"' in row(page, "consumer-search")  # the others stay quiet
    assert page.index('id="consumer-mail"') < page.index('id="consumer-audit"')  # on top
    failure = row(page, f"failure-mail-{delivery.event_id}")
    assert cells(failure)[1:4] == ["mail", str(events.MAX_ATTEMPTS), "Parked 2 hours ago"]
    # The server's answer, escaped: its link reads as text, never as markup.
    assert "SMTPAuthenticationError: (535" in failure
    assert "&lt;https://mail.example.com/badlogin&gt;" in failure
    assert "<https://mail.example.com" not in page
    assert "Retry the 1 parked delivery" in element(page, "retry-all", "form")
    assert mail_server.messages == []


def test_retrying_puts_the_mail_back_and_it_goes_out_once_the_password_is_fixed(
    app: FastAPI,
    client: TestClient,
    admin: User,
    admin_client: TestClient,
    session: Session,
    clock: FrozenClock,
    giulia: User,
    mail_server: MailServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    park_a_reset_mail(client, session, clock, "giulia")
    use_smtp(monkeypatch, mail_server.url(RIGHT_PASSWORD))  # the operator fixes the password

    answer = submit(admin_client, "/mod/outbox/retry", {"consumer": "mail"})
    assert answer.status_code == 303 and answer.headers["location"] == "/mod/outbox"
    page = admin_client.get("/mod/outbox").text
    assert "1 parked delivery of mail put back in line." in page
    mail = row(page, "consumer-mail")
    assert 'class="consumer-ok"' in mail and cells(mail)[1:5] == ["1", "0", "0", "1 day ago"]
    (delivery,) = mail_deliveries(session)
    assert delivery.parked_at is None and delivery.attempts == 0

    drain(session, clock)
    (message,) = mail_server.messages
    assert message["To"] == "Giulia <giulia@example.com>"
    (delivery,) = mail_deliveries(session)
    assert delivery.done_at is not None
    assert "No delivery is failing." in admin_client.get("/mod/outbox").text

    (entry,) = _retries(session)
    assert entry.actor_id == admin.id and entry.target_type == "outbox"
    assert audit.loads(entry.before) == {
        "consumer": "mail",
        "waiting": 0,
        "retrying": 0,
        "parked": 1,
    }
    assert audit.loads(entry.after) == {
        "consumer": "mail",
        "waiting": 1,
        "retrying": 0,
        "parked": 0,
    }
    log = admin_client.get("/mod/audit", params={"action": "retry_parked_deliveries"}).text
    logged = html.unescape(row(log, f"audit-{entry.id}"))
    assert "Put parked deliveries back in line" in logged
    assert '<a href="/mod/outbox">background deliveries</a>: <code>mail</code>' in logged
    assert "Waiting:</dt><dd>0 → 1" in logged and "Parked:</dt><dd>1 → 0" in logged


def test_retrying_all_in_italian_counts_every_parked_delivery(
    client: TestClient,
    admin_client: TestClient,
    session: Session,
    clock: FrozenClock,
    giulia: User,
    mail_server: MailServer,
) -> None:
    make_user(session, clock, username="marco")
    assert submit(client, "/password/forgot", {"login": "marco"}).status_code == 200
    park_a_reset_mail(client, session, clock, "giulia")
    admin_client.headers["Accept-Language"] = "it"
    page = admin_client.get("/mod/outbox").text
    assert "Consegne in background" in page
    assert "Riprova tutte le 2 consegne in sospeso" in page

    assert submit(admin_client, "/mod/outbox/retry", {"consumer": ""}).status_code == 303
    assert "2 consegne in sospeso rimesse in coda." in admin_client.get("/mod/outbox").text
    assert [d.parked_at for d in mail_deliveries(session)] == [None, None]
    (entry,) = _retries(session)
    assert audit.loads(entry.before)["consumer"] is None
    log = admin_client.get("/mod/audit", params={"action": "retry_parked_deliveries"}).text
    assert "ogni servizio" in row(log, f"audit-{entry.id}")


def test_retrying_when_nothing_is_parked_says_so_and_logs_nothing(
    admin_client: TestClient, session: Session
) -> None:
    assert submit(admin_client, "/mod/outbox/retry", {"consumer": "mail"}).status_code == 303
    page = admin_client.get("/mod/outbox").text
    assert "Nothing of mail was parked: there was nothing to put back in line." in page
    assert submit(admin_client, "/mod/outbox/retry").status_code == 303
    assert "Nothing was parked: there was nothing to put back in line." in (
        admin_client.get("/mod/outbox").text
    )
    assert _retries(session) == []


def test_an_unknown_consumer_is_refused_with_the_names_there_are(
    client: TestClient,
    admin_client: TestClient,
    session: Session,
    clock: FrozenClock,
    giulia: User,
    mail_server: MailServer,
) -> None:
    park_a_reset_mail(client, session, clock, "giulia")
    answer = submit(admin_client, "/mod/outbox/retry", {"consumer": "mailer"})
    assert answer.status_code == 422
    error = element(answer.text, "outbox-error", "p")
    assert "There is no consumer called mailer. The consumers are: audit, badges," in error
    assert 'class="consumer-parked"' in row(answer.text, "consumer-mail")  # the page, unchanged
    assert submit(admin_client, "/mod/outbox/retry", {"consumer": "x" * 61}).status_code == 422
    assert [d.parked_at is not None for d in mail_deliveries(session)] == [True]
    assert _retries(session) == []


def test_a_retry_without_the_forms_csrf_token_is_refused(
    client: TestClient,
    admin_client: TestClient,
    session: Session,
    clock: FrozenClock,
    giulia: User,
    mail_server: MailServer,
) -> None:
    park_a_reset_mail(client, session, clock, "giulia")
    answer = admin_client.post(
        "/mod/outbox/retry", data={"consumer": "mail"}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert "Your session expired or the form is stale" in answer.text
    forged = admin_client.post(
        "/mod/outbox/retry", data={"consumer": "mail", "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    assert [d.parked_at is not None for d in mail_deliveries(session)] == [True]
    assert _retries(session) == []


@pytest.mark.parametrize("role", [Role.moderator, Role.member])
def test_moderators_and_members_get_403_and_no_link(
    app: FastAPI,
    client: TestClient,
    session: Session,
    clock: FrozenClock,
    giulia: User,
    mail_server: MailServer,
    role: Role,
) -> None:
    park_a_reset_mail(client, session, clock, "giulia")
    browser = client_for(app, make_user(session, clock, username="sara", role=role))
    assert browser.get("/mod/outbox").status_code == 403
    for consumer in ("mail", ""):
        assert submit(browser, "/mod/outbox/retry", {"consumer": consumer}).status_code == 403
    assert 'href="/mod/outbox"' not in browser.get("/").text
    assert [d.parked_at is not None for d in mail_deliveries(session)] == [True]
    assert _retries(session) == []


def test_admins_find_the_page_in_the_nav_and_from_the_webhook_log(
    admin_client: TestClient,
) -> None:
    assert 'href="/mod/outbox"' in admin_client.get("/").text
    assert 'href="/mod/outbox"' in admin_client.get("/mod/webhooks").text


def test_signed_out_visitors_log_in_first(client: TestClient, admin: User) -> None:
    sent = client.get("/mod/outbox", follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/login?next=/mod/outbox"
    assert submit(client, "/mod/outbox/retry", {"consumer": "mail"}).status_code == 401


@pytest.mark.parametrize("role", [Role.moderator, Role.member, None])
def test_the_service_itself_refuses_anyone_but_an_admin(
    client: TestClient,
    session: Session,
    clock: FrozenClock,
    giulia: User,
    mail_server: MailServer,
    role: Role | None,
) -> None:
    park_a_reset_mail(client, session, clock, "giulia")
    user = make_user(session, clock, username="sara", role=role) if role else None
    refusal = Forbidden if user else NotAuthenticated
    with pytest.raises(refusal):
        outbox_health.health(session, Guardian(user))
    with pytest.raises(refusal):
        outbox_health.retry_parked(session, Guardian(user), consumer="mail", clock=clock)
    assert [d.parked_at is not None for d in mail_deliveries(session)] == [True]
