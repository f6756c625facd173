"""The outbox never loses an event: failures are retried with backoff, poison events are parked,
one thread's events run in order, and a handler's half-done work is rolled back."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from community import events
from community.clock import FrozenClock

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


def test_every_consumer_that_handles_the_event_gets_its_own_delivery(
    session, clock, recorder, monkeypatch
):
    another = events.Consumer(name="outbox-test-2", handlers={"thing_happened": recorder.handle})
    elsewhere = events.Consumer(name="outbox-test-3", handlers={"other_thing": recorder.handle})
    for consumer in (another, elsewhere):
        monkeypatch.setitem(events.registry.consumers, consumer.name, consumer)
    event_id = _record(session, clock, thread_id=None)

    consumers = session.exec(
        select(events.OutboxDelivery.consumer).where(events.OutboxDelivery.event_id == event_id)
    ).all()

    # Not the one that handles other events only, nor the app's own (none handles this name).
    assert sorted(consumers) == [TEST_CONSUMER, another.name]


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


def test_an_event_nobody_handles_is_kept_with_nothing_to_deliver(session, clock, recorder):
    event = events.record(session, "something_new", at=clock.now(), thread_id=3)
    session.commit()

    assert session.get(events.OutboxEvent, event.id) is not None
    assert session.exec(select(events.OutboxDelivery)).all() == []
    assert events.drain(session, now=clock.now()) == 0


def test_drain_runs_every_consumer_until_nothing_is_due(session, clock, recorder):
    ids = [_record(session, clock, thread_id=3) for _ in range(3)]

    ran = events.drain(session, now=clock.now())

    assert recorder.ran == ids and ran == 3
    assert events.pending_count(session, TEST_CONSUMER) == 0


# PostgreSQL: several workers claim concurrently ---------------------------------------------


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


# SQLite: another writer commits while a handler is reading ---------------------------------------


class ReadThenWrite:
    """A handler that reads, lets another connection commit a write (a member posting while the
    worker runs), then writes: SQLite cannot turn that stale read snapshot into a write
    transaction, and says "database is locked" at once instead of waiting."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.calls = 0
        self.consumer = events.Consumer(
            name=TEST_CONSUMER, handlers={"thing_happened": self.handle}
        )

    def handle(self, session: Session, event: events.OutboxEvent) -> None:
        self.calls += 1
        session.exec(select(events.OutboxEvent.id)).all()
        if self.calls == 1:  # one post meanwhile
            with Session(self.engine) as other:
                events.record(other, "elsewhere", at=event.created_at)
                other.commit()
        events.record(session, "side_effect", at=event.created_at, of=event.id)


def test_a_write_committed_meanwhile_by_another_connection_costs_a_rerun_not_an_attempt(
    engine, session, clock, monkeypatch, caplog
):
    handler = ReadThenWrite(engine)
    monkeypatch.setitem(events.registry.consumers, TEST_CONSUMER, handler.consumer)
    event_id = _record(session, clock, thread_id=3)

    with caplog.at_level("INFO", logger="peerdesk.outbox"):
        assert events.process_batch(session, handler.consumer, now=clock.now()) == 1

    delivery = _delivery(session, event_id)
    assert delivery.done_at == clock.now() and delivery.attempts == 0
    effects = session.exec(
        select(events.OutboxEvent).where(col(events.OutboxEvent.name) == "side_effect")
    ).all()
    assert [e.data["of"] for e in effects] == [event_id]  # once, although it ran twice on SQLite
    assert handler.calls == (2 if engine.dialect.name == "sqlite" else 1)
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
