"""The transactional outbox: a state change and the event describing it share one transaction.

Each event gets one delivery row per registered consumer that handles it (``notifications`` here;
``search`` and ``moderation`` register theirs from main.py): an event nobody handles is kept as
history and costs the workers nothing. A worker claims due deliveries of its consumer in
event order, never running a thread's event before an earlier one of the same thread is done,
retries failures with exponential backoff, and parks an event after too many attempts.
"""

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, Index, Text, exists, func, text
from sqlalchemy.orm import aliased
from sqlmodel import Field, Session, SQLModel, col, select

from community.db import is_write_conflict, take_write_lock
from community.models import utc_column

MAX_ATTEMPTS = 12

log = logging.getLogger("peerdesk.outbox")


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox_event"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    thread_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(sa_column=utc_column())

    @property
    def data(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.payload)
        return value


class OutboxDelivery(SQLModel, table=True):
    __tablename__ = "outbox_delivery"
    __table_args__ = (
        Index(
            "ix_outbox_delivery_pending",
            "consumer",
            "event_id",
            sqlite_where=text("done_at IS NULL"),
            postgresql_where=text("done_at IS NULL"),
        ),
    )

    event_id: int = Field(foreign_key="outbox_event.id", primary_key=True)
    consumer: str = Field(max_length=30, primary_key=True)
    thread_id: int | None = None
    attempts: int = 0
    available_at: datetime = Field(sa_column=utc_column())
    done_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    parked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


@dataclass(frozen=True)
class Outbound:
    """What a handler that calls another system returns instead of calling it: ``call`` runs
    with no transaction open (it must not touch the database), then ``then`` records its result
    in a transaction of its own, and may raise to have the delivery retried. Only for a
    ``one_per_transaction`` consumer."""

    call: Callable[[], Any]
    then: Callable[[Session, Any], None]


Handler = Callable[[Session, OutboxEvent], "Outbound | None"]


class HandlerFailed(Exception):
    """A failure that leaves rows behind (a log of the attempt, say): the handler's own writes
    are rolled back as for any exception and the delivery is retried, but ``keep`` is stored."""

    def __init__(self, message: str, *, keep: Sequence[SQLModel] = ()) -> None:
        super().__init__(message)
        self.keep = list(keep)


CatchUp = Callable[[Session, datetime], int]


Row = TypeVar("Row")


class IdWalk(Generic[Row]):
    """A ``catch_up`` that walks rows in increasing id order, ``batch_size`` per step, once per
    process: when a step finds no row past the last one handled the walk is over, so an idle worker
    does not rescan the table every poll (rows created later come with their own events).
    Subclasses say which rows (``fetch``), their ids (``row_id``) and what to do (``handle``)."""

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self.after_id = 0
        self.finished = False

    def fetch(self, session: Session, after_id: int, limit: int) -> list[Row]:
        raise NotImplementedError

    def row_id(self, row: Row) -> int:
        raise NotImplementedError

    def handle(self, session: Session, rows: list[Row], now: datetime) -> None:
        raise NotImplementedError

    def __call__(self, session: Session, now: datetime) -> int:
        if self.finished:
            return 0
        rows = self.fetch(session, self.after_id, self.batch_size)
        if not rows:
            self.finished = True
            return 0
        self.handle(session, rows, now)
        self.after_id = max(self.row_id(row) for row in rows)
        return len(rows)


@dataclass
class Consumer:
    """``catch_up``, when set, does a bounded piece of background work the events did not cover
    (rows loaded by ``peerdesk seed``, a new model version) and returns how much it did; the worker
    calls it only while none of the consumer's events is due, so it never delays a live change."""

    name: str
    handlers: Mapping[str, Handler]
    batch_size: int = 50
    catch_up: CatchUp | None = None
    # Handlers that call another system (a CRM webhook) return an Outbound: each delivery is
    # claimed alone, leased for ``lease`` and committed, the call runs outside any transaction
    # (a slow server holds no lock, and on SQLite no stale snapshot), and its result is recorded
    # in a new one. Another worker claims the delivery again only once the lease runs out.
    one_per_transaction: bool = False
    lease: timedelta = timedelta(minutes=5)


