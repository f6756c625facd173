"""The outbox never loses an event: failures are retried with backoff, poison events are parked,
one thread's events run in order, and a handler's half-done work is rolled back."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from community import events
from community.clock import FrozenClock
from community.db import make_engine
from tests import pg

TEST_CONSUMER = "outbox-test"


class Recorder:
    """A consumer whose handler remembers what it ran and fails for the events told to."""

    def __init__(self) -> None:
        self.ran: list[int] = []
        self.failing: set[int] = set()
        self.consumer = events.Consumer(
            name=TEST_CONSUMER, handlers={"thing_happened": self.handle}
        )

    def handle(self, _session: Session, event: events.OutboxEvent) -> None:
        assert event.id is not None
        if event.id in self.failing:
            raise RuntimeError(f"cannot handle {event.id}")
        self.ran.append(event.id)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setitem(events.registry.consumers, TEST_CONSUMER, recorder.consumer)
    return recorder


def _record(session: Session, clock: FrozenClock, thread_id: int | None) -> int:
    event = events.record(session, "thing_happened", at=clock.now(), thread_id=thread_id, n=1)
    session.commit()
    assert event.id is not None
    return event.id


def _run(session: Session, recorder: Recorder, clock: FrozenClock) -> int:
    return events.process_batch(session, recorder.consumer, now=clock.now())


def _delivery(session: Session, event_id: int) -> events.OutboxDelivery:
    session.expire_all()
    delivery = session.get(events.OutboxDelivery, (event_id, TEST_CONSUMER))
    assert delivery is not None
    return delivery


def test_every_registered_consumer_gets_its_own_delivery(session, clock, recorder):
    event_id = _record(session, clock, thread_id=None)

    consumers = session.exec(
        select(events.OutboxDelivery.consumer).where(events.OutboxDelivery.event_id == event_id)
    ).all()

    assert TEST_CONSUMER in events.registry.consumers
    assert sorted(consumers) == sorted(events.registry.consumers)


def test_a_delivered_event_is_done_and_not_run_again(session, clock, recorder):
    event_id = _record(session, clock, thread_id=None)

    assert _run(session, recorder, clock) == 1
    assert _run(session, recorder, clock) == 0

    assert recorder.ran == [event_id]
    assert _delivery(session, event_id).done_at == clock.now()


def test_a_failing_handler_is_retried_with_growing_backoff(session, clock, recorder):
    event_id = _record(session, clock, thread_id=None)
    recorder.failing.add(event_id)

    _run(session, recorder, clock)
    first = _delivery(session, event_id)
    assert first.attempts == 1
    assert first.done_at is None
    assert first.last_error == f"RuntimeError: cannot handle {event_id}"
    assert first.available_at == clock.now() + timedelta(seconds=2)

    assert _run(session, recorder, clock) == 0  # not due yet
    clock.advance(seconds=2)
    _run(session, recorder, clock)
    second = _delivery(session, event_id)
    assert second.attempts == 2
    assert second.available_at == clock.now() + timedelta(seconds=4)

    recorder.failing.clear()
    clock.advance(seconds=4)
    _run(session, recorder, clock)
    assert recorder.ran == [event_id]
    assert _delivery(session, event_id).done_at == clock.now()


def test_backoff_is_capped_at_an_hour():
    assert events.backoff(1) == timedelta(seconds=2)
    assert events.backoff(30) == timedelta(hours=1)


def test_a_poison_event_is_parked_with_its_error_after_max_attempts(session, clock, recorder):
    event_id = _record(session, clock, thread_id=None)
    recorder.failing.add(event_id)

    for attempt in range(1, events.MAX_ATTEMPTS + 1):
        assert _run(session, recorder, clock) == 1, attempt
        clock.advance(events.backoff(attempt))

    parked = _delivery(session, event_id)
    assert parked.attempts == events.MAX_ATTEMPTS
    assert parked.parked_at is not None
    assert parked.last_error == f"RuntimeError: cannot handle {event_id}"
    clock.advance(hours=24)
    assert _run(session, recorder, clock) == 0  # parked: never retried on its own
    assert session.get(events.OutboxEvent, event_id) is not None  # and never dropped


def test_a_threads_events_run_in_order_while_other_threads_go_on(session, clock, recorder):
    first = _record(session, clock, thread_id=1)
    second = _record(session, clock, thread_id=1)
    other = _record(session, clock, thread_id=2)
    no_thread = _record(session, clock, thread_id=None)
    recorder.failing.add(first)

    _run(session, recorder, clock)
    assert recorder.ran == [other, no_thread]  # ``second`` waits for ``first``

    clock.advance(minutes=1)
    _run(session, recorder, clock)
    assert recorder.ran == [other, no_thread]  # ``first`` failed again: still waiting

    recorder.failing.clear()
    clock.advance(minutes=1)
    _run(session, recorder, clock)  # ``first`` runs; ``second`` is claimed by the next batch
    _run(session, recorder, clock)
    assert recorder.ran == [other, no_thread, first, second]


def test_a_parked_event_stops_blocking_its_thread(session, clock, recorder):
    poison = _record(session, clock, thread_id=7)
    later = _record(session, clock, thread_id=7)
    recorder.failing.add(poison)

    for attempt in range(1, events.MAX_ATTEMPTS + 1):
        _run(session, recorder, clock)
        clock.advance(events.backoff(attempt))
    _run(session, recorder, clock)

    assert _delivery(session, poison).parked_at is not None
    assert recorder.ran == [later]


def test_a_failing_handler_leaves_nothing_half_done(session, clock, recorder):
    event_id = _record(session, clock, thread_id=None)

    def half_done(session: Session, _event: events.OutboxEvent) -> None:
        session.add(events.OutboxEvent(name="side_effect", payload="{}", created_at=clock.now()))
        session.flush()
        raise RuntimeError("half way")

    recorder.consumer.handlers = {"thing_happened": half_done}
    _run(session, recorder, clock)

    assert _delivery(session, event_id).attempts == 1
    names = session.exec(select(events.OutboxEvent.name)).all()
    assert "side_effect" not in names


def test_events_of_unknown_names_are_simply_done(session, clock, recorder):
    event = events.record(session, "something_new", at=clock.now())
    session.commit()
    assert event.id is not None

    _run(session, recorder, clock)

    assert _delivery(session, event.id).done_at == clock.now()


def _shape(session: Session, event: events.OutboxEvent) -> tuple[object, ...]:
    """An event as its consumers see it, with its deliveries, leaving out the ids."""
    deliveries = session.exec(
        select(events.OutboxDelivery).where(events.OutboxDelivery.event_id == event.id)
    ).all()
    return (
        event.name,
        event.data,
        event.thread_id,
        event.created_at,
        sorted(
            (d.consumer, d.thread_id, d.attempts, d.available_at, d.done_at, d.parked_at)
            for d in deliveries
        ),
    )


def test_events_recorded_together_are_those_recorded_one_by_one(
    session, clock, recorder, monkeypatch
):
    monkeypatch.setattr(events, "RECORD_CHUNK", 2)  # three threads take two chunks
    threads = [7, 3, 9]
    for thread_id in threads:
        events.record(session, "thing_happened", at=clock.now(), thread_id=thread_id, n=1)
    recorded = events.record_each(
        session, "thing_happened", at=clock.now(), thread_ids=threads, n=1
    )
    session.commit()

    rows = session.exec(select(events.OutboxEvent).order_by(col(events.OutboxEvent.id))).all()
    assert recorded == 3 and len(rows) == 6
    one_by_one, together = rows[:3], rows[3:]
    assert [e.thread_id for e in together] == threads
    assert [_shape(session, e) for e in together] == [_shape(session, e) for e in one_by_one]
    assert events.drain(session, now=clock.now(), consumers=[TEST_CONSUMER]) == 6
    assert recorder.ran == [e.id for e in rows]
    assert events.record_each(session, "thing_happened", at=clock.now(), thread_ids=[]) == 0


def test_drain_runs_every_consumer_until_nothing_is_due(session, clock, recorder):
    ids = [_record(session, clock, thread_id=3) for _ in range(3)]

    ran = events.drain(session, now=clock.now())

    assert recorder.ran == ids
    assert ran >= 6  # three for this consumer, three for notifications, and the others'
    for consumer in (TEST_CONSUMER, "notifications"):
        assert events.pending_count(session, consumer) == 0


# PostgreSQL: several workers claim concurrently ---------------------------------------------


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    with pg.scratch_database(postgres_url, migrated=True) as url:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.mark.postgres
def test_concurrent_workers_never_run_one_threads_events_at_once(pg_engine, clock, recorder):
    with Session(pg_engine, expire_on_commit=False) as session:
        first = _record(session, clock, thread_id=1)
        _record(session, clock, thread_id=1)
        other = _record(session, clock, thread_id=2)

    with (
        Session(pg_engine, expire_on_commit=False) as worker_a,
        Session(pg_engine, expire_on_commit=False) as worker_b,
    ):
        claimed_a = events.claim(worker_a, TEST_CONSUMER, now=clock.now(), limit=1)
        # Worker A holds ``first`` (uncommitted); B skips it and must not take ``second`` either.
        claimed_b = events.claim(worker_b, TEST_CONSUMER, now=clock.now(), limit=10)

        assert [d.event_id for d in claimed_a] == [first]
        assert [d.event_id for d in claimed_b] == [other]
        worker_a.rollback()
        worker_b.rollback()


def test_drain_also_runs_events_that_a_later_consumer_records_for_an_earlier_one(
    session, clock, recorder, monkeypatch
):
    def announce(session: Session, event: events.OutboxEvent) -> None:
        if event.name == "thing_happened":
            events.record(session, "thing_happened_later", at=event.created_at, thread_id=9)

    recorder.consumer.handlers = {
        **recorder.consumer.handlers,
        "thing_happened_later": recorder.handle,
    }
    follower = events.Consumer(name="outbox-follower", handlers={"thing_happened": announce})
    monkeypatch.setitem(events.registry.consumers, "outbox-follower", follower)
    first = _record(session, clock, thread_id=9)

    events.drain(session, now=clock.now())

    assert len(recorder.ran) == 2 and recorder.ran[0] == first
    assert events.pending_count(session, TEST_CONSUMER) == 0
