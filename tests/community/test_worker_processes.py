"""Whole ``peerdesk worker`` processes: several drain one PostgreSQL outbox at once without
handling any event twice or losing one, and SIGTERM stops a worker cleanly.

Each worker runs with ``--log-level debug``, so every delivery it commits as done is one log line
``[pid N] peerdesk.outbox: event E NAME for CONSUMER: done``; the union of the workers' logs is
the record of who handled what.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, update
from sqlmodel import Session, col, select

import main
from community import events, kudos, posting, solutions
from community.clock import FrozenClock, SystemClock
from community.db import make_engine
from community.models import Notification, Post, Thread, User
from community.policy import Guardian
from community.security import rate_limiter
from search import embeddings, indexer
from tests import pg
from tests.factories import make_category, make_user
from tests.workers import Worker, wait_for, worker_pool

DONE = re.compile(r"\[pid (\d+)\] peerdesk\.outbox: event (\d+) (\w+) for ([\w-]+): done$")
# The consumers these workers run. Embeddings are left out (about 5 posts a second here would
# make the test slow) and stay pending; search runs, but with search disabled it has nowhere to
# write, so its deliveries fail, back off and wait for a worker that can reach Meilisearch.
RUN = ("notifications", "suggestions", indexer.CONSUMER)
EXPECT_DONE = ("notifications", "suggestions")


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    with worker_pool(tmp_path) as start:
        yield start


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    main.configure_consumers()  # the deliveries are those production would write
    with pg.scratch_database(postgres_url, migrated=True) as url:
        yield url


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


def _forum_activity(session: Session, clock: FrozenClock, *, threads: int) -> None:
    """A busy forum: threads, replies (some naming people), kudos, solutions and deletions."""
    users = [make_user(session, clock, username=f"member{n}") for n in range(12)]
    category = make_category(session, slug="fibra")

    def act() -> None:
        rate_limiter.reset()
        clock.advance(seconds=1)

    made: list[Thread] = []
    answers: dict[int, list[Post]] = {}
    for n in range(threads):
        act()
        asker = users[n % len(users)]
        thread = posting.create_thread(
            session,
            Guardian(asker),
            category=category,
            title=f"Modem number {n} keeps blinking",
            body=f"Since Monday modem {n} blinks red. @member{(n + 5) % 12} had this too?",
            tags=[],
            clock=clock,
        )
        made.append(thread)
        assert thread.id is not None
        answers[thread.id] = []
        for r in range(3):
            act()
            helper = users[(n + r + 1) % len(users)]
            answers[thread.id].append(
                posting.reply_to_thread(
                    session,
                    Guardian(helper),
                    thread,
                    body=f"Reply {r}: restart it, or ask @member{(n + r + 7) % 12}.",
                    clock=clock,
                )
            )
    for round_ in range(2):  # later replies arrive across all threads, interleaved
        for n, thread in enumerate(made):
            act()
            helper = users[(n + round_ + 4) % len(users)]
            assert thread.id is not None
            reply = posting.reply_to_thread(
                session, Guardian(helper), thread, body=f"Late reply {round_}.", clock=clock
            )
            answers[thread.id].append(reply)
            act()
            kudos.give_kudos(session, Guardian(users[n % len(users)]), reply, clock=clock)
    for n, thread in enumerate(made):
        assert thread.id is not None
        owner = session.get(User, thread.author_id)
        assert owner is not None
        if n % 3 == 0:
            act()
            solutions.accept_solution(
                session, Guardian(owner), thread, answers[thread.id][1], clock=clock
            )
        if n % 4 == 1:
            act()
            reply = answers[thread.id][0]
            author = session.get(User, reply.author_id)
            assert author is not None
            posting.delete_post(session, Guardian(author), reply, clock=clock)


def _deliveries(engine: Engine, consumer: str) -> list[events.OutboxDelivery]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(events.OutboxDelivery).where(col(events.OutboxDelivery.consumer) == consumer)
            )
        )


def _notifications(engine: Engine) -> list[tuple[int, int, str, int | None, bool]]:
    with Session(engine) as session:
        rows = session.exec(select(Notification)).all()
        return sorted((n.event_id, n.user_id, n.kind, n.post_id, n.read_at is None) for n in rows)


@pytest.mark.postgres
def test_three_worker_processes_handle_every_event_exactly_once(pg_url, pg_engine, workers):
    # The events are written dated a day ahead: nothing is due until all workers are up.
    clock = FrozenClock(SystemClock().now() + timedelta(days=1))
    with Session(pg_engine, expire_on_commit=False) as session:
        _forum_activity(session, clock, threads=80)
        recorded = session.exec(select(events.OutboxEvent.id, events.OutboxEvent.name)).all()
        names = {event_id: name for event_id, name in recorded if event_id is not None}
    assert len(names) >= 600

    def handled_by(consumer: str) -> set[int]:
        """The events ``consumer`` handles: the only ones it is given a delivery of."""
        wanted = events.registry.consumers[consumer].handlers
        return {event_id for event_id, name in names.items() if name in wanted}

    running = [workers(pg_url, *RUN) for _ in range(3)]
    for worker in running:
        worker.wait_started()
    with pg_engine.begin() as conn:  # the starting gun: every delivery is due now
        conn.execute(
            update(events.OutboxDelivery)
            .where(col(events.OutboxDelivery.consumer).in_(RUN))
            .values(available_at=SystemClock().now())
        )

    def all_done() -> bool:
        with Session(pg_engine) as session:
            return all(events.pending_count(session, name) == 0 for name in EXPECT_DONE)

    wait_for(all_done, 90, lambda: "\n".join(w.output()[-3000:] for w in running))
    codes = [worker.terminate() for worker in running]

    assert codes == [0, 0, 0]
    logs = [worker.output() for worker in running]
    assert all(f"worker {w.pid} stopped" in log for w, log in zip(running, logs, strict=True))
    handled = Counter(
        (int(m[2]), m[4]) for log in logs for line in log.splitlines() if (m := DONE.search(line))
    )
    by_pid = Counter(
        int(m[1]) for log in logs for line in log.splitlines() if (m := DONE.search(line))
    )
    # Nothing lost: every event's delivery to each consumer that ran was done, and logged.
    expected = {(event_id, name) for name in EXPECT_DONE for event_id in handled_by(name)}
    assert len(expected) >= 600
    assert set(handled) == expected
    # Nothing twice: across all three processes each (event, consumer) was handled once.
    assert [pair for pair, times in handled.items() if times > 1] == []
    # And it was a race: the work was shared, every line came from one of these workers.
    assert set(by_pid) <= {w.pid for w in running}
    assert len(by_pid) >= 2, by_pid
    for name in EXPECT_DONE:
        rows = _deliveries(pg_engine, name)
        assert {d.event_id for d in rows} == handled_by(name)
        assert all(d.done_at is not None and d.parked_at is None for d in rows)

    # Search had nowhere to write: nothing done, nothing dropped or parked, each thread's first
    # event tried (and backing off), the rest waiting behind it in order.
    search = _deliveries(pg_engine, indexer.CONSUMER)
    assert {d.event_id for d in search} == handled_by(indexer.CONSUMER)
    assert all(d.done_at is None and d.parked_at is None for d in search)
    tried = [d for d in search if d.attempts]
    assert tried and all("search is not configured" in (d.last_error or "") for d in tried)
    assert not any(name == indexer.CONSUMER for _, name in handled)
    # Embeddings were not run by these workers: untouched, still waiting for one that runs them.
    assert all(
        d.done_at is None and d.attempts == 0 for d in _deliveries(pg_engine, embeddings.CONSUMER)
    )

    # The effects equal one sequential worker's: handle the same deliveries again, inline.
    concurrent = _notifications(pg_engine)
    assert concurrent
    with pg_engine.begin() as conn:
        conn.execute(delete(Notification))
        conn.execute(
            update(events.OutboxDelivery)
            .where(col(events.OutboxDelivery.consumer) == "notifications")
            .values(done_at=None)
        )
    with Session(pg_engine, expire_on_commit=False) as session:
        events.drain(session, now=SystemClock().now(), consumers=["notifications"])
    assert _notifications(pg_engine) == concurrent


def test_sigterm_stops_an_idle_worker_cleanly(db, session, database_url, workers):
    worker = workers(database_url, "notifications")
    worker.wait_started()
    clock = SystemClock()
    asker = make_user(session, clock)
    helper = make_user(session, clock)
    thread = posting.create_thread(
        session,
        Guardian(asker),
        category=make_category(session),
        title="Fibra giù da stamattina",
        body="Nessuna luce sul modem.",
        tags=[],
        clock=clock,
    )
    posting.reply_to_thread(session, Guardian(helper), thread, body="Guasto in zona.", clock=clock)

    def replied() -> bool:
        session.expire_all()
        return bool(
            session.exec(select(Notification).where(Notification.user_id == asker.id)).all()
        )

    wait_for(replied, 30, worker.output)  # the worker is live: the asker heard of the reply

    assert worker.terminate(timeout=10) == 0
    assert f"worker {worker.pid} stopped" in worker.output()
    assert "Traceback" not in worker.output()