@dataclass
class Registry:
    consumers: dict[str, Consumer] = field(default_factory=dict)

    def add(self, consumer: Consumer) -> None:
        self.consumers[consumer.name] = consumer


registry = Registry()


def record(
    session: Session,
    name: str,
    *,
    at: datetime,
    thread_id: int | None = None,
    **payload: Any,
) -> OutboxEvent:
    """Add an event, and a delivery for each consumer that handles it, to the caller's
    transaction; the caller commits."""
    event = OutboxEvent(
        name=name,
        payload=json.dumps(payload, default=str, sort_keys=True),
        thread_id=thread_id,
        created_at=at,
    )
    session.add(event)
    session.flush()
    assert event.id is not None
    for consumer in registry.consumers.values():
        if name in consumer.handlers:
            session.add(
                OutboxDelivery(
                    event_id=event.id, consumer=consumer.name, thread_id=thread_id, available_at=at
                )
            )
    return event


def claim(session: Session, consumer: str, *, now: datetime, limit: int) -> list[OutboxDelivery]:
    """Due deliveries of ``consumer`` whose thread has no earlier unfinished delivery.

    A parked delivery stops holding its thread back: one poison event must not silence the
    thread for good while it waits for an admin.
    """
    earlier = aliased(OutboxDelivery)
    delivery = OutboxDelivery
    blocked = exists().where(
        col(earlier.consumer) == consumer,
        col(earlier.done_at).is_(None),
        col(earlier.parked_at).is_(None),
        col(earlier.thread_id) == col(delivery.thread_id),
        col(earlier.event_id) < col(delivery.event_id),
    )
    query = (
        select(delivery)
        .where(
            col(delivery.consumer) == consumer,
            col(delivery.done_at).is_(None),
            col(delivery.parked_at).is_(None),
            col(delivery.available_at) <= now,
            col(delivery.thread_id).is_(None) | ~blocked,
        )
        .order_by(col(delivery.event_id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.exec(query))


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, 3600))


def process_batch(session: Session, consumer: Consumer, *, now: datetime) -> int:
    """Run one batch; every delivery ends done, rescheduled, or parked. Returns how many ran.
    A ``one_per_transaction`` consumer's batch is that many single-delivery transactions."""
    if not consumer.one_per_transaction:
        return _process(session, consumer, now=now, limit=consumer.batch_size)
    ran = 0
    while ran < consumer.batch_size and _process(session, consumer, now=now, limit=1):
        ran += 1
    return ran


def _process(session: Session, consumer: Consumer, *, now: datetime, limit: int) -> int:
    """Claim up to ``limit`` deliveries, handle them and commit.

    Once the batch is committed each delivery is logged with its outcome on ``peerdesk.outbox``:
    done at DEBUG, a retry at INFO, parked at WARNING. With the process id in the log format (the
    ``peerdesk worker`` command puts it there) the lines say which worker handled which event.
    """
    try:
        return _process_once(session, consumer, now=now, limit=limit)
    except Exception as error:
        # On SQLite another connection's commit made the first write fail (db.is_write_conflict):
        # the savepoint around each handler opens the transaction, so a handler's reads come
        # before its writes. Once more, holding the write lock from the start; reading without it
        # stays the rule, so a worker that waits on Meilisearch or embeds a post does not hold
        # every writer off meanwhile.
        if not is_write_conflict(error):
            raise
        session.rollback()
        log.info(
            "a batch of %s: another connection wrote first, running it as a writer", consumer.name
        )
        take_write_lock(session)
        return _process_once(session, consumer, now=now, limit=limit)


