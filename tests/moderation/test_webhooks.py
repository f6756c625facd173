"""The CRM webhook: case events POSTed to a real local HTTP server that checks the HMAC signature;
a 500 is retried with backoff through the outbox, and every attempt is in the delivery log."""

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from community import events
from community.clock import FrozenClock, as_utc
from community.events import OutboxDelivery, OutboxEvent
from community.models import Role
from community.policy import Guardian
from moderation import cases, webhooks
from moderation.models import WebhookDelivery
from tests.factories import make_category, make_thread, make_user
from tests.live import free_port
from tests.moderation.brand_helpers import client_for, open_case, submit

SECRET = "test-webhook-secret"


def _chained(exc: Exception, cause: BaseException) -> Exception:
    """``exc`` raised from ``cause``, as httpx raises its errors from the socket's."""
    exc.__cause__ = cause
    return exc


@dataclass
class Receiver:
    """A CRM stand-in: answers the queued statuses in turn (then 200), checks every signature."""

    url: str
    statuses: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    port = free_port()
    state = Receiver(url=f"http://127.0.0.1:{port}/crm/hooks")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            valid = webhooks.verify(
                SECRET,
                timestamp=self.headers.get(webhooks.TIMESTAMP_HEADER, ""),
                body=raw,
                signature=self.headers.get(webhooks.SIGNATURE_HEADER, ""),
            )
            status = 401 if not valid else (state.statuses.pop(0) if state.statuses else 200)
            state.received.append(
                {
                    "path": self.path,
                    "valid": valid,
                    "status": status,
                    "event": self.headers["X-Peerdesk-Event"],
                    "delivery": self.headers["X-Peerdesk-Delivery"],
                    "body": json.loads(raw),
                }
            )
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"crm is down")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch):
    def apply(url: str = "", secret: str = "") -> None:
        for name, value in (("URL", url), ("SECRET", secret)):
            if value:
                monkeypatch.setenv(f"PEERDESK_CRM_WEBHOOK_{name}", value)
            else:
                monkeypatch.delenv(f"PEERDESK_CRM_WEBHOOK_{name}", raising=False)
        webhooks.get_settings.cache_clear()

    yield apply
    webhooks.get_settings.cache_clear()


@pytest.fixture
def scene(session: Session, clock: FrozenClock):
    customer = make_user(session, clock, username="giulia")
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    admin = make_user(session, clock, username="boss", role=Role.admin)
    thread = make_thread(session, clock, author=customer, category=make_category(session))
    return customer, moderator, admin, thread


def _send(session: Session, clock: FrozenClock) -> int:
    session.expire_all()
    return events.drain(session, now=clock.now(), consumers=[webhooks.CONSUMER])


def _log(session: Session) -> list[tuple[str, int, int | None, bool]]:
    session.expire_all()
    query = (
        select(WebhookDelivery, OutboxEvent.name)
        .join(OutboxEvent, col(OutboxEvent.id) == col(WebhookDelivery.event_id))
        .order_by(col(WebhookDelivery.id))
    )
    return [
        (name, row.attempt, row.status_code, row.error is None) for row, name in session.exec(query)
    ]


def test_a_failed_delivery_is_retried_with_backoff_and_every_attempt_is_logged(
    session, clock, scene, receiver, configure
):
    customer, moderator, _admin, thread = scene
    configure(url=receiver.url, secret=SECRET)
    receiver.statuses = [500]
    case = open_case(session, clock, moderator, thread)

    _send(session, clock)
    # The CRM answered 500: the event waits for its retry, and the case's next event waits too.
    assert [(r["event"], r["status"], r["valid"]) for r in receiver.received] == [
        ("case_opened", 500, True)
    ]
    assert _log(session) == [("case_opened", 1, 500, False)]
    opened = session.exec(select(OutboxEvent).where(col(OutboxEvent.name) == "case_opened")).one()
    delivery = session.get(OutboxDelivery, (opened.id, webhooks.CONSUMER))
    assert delivery is not None and delivery.attempts == 1 and delivery.done_at is None
    assert delivery.available_at == clock.now() + timedelta(seconds=2)
    assert "HTTP 500" in (delivery.last_error or "")

    _send(session, clock)  # not due yet: nothing is sent
    assert len(receiver.received) == 1

    clock.advance(seconds=2)
    _send(session, clock)
    assert [(r["event"], r["status"], r["valid"]) for r in receiver.received] == [
        ("case_opened", 500, True),
        ("case_opened", 200, True),
        ("case_message_added", 200, True),
    ]
    assert _log(session) == [
        ("case_opened", 1, 500, False),
        ("case_opened", 2, 200, True),
        ("case_message_added", 1, 200, True),
    ]
    rows = session.exec(select(WebhookDelivery)).all()
    assert all(r.duration_ms is not None and r.duration_ms >= 0 for r in rows)
    assert all(r.url == receiver.url and r.case_id == case.id for r in rows)
    # The retry is the same delivery (same id for the receiver to de-duplicate), the same body.
    first, retry = receiver.received[0], receiver.received[1]
    assert first["delivery"] == retry["delivery"] == str(opened.id)
    assert first["body"] == retry["body"]
    body = retry["body"]
    assert body["type"] == "case_opened" and body["case"]["status"] == "open"
    assert body["case"]["customer"] == {
        "id": customer.id,
        "username": "giulia",
        "display_name": "Giulia",
        "email": "giulia@example.com",
    }
    assert receiver.received[2]["body"]["message"]["body"] == "Which invoice is it?"
    assert _send(session, clock) == 0  # everything delivered


