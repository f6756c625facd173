"""The CRM webhook: case events go to the brand's CRM as signed JSON, retried through the outbox.

Configuration (environment; never in the repository):
``PEERDESK_CRM_WEBHOOK_URL`` (unset: nothing is sent and the events are simply done),
``PEERDESK_CRM_WEBHOOK_SECRET`` (required once a URL is set; without it every attempt fails and
is logged, so the mistake shows on /mod/webhooks), ``PEERDESK_CRM_WEBHOOK_TIMEOUT_SECONDS``.

Each ``case_opened``, ``case_updated`` and ``case_message_added`` event is one POST of
``application/json`` with these headers:

- ``X-Peerdesk-Event``: the event name; ``X-Peerdesk-Delivery``: the event id, the same on every
  retry, so the receiver can ignore a repeat;
- ``X-Peerdesk-Timestamp``: Unix seconds when this attempt was signed;
- ``X-Peerdesk-Signature``: ``sha256=`` + hex HMAC-SHA256, keyed with the secret, of
  ``<timestamp> + "." + <raw body bytes>``.

A receiver recomputes the HMAC over the timestamp header, a dot and the body exactly as received,
compares in constant time, and rejects timestamps more than five minutes from its clock: a
captured request cannot be replayed later, nor its timestamp changed (see ``verify``).

``PEERDESK_CRM_WEBHOOK_TIMEOUT_SECONDS`` bounds the whole attempt (connecting, sending, and
reading an answer of at most ``MAX_ANSWER_BYTES``, of which the log keeps the start), so a server
that trickles its answer cannot hold the worker. Each attempt is a transaction of its own
(``events.Consumer.one_per_transaction``): no database lock waits on the CRM.

Any answer but 2xx, a timeout, a malformed URL or a network error fails the delivery: the
outbox retries it with exponential backoff (2 s, 4 s, 8 s ...; after ``events.MAX_ATTEMPTS``
attempts, about 68 minutes after the first, it is parked for an admin), and the events of one
thread's cases go out in order. Every attempt is a ``WebhookDelivery`` row
(status code, error, duration), shown to admins on /mod/webhooks. A failed attempt's row also has
an ``error_code`` (``Failure``), decided here from the answer or the exception (and the socket
error under it), so the page can say "Connection refused" and keep the raw error for whoever
debugs it.

Internal notes do go to the CRM, with ``"is_internal": true``: the CRM is the brand's own system
and keeps the whole record of a case. Nothing here ever reaches the customer.
"""

import hashlib
import hmac
import json
import socket
import time
from collections.abc import Callable, Iterator
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple

import httpx
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlmodel import Session, col, func, select

from community import events, params
from community.clock import Clock, SystemClock
from community.i18n import N_
from community.models import User
from moderation.models import CaseMessage, SupportCase, WebhookDelivery

CONSUMER = "webhooks"
CASE_EVENTS = ("case_opened", "case_updated", "case_message_added")
SIGNATURE_HEADER = "X-Peerdesk-Signature"
TIMESTAMP_HEADER = "X-Peerdesk-Timestamp"
TOLERANCE_SECONDS = 300
MAX_ANSWER_BYTES = 64 * 1024


# What the delivery log calls each event (English msgids, translated when shown).
EVENT_LABELS: dict[str, str] = {
    "case_opened": N_("Case opened"),
    "case_updated": N_("Case updated"),
    "case_message_added": N_("Message added to a case"),
}


class Failure(StrEnum):
    """Why an attempt failed, in the words an admin acts on (stored as ``error_code``)."""

    http_status = "http_status"  # the CRM answered, but not 2xx
    refused = "refused"
    timeout = "timeout"
    unresolved = "unresolved"  # the host name did not resolve
    invalid_url = "invalid_url"
    no_secret = "no_secret"
    network = "network"  # any other error on the way


