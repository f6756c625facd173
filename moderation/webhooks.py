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
(status code, error, duration), shown to admins on /mod/webhooks.

Internal notes do go to the CRM, with ``"is_internal": true``: the CRM is the brand's own system
and keeps the whole record of a case. Nothing here ever reaches the customer.
"""

import hashlib
import hmac
import json
import time
from functools import lru_cache
from typing import Any, NamedTuple

import httpx
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlmodel import Session, col, func, select

from community import events, params
from community.clock import Clock, SystemClock
from community.models import User
from moderation.models import CaseMessage, SupportCase, WebhookDelivery

CONSUMER = "webhooks"
CASE_EVENTS = ("case_opened", "case_updated", "case_message_added")
SIGNATURE_HEADER = "X-Peerdesk-Signature"
TIMESTAMP_HEADER = "X-Peerdesk-Timestamp"
TOLERANCE_SECONDS = 300
MAX_ANSWER_BYTES = 64 * 1024


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
            return Attempt(None, f"{type(exc).__name__}: {exc}"[:2000], _elapsed_ms(started))
        error = None if 200 <= status < 300 else f"HTTP {status}: {answer[:500]}"
        return Attempt(status, error, _elapsed_ms(started))

    def record(session: Session, attempt: Attempt | BaseException) -> None:
        if isinstance(attempt, BaseException):
            attempt = Attempt(None, f"{type(attempt).__name__}: {attempt}"[:2000], None)
        row.status_code, row.error, row.duration_ms = attempt
        if row.error is not None:
            raise events.HandlerFailed(row.error, keep=[row])
        session.add(row)

    return events.Outbound(call=call, then=record)


class Attempt(NamedTuple):
    status_code: int | None
    error: str | None
    duration_ms: int | None


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


def recent_deliveries(session: Session, *, limit: int = 100) -> list[tuple[WebhookDelivery, str]]:
    """The latest attempts, newest first, each with its event's name (for /mod/webhooks)."""
    query = (
        select(WebhookDelivery, events.OutboxEvent.name)
        .join(events.OutboxEvent, col(events.OutboxEvent.id) == col(WebhookDelivery.event_id))
        .order_by(col(WebhookDelivery.id).desc())
        .limit(limit)
    )
    return [(row, name) for row, name in session.exec(query)]


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