def test_updates_and_internal_notes_go_to_the_crm_flagged_internal(
    session, clock, scene, receiver, configure
):
    customer, moderator, _admin, thread = scene
    configure(url=receiver.url, secret=SECRET)
    case = open_case(session, clock, moderator, thread)
    brand = Guardian(moderator)
    cases.update_case(session, brand, case, status="pending_customer", clock=clock)
    cases.add_message(session, brand, case, body="Refund FIN-4471", internal=True, clock=clock)
    cases.add_message(session, Guardian(customer), case, body="Invoice 118", clock=clock)
    _send(session, clock)
    kinds = [
        (r["event"], r["body"].get("message", {}).get("is_internal")) for r in receiver.received
    ]
    assert kinds == [
        ("case_opened", None),
        ("case_message_added", False),
        ("case_updated", None),
        ("case_message_added", True),
        ("case_message_added", False),
        ("case_updated", None),  # the customer's answer reopened it
    ]
    note = receiver.received[3]["body"]["message"]
    assert note["body"] == "Refund FIN-4471" and note["from_customer"] is False
    assert receiver.received[4]["body"]["message"]["from_customer"] is True
    assert receiver.received[2]["body"]["data"]["status"] == "pending_customer"
    assert receiver.received[5]["body"]["data"]["status"] == "open"
    assert all(r["valid"] for r in receiver.received)


def test_without_a_url_nothing_is_sent_and_the_events_are_done(session, clock, scene, configure):
    _customer, moderator, _admin, thread = scene
    configure()
    open_case(session, clock, moderator, thread)
    assert _send(session, clock) > 0
    assert events.pending_count(session, webhooks.CONSUMER) == 0
    assert _log(session) == []


def test_a_url_without_a_secret_sends_nothing_unsigned_and_says_why(
    session, clock, scene, receiver, configure
):
    _customer, moderator, _admin, thread = scene
    configure(url=receiver.url)
    open_case(session, clock, moderator, thread)
    _send(session, clock)
    assert receiver.received == []
    session.expire_all()
    (row,) = session.exec(select(WebhookDelivery)).all()
    assert row.status_code is None and "PEERDESK_CRM_WEBHOOK_SECRET is not set" in (row.error or "")
    assert row.error_code == webhooks.Failure.no_secret
    assert events.pending_count(session, webhooks.CONSUMER) == 2  # kept, to retry once fixed


def test_an_unreachable_crm_is_a_logged_failure(session, clock, scene, configure):
    _customer, moderator, _admin, thread = scene
    configure(url=f"http://127.0.0.1:{free_port()}/nobody", secret=SECRET)
    open_case(session, clock, moderator, thread)
    _send(session, clock)
    session.expire_all()
    (row,) = session.exec(select(WebhookDelivery)).all()
    assert row.status_code is None and row.error and "ConnectError" in row.error
    assert row.error_code == webhooks.Failure.refused