FAILURE_LABELS: dict[Failure, str] = {
    Failure.http_status: N_("HTTP %(status)s from the CRM"),
    Failure.refused: N_("Connection refused"),
    Failure.timeout: N_("Timed out after %(seconds)s s"),
    Failure.unresolved: N_("The address could not be resolved"),
    Failure.invalid_url: N_("The webhook address is not a valid URL"),
    Failure.no_secret: N_("No webhook secret is set, so nothing was sent"),
    Failure.network: N_("Network error"),
}


def classify(exc: BaseException) -> Failure:
    """The failure an exception from an attempt stands for. httpx raises ConnectError for both a
    refused connection and an unknown host: the socket's own error, further down the chain of
    causes, tells them apart."""
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return Failure.timeout
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return Failure.invalid_url
    for cause in _causes(exc):
        if isinstance(cause, ConnectionRefusedError):
            return Failure.refused
        if isinstance(cause, socket.gaierror):
            return Failure.unresolved
        if isinstance(cause, TimeoutError):
            return Failure.timeout
    return Failure.network


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


class WebhookSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PEERDESK_CRM_WEBHOOK_", extra="ignore")

    url: str = ""
    secret: str = ""
    timeout_seconds: float = 10.0


@lru_cache
def get_settings() -> WebhookSettings:
    return WebhookSettings()


# The attempt's own time (the signed timestamp and the log row): the receiver compares it with
# its wall clock, so it is the system's, not the one tests freeze for the outbox.
_clock: Clock = SystemClock()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(
    secret: str, *, timestamp: str, body: bytes, signature: str, now: float | None = None
) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    sent_at = params.parse_number(timestamp, high=2**63 - 1)
    if sent_at is None:
        return False
    moment = time.time() if now is None else now
    if abs(moment - sent_at) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode())


def payload(session: Session, event: events.OutboxEvent) -> dict[str, Any] | None:
    """The JSON sent for ``event``: the event, the case as it is now, and the message if any."""
    data = event.data
    case = session.get(SupportCase, data.get("case_id"))
    if case is None:
        return None
    body: dict[str, Any] = {
        "id": event.id,
        "type": event.name,
        "occurred_at": event.created_at.isoformat(),
        "data": data,
        "case": _case(session, case),
    }
    if event.name == "case_message_added":
        message = session.get(CaseMessage, data.get("message_id"))
        if message is not None:
            body["message"] = {
                "id": message.id,
                "author": _person(session, message.author_id),
                "from_customer": message.author_id == case.customer_id,
                "is_internal": message.is_internal,
                "body": message.body,
                "created_at": message.created_at.isoformat(),
            }
    return body


