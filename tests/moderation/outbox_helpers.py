"""The outbox page's story: an SMTP server that refuses the community's password until it is
fixed, and a password-reset mail that keeps failing on it until the outbox parks it."""

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword
from aiosmtpd.smtp import Session as SMTPSession
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from community import events
from community.clock import FrozenClock
from community.events import OutboxDelivery
from community.settings import get_settings
from tests.conftest import drain
from tests.moderation.brand_helpers import submit

RIGHT_PASSWORD = "right-password"
# What a provider's server says to a wrong password, link included (and so "<" and ">").
REFUSAL = "535 5.7.8 Username and Password not accepted. See <https://mail.example.com/badlogin>"


class MailServer:
    """aiosmtpd on loopback, with AUTH: only ``RIGHT_PASSWORD`` gets a message in."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        with socket.socket() as probe:  # a free port: the controller checks it by connecting
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=port,
            authenticator=self._authenticate,
            auth_require_tls=False,
        )

    def url(self, password: str) -> str:
        return f"smtp://peerdesk:{password}@127.0.0.1:{self.controller.port}"

    def _authenticate(
        self, _server: SMTP, _session: SMTPSession, _envelope: Envelope, _mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword) and data.password == RIGHT_PASSWORD.encode():
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False, message=REFUSAL)

    async def handle_DATA(self, _server: SMTP, _session: SMTPSession, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        return "250 Message accepted"


def use_smtp(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("PEERDESK_SMTP_URL", url)
    get_settings.cache_clear()


@contextmanager
def mail_server_with_a_wrong_password(monkeypatch: pytest.MonkeyPatch) -> Iterator[MailServer]:
    """The community configured with a wrong SMTP password; ``use_smtp(monkeypatch,
    server.url(RIGHT_PASSWORD))`` is the operator's fix."""
    server = MailServer()
    server.controller.start()
    use_smtp(monkeypatch, server.url("wrong-password"))
    try:
        yield server
    finally:
        server.controller.stop()
        monkeypatch.delenv("PEERDESK_SMTP_URL")
        get_settings.cache_clear()


def park_a_reset_mail(client: TestClient, session: Session, clock: FrozenClock, login: str) -> None:
    """``login`` asks for a password reset; the mail fails at every attempt until it is parked."""
    assert submit(client, "/password/forgot", {"login": login}).status_code == 200
    for _ in range(events.MAX_ATTEMPTS):
        drain(session, clock)
        clock.advance(hours=2)  # past any backoff


def mail_deliveries(session: Session) -> list[OutboxDelivery]:
    session.expire_all()
    query = select(OutboxDelivery).where(col(OutboxDelivery.consumer) == "mail")
    return list(session.exec(query.order_by(col(OutboxDelivery.event_id))))


def element(page: str, element_id: str, tag: str = "tr") -> str:
    """The ``<tag id="element_id">`` of ``page``, up to its end (not nested in its own kind)."""
    pattern = rf'<{tag}\b[^>]*\bid="{re.escape(element_id)}".*?</{tag}>'
    found = re.search(pattern, page, flags=re.DOTALL)
    assert found is not None, f"no <{tag}> {element_id}"
    return found.group(0)


def row(page: str, row_id: str) -> str:
    return element(page, row_id, "tr")


def cells(table_row: str) -> list[str]:
    """The text of each cell of ``table_row`` (its header cell included), tags left out."""
    found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table_row, flags=re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in found]