def test_the_signature_covers_the_timestamp_and_the_body():
    body = b'{"type":"case_opened"}'
    signature = webhooks.sign(SECRET, "1700000000", body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    stamp = "1700000000"
    assert webhooks.verify(SECRET, timestamp=stamp, body=body, signature=signature, now=1700000100)
    for secret, timestamp, sent in (
        ("another-secret", stamp, body),
        (SECRET, stamp, body + b" "),
        (SECRET, "1700000001", body),
    ):
        assert not webhooks.verify(
            secret, timestamp=timestamp, body=sent, signature=signature, now=1700000100
        )
    for odd in ("", "²", "1700000000²", "-1700000000"):  # not a time: refused, no exception
        assert not webhooks.verify(
            SECRET, timestamp=odd, body=body, signature=signature, now=1700000100
        )
    too_late = 1700000000 + webhooks.TOLERANCE_SECONDS + 1  # a replay
    assert not webhooks.verify(
        SECRET, timestamp=stamp, body=body, signature=signature, now=too_late
    )


def test_admins_browse_the_delivery_log_others_get_403(
    app, session, clock, scene, receiver, configure
):
    customer, moderator, admin, thread = scene
    configure(url=receiver.url, secret=SECRET)
    receiver.statuses = [500]
    case = open_case(session, clock, moderator, thread)
    _send(session, clock)
    clock.advance(seconds=2)
    _send(session, clock)
    page = client_for(app, admin).get("/mod/webhooks")
    assert page.status_code == 200
    assert page.text.count('class="delivery-failed"') == 1
    assert page.text.count('class="delivery-ok"') == 2
    assert "HTTP 500: crm is down" in page.text and f'href="/mod/cases/{case.id}"' in page.text
    # People read what happened; the raw error stays a click away, the event's name a hover.
    failed = page.text[page.text.index('class="delivery-failed"') :]
    failed = failed[: failed.index("</tr>")]
    assert '<summary data-error-code="http_status">HTTP 500 from the CRM</summary>' in failed
    assert "<code>HTTP 500: crm is down</code>" in failed
    assert '<span title="case_opened">Case opened</span>' in failed
    assert '<span title="case_message_added">Message added to a case</span>' in page.text
    assert ">case_opened<" not in page.text
    for person in (customer, moderator):
        assert client_for(app, person).get("/mod/webhooks").status_code == 403


def test_admins_find_the_delivery_log_from_the_cases(app, session, clock, scene):
    """No menu led to /mod/webhooks: an admin had to know its address."""
    _customer, moderator, admin, _thread = scene
    link = 'href="/mod/webhooks"'
    assert link in client_for(app, admin).get("/mod/cases").text
    assert link not in client_for(app, moderator).get("/mod/cases").text


@pytest.fixture
def slow_crm() -> Iterator[tuple[str, threading.Event, threading.Event]]:
    """A CRM that answers its first request at once, then holds every later one until released;
    ``waiting`` is set while one is held."""
    port = free_port()
    waiting, release = threading.Event(), threading.Event()
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.path)
            if len(seen) > 1:
                waiting.set()
                release.wait(timeout=20)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/crm", waiting, release
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_members_post_while_the_worker_waits_on_a_slow_crm(
    app, db, session, clock, scene, slow_crm, configure
):
    """Each delivery commits on its own: while the CRM holds the second one, no transaction of
    the worker's is open, so a member's reply is written at once (on SQLite it used to wait
    for the worker's write lock, and fail after the busy timeout)."""
    customer, moderator, _admin, thread = scene
    url, waiting, release = slow_crm
    configure(url=url, secret=SECRET)
    open_case(session, clock, moderator, thread)
    other = make_thread(session, clock, author=customer, category=make_category(session))
    open_case(session, clock, moderator, other)
    errors: list[BaseException] = []

    def work() -> None:
        with Session(db) as worker_session:
            try:
                events.drain(worker_session, now=clock.now(), consumers=[webhooks.CONSUMER])
            except BaseException as exc:
                errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    try:
        assert waiting.wait(timeout=10)  # the first case went out; the second one is held
        with Session(db) as other_worker:  # the held delivery is leased: nobody sends it twice
            claimed = events.claim(other_worker, webhooks.CONSUMER, now=clock.now(), limit=10)
            in_flight = other_worker.exec(
                select(OutboxDelivery).where(
                    col(OutboxDelivery.consumer) == webhooks.CONSUMER,
                    col(OutboxDelivery.done_at).is_(None),
                )
            ).all()
            leased = [d for d in in_flight if as_utc(d.available_at) > clock.now()]
            assert len(leased) == 1  # the one the CRM holds
            assert leased[0].event_id not in {d.event_id for d in claimed}
        browser = client_for(app, make_user(session, clock, username="peer"))
        reply = submit(browser, f"/t/{thread.id}/posts", {"body": "Same problem here, any news?"})
        assert reply.status_code == 303
    finally:
        release.set()
        worker.join(timeout=20)
    assert not errors
    # two cases, each opened with its first message: four events, each delivered once
    assert [ok for _name, _attempt, _status, ok in _log(session)] == [True] * 4