def _process_once(session: Session, consumer: Consumer, *, now: datetime, limit: int) -> int:
    deliveries = claim(session, consumer.name, now=now, limit=limit)
    outcomes: list[tuple[int, str]] = []
    for delivery in deliveries:
        event = session.get(OutboxEvent, delivery.event_id)
        assert event is not None
        handler = consumer.handlers.get(event.name)
        label = f"event {delivery.event_id} {event.name} for {consumer.name}"
        outbound: list[Outbound] = []
        run = partial(_handle, session, handler, event, outbound)
        outcome = _settle(session, delivery, run, label=label, now=now)
        if outbound:
            assert consumer.one_per_transaction, f"{label}: an Outbound needs its own transaction"
            outcome = _call_out(
                session, delivery, outbound[0], lease=consumer.lease, label=label, now=now
            )
        outcomes.append(outcome)
    session.commit()
    for level, message in outcomes:
        log.log(level, "%s", message)
    return len(deliveries)


def _handle(
    session: Session, handler: Handler | None, event: OutboxEvent, outbound: list[Outbound]
) -> None:
    result = handler(session, event) if handler is not None else None
    if result is not None:
        outbound.append(result)


def _settle(
    session: Session,
    delivery: OutboxDelivery,
    run: Callable[[], None],
    *,
    label: str,
    now: datetime,
) -> tuple[int, str]:
    """Run ``run`` in a savepoint; the delivery is then done, rescheduled with backoff, or
    parked. The caller commits. Returns the log line."""
    try:
        with session.begin_nested():
            run()
    except Exception as exc:  # a handler failure must never lose the event
        if is_write_conflict(exc):
            raise  # not the handler's failure: the whole batch runs again (_process)
        if isinstance(exc, HandlerFailed):
            session.add_all(exc.keep)
        delivery.attempts += 1
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        session.add(delivery)
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.parked_at = now
            return (
                logging.WARNING,
                f"{label}: parked after {delivery.attempts} attempts: {delivery.last_error}",
            )
        wait = backoff(delivery.attempts)
        delivery.available_at = now + wait
        return (
            logging.INFO,
            f"{label}: attempt {delivery.attempts} failed, "
            f"retry in {wait.total_seconds():g} s: {delivery.last_error}",
        )
    delivery.done_at = now
    session.add(delivery)
    return logging.DEBUG, f"{label}: done"


def _call_out(
    session: Session,
    delivery: OutboxDelivery,
    outbound: Outbound,
    *,
    lease: timedelta,
    label: str,
    now: datetime,
) -> tuple[int, str]:
    """The second half of an Outbound delivery: lease it and commit, call with no transaction
    open, then record the result (the caller commits)."""
    delivery.done_at = None  # not done until ``then`` has recorded the answer
    delivery.available_at = now + lease
    session.add(delivery)
    session.commit()
    try:
        result = outbound.call()
    except Exception as exc:  # the call should report its own failures; never lose the event
        result = exc
    return _settle(session, delivery, lambda: outbound.then(session, result), label=label, now=now)


def catch_up(session: Session, consumer: Consumer, *, now: datetime) -> int:
    """One step of the consumer's background work, committed; 0 when there is none left (or it
    failed: the work is still missing, so a later step tries again)."""
    if consumer.catch_up is None:
        return 0
    try:
        done = consumer.catch_up(session, now)
        session.commit()
    except Exception:  # e.g. two workers storing the same row: the loser simply tries later
        session.rollback()
        log.warning("catch-up of %s failed", consumer.name, exc_info=True)
        return 0
    return done


def drain(session: Session, *, now: datetime, consumers: list[str] | None = None) -> int:
    """Process every due delivery (of the given consumers, or all), inline; for tests and CLI.

    Passes repeat until one runs nothing: a handler may record events for a consumer that has
    already had its turn (embeddings announce ``post_embedded`` to the search indexer)."""
    chosen = [c for c in registry.consumers.values() if consumers is None or c.name in consumers]
    total = 0
    while True:
        ran_in_pass = 0
        for consumer in chosen:
            while ran := process_batch(session, consumer, now=now):
                ran_in_pass += ran
        if not ran_in_pass:
            return total
        total += ran_in_pass


def pending_count(session: Session, consumer: str) -> int:
    query = select(func.count()).where(
        col(OutboxDelivery.consumer) == consumer, col(OutboxDelivery.done_at).is_(None)
    )
    return int(session.exec(query).one())