def deliver(session: Session, event: events.OutboxEvent) -> events.Outbound | None:
    """Send one case event: the POST runs after this transaction (events.Outbound), and a failure
    logs the attempt and raises, so the outbox retries."""
    settings = get_settings()
    if not settings.url:
        return None
    document = payload(session, event)
    if document is None:
        return None
    assert event.id is not None
    raw = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()
    attempt = 1 + int(
        session.exec(select(func.count()).where(col(WebhookDelivery.event_id) == event.id)).one()
    )
    row = WebhookDelivery(
        event_id=event.id,
        case_id=document["case"]["id"],
        url=settings.url[:500],
        attempt=attempt,
        created_at=_clock.now(),
    )
    if not settings.secret:
        row.error = "PEERDESK_CRM_WEBHOOK_SECRET is not set: nothing is sent unsigned."
        row.error_code = Failure.no_secret
        raise events.HandlerFailed(row.error, keep=[row])
    timestamp = str(int(row.created_at.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "peerdesk-webhooks/1",
        "X-Peerdesk-Event": event.name,
        "X-Peerdesk-Delivery": str(event.id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(settings.secret, timestamp, raw),
    }

    def call() -> Attempt:
        started = time.perf_counter()
        try:
            status, answer = _post(settings.url, raw, headers, limit=settings.timeout_seconds)
        except (httpx.HTTPError, httpx.InvalidURL, TimeoutError) as exc:
            return _failed(exc, _elapsed_ms(started))
        if 200 <= status < 300:
            return Attempt(status, None, None, _elapsed_ms(started))
        error = f"HTTP {status}: {answer[:500]}"
        return Attempt(status, error, Failure.http_status, _elapsed_ms(started))

    def record(session: Session, attempt: Attempt | BaseException) -> None:
        if isinstance(attempt, BaseException):
            attempt = _failed(attempt, None)
        row.status_code, row.error, row.error_code, row.duration_ms = attempt
        if row.error is not None:
            raise events.HandlerFailed(row.error, keep=[row])
        session.add(row)

    return events.Outbound(call=call, then=record)


class Attempt(NamedTuple):
    status_code: int | None
    error: str | None
    error_code: Failure | None
    duration_ms: int | None


def _failed(exc: BaseException, duration_ms: int | None) -> Attempt:
    return Attempt(None, f"{type(exc).__name__}: {exc}"[:2000], classify(exc), duration_ms)


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _post(url: str, raw: bytes, headers: dict[str, str], *, limit: float) -> tuple[int, str]:
    """POST and read the start of the answer within ``limit`` seconds in all (httpx's own
    timeout is per read: a server sending a byte a second would never trip it)."""
    deadline = time.monotonic() + limit
    with httpx.stream("POST", url, content=raw, headers=headers, timeout=limit) as response:
        answer = bytearray()
        for chunk in response.iter_raw():
            answer += chunk[: MAX_ANSWER_BYTES - len(answer)]
            if len(answer) >= MAX_ANSWER_BYTES:
                break  # enough for the log; the rest is not worth the wait
            if time.monotonic() > deadline:
                raise TimeoutError(f"no complete answer within {limit:g} s")
        return response.status_code, answer.decode(errors="replace")


def consumer() -> events.Consumer:
    return events.Consumer(
        name=CONSUMER,
        handlers=dict.fromkeys(CASE_EVENTS, deliver),
        one_per_transaction=True,
    )


class DeliveryLine(NamedTuple):
    """One attempt in the delivery log, with its event's name."""

    row: WebhookDelivery
    event_name: str

    @property
    def event_label(self) -> str:
        """An English msgid (translated when shown); an unknown event keeps its name."""
        return EVENT_LABELS.get(self.event_name, self.event_name)

    @property
    def failure(self) -> Failure | None:
        if self.row.error is None:
            return None
        code = self.row.error_code or ""
        return Failure(code) if code in Failure.__members__ else Failure.network

    def error_label(self, gettext: Callable[[str], str]) -> str:
        """Why the attempt failed, in the reader's language ("" if it did not)."""
        failure = self.failure
        if failure is None:
            return ""
        text = gettext(FAILURE_LABELS[failure])
        if failure == Failure.http_status:
            return text % {"status": self.row.status_code}
        if failure == Failure.timeout:
            seconds = (self.row.duration_ms or 0) // 1000  # the attempt's own length
            return text % {"seconds": seconds}
        return text


def recent_deliveries(session: Session, *, limit: int = 100) -> list[DeliveryLine]:
    """The latest attempts, newest first, each with its event's name (for /mod/webhooks)."""
    query = (
        select(WebhookDelivery, events.OutboxEvent.name)
        .join(events.OutboxEvent, col(events.OutboxEvent.id) == col(WebhookDelivery.event_id))
        .order_by(col(WebhookDelivery.id).desc())
        .limit(limit)
    )
    return [DeliveryLine(row, name) for row, name in session.exec(query)]


def _case(session: Session, case: SupportCase) -> dict[str, Any]:
    return {
        "id": case.id,
        "subject": case.subject,
        "status": case.status,
        "priority": case.priority,
        "customer": _person(session, case.customer_id, with_email=True),
        "assignee": _person(session, case.assignee_id) if case.assignee_id else None,
        "thread_id": case.thread_id,
        "post_id": case.post_id,
        "url": f"/mod/cases/{case.id}",
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
    }


def _person(session: Session, user_id: int, *, with_email: bool = False) -> dict[str, Any] | None:
    user = session.get(User, user_id)
    if user is None:
        return None
    person: dict[str, Any] = {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
    }
    if with_email:  # the CRM matches the customer to its own record by e-mail
        person["email"] = user.email
    return person