def test_a_crm_that_trickles_its_answer_fails_within_the_timeout(
    session, clock, scene, configure, monkeypatch
):
    port = free_port()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):  # a byte every 0.2 s: each read is quick, the whole is 20 s
                self.wfile.write(b".")
                self.wfile.flush()
                threading.Event().wait(0.2)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("PEERDESK_CRM_WEBHOOK_TIMEOUT_SECONDS", "1")
        configure(url=f"http://127.0.0.1:{port}/crm", secret=SECRET)
        open_case(session, clock, scene[1], scene[3])
        _send(session, clock)
        row = session.exec(select(WebhookDelivery)).one()
        assert row.error is not None and row.error.startswith("TimeoutError")
        assert row.duration_ms is not None and row.duration_ms < 5000
        assert row.error_code == webhooks.Failure.timeout
        line = webhooks.DeliveryLine(row, "case_opened")
        assert line.error_label(str) == "Timed out after 1 s"
    finally:
        server.shutdown()
        server.server_close()


def test_a_malformed_url_is_a_logged_failure(session, clock, scene, configure):
    configure(url="http://[fd00::10/crm/hooks", secret=SECRET)
    open_case(session, clock, scene[1], scene[3])
    _send(session, clock)
    row = session.exec(select(WebhookDelivery)).one()
    assert row.error is not None and row.error.startswith("InvalidURL")
    assert row.error_code == webhooks.Failure.invalid_url


def test_a_signature_in_other_characters_is_refused_not_a_crash():
    now = 1_800_000_000
    body = b"{}"
    assert not webhooks.verify(SECRET, timestamp=str(now), body=body, signature="sha256=é", now=now)


def test_the_log_says_a_refused_connection_in_words_and_keeps_the_raw_error(
    app, session, clock, scene, configure
):
    _customer, moderator, admin, thread = scene
    configure(url=f"http://127.0.0.1:{free_port()}/nobody", secret=SECRET)
    open_case(session, clock, moderator, thread)
    _send(session, clock)
    page = client_for(app, admin).get("/mod/webhooks").text
    assert '<summary data-error-code="refused">Connection refused</summary>' in page
    assert "<code>ConnectError: " in page  # the raw error, for whoever debugs it


@pytest.mark.parametrize(
    ("exc", "failure"),
    [
        (
            _chained(httpx.ConnectError("[Errno 111]"), ConnectionRefusedError(111, "refused")),
            webhooks.Failure.refused,
        ),
        (
            _chained(
                httpx.ConnectError("[Errno -2]"), socket.gaierror(-2, "Name or service not known")
            ),
            webhooks.Failure.unresolved,
        ),
        (httpx.ConnectTimeout("timed out"), webhooks.Failure.timeout),
        (httpx.ReadTimeout("timed out"), webhooks.Failure.timeout),
        (TimeoutError("no complete answer within 10 s"), webhooks.Failure.timeout),
        (httpx.InvalidURL("Invalid port"), webhooks.Failure.invalid_url),
        (httpx.UnsupportedProtocol("missing an 'http://'"), webhooks.Failure.invalid_url),
        (httpx.RemoteProtocolError("Server disconnected"), webhooks.Failure.network),
    ],
)
def test_each_failure_gets_its_code_from_the_exception_and_its_causes(exc, failure):
    assert webhooks.classify(exc) == failure


@pytest.mark.parametrize(
    ("status", "error", "code", "duration_ms", "label"),
    [
        (200, None, None, 40, ""),
        (503, "HTTP 503: busy", "http_status", 40, "HTTP 503 from the CRM"),
        (None, "ReadTimeout: timed out", "timeout", 10_020, "Timed out after 10 s"),
        (
            None,
            "ConnectError: [Errno -2] Name or service not known",
            "unresolved",
            3,
            "The address could not be resolved",
        ),
        (None, "Something new", "not_a_code", 3, "Network error"),
    ],
)
def test_the_log_labels_each_failure(status, error, code, duration_ms, label):
    row = WebhookDelivery(
        event_id=1,
        url="u",
        attempt=1,
        status_code=status,
        error=error,
        error_code=code,
        duration_ms=duration_ms,
        created_at=FrozenClock().now(),
    )
    line = webhooks.DeliveryLine(row, "case_updated")
    assert line.error_label(str) == label
    assert line.event_label == "Case updated"
    assert webhooks.DeliveryLine(row, "case_reopened").event_label == "case_reopened"
