"""Background catch-up (work no event covers, such as seeded rows) runs only while the consumer's
events are all done, and a failing step changes nothing."""

from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from community import events, worker
from community.clock import FrozenClock

CONSUMER = "catch-up-test"


class Backlog:
    """A consumer with events to handle and, besides, rows to fix up a few at a time."""

    def __init__(self, rows: int) -> None:
        self.left = rows
        self.log: list[str] = []
        self.fail = False
        self.consumer = events.Consumer(
            name=CONSUMER, handlers={"thing_happened": self.handle}, catch_up=self.step
        )

    def handle(self, _session: Session, event: events.OutboxEvent) -> None:
        self.log.append(f"event {event.id}")

    def step(self, session: Session, now: datetime) -> int:
        if self.fail:
            events.record(session, "half_written", at=now)
            raise RuntimeError("the model is not there")
        done = min(2, self.left)
        self.left -= done
        if done:
            self.log.append(f"caught up {done}")
        return done


@pytest.fixture
def backlog(monkeypatch: pytest.MonkeyPatch) -> Backlog:
    backlog = Backlog(rows=3)
    monkeypatch.setattr(events.registry, "consumers", {CONSUMER: backlog.consumer})
    return backlog


def test_due_events_go_before_catch_up_which_then_runs_until_nothing_is_left(
    engine: Engine, session: Session, clock: FrozenClock, backlog: Backlog
) -> None:
    first = events.record(session, "thing_happened", at=clock.now(), thread_id=1)
    session.commit()

    assert worker.run_once(engine, clock) == 1
    assert backlog.log == [f"event {first.id}"]

    assert worker.run_once(engine, clock) == 2
    second = events.record(session, "thing_happened", at=clock.now(), thread_id=1)
    session.commit()
    assert worker.run_once(engine, clock) == 1
    assert worker.run_once(engine, clock) == 1
    assert worker.run_once(engine, clock) == 0

    assert backlog.log == [f"event {first.id}", "caught up 2", f"event {second.id}", "caught up 1"]


def test_a_failing_catch_up_step_leaves_nothing_half_written(
    engine: Engine, session: Session, clock: FrozenClock, backlog: Backlog
) -> None:
    backlog.fail = True

    assert worker.run_once(engine, clock) == 0

    session.expire_all()
    names = session.exec(select(events.OutboxEvent.name)).all()
    assert "half_written" not in names
    backlog.fail = False
    assert worker.run_once(engine, clock) == 2
