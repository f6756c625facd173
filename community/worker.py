"""Drains the outbox: a background thread in the app process, or the `peerdesk worker` command."""

import logging
import threading
from collections.abc import Callable, Collection

from sqlalchemy import Engine
from sqlmodel import Session

from community import events
from community.clock import Clock

log = logging.getLogger("peerdesk.worker")

ProcessSetup = Callable[[Collection[str]], Callable[[], None]]
process_setups: list[ProcessSetup] = []
"""What a ``peerdesk worker`` process sets up before it drains, given the names of the consumers
it runs, each returning how to undo it: main.cli adds search, so that a worker process writes the
index as the app's own worker does."""


def run_once(engine: Engine, clock: Clock, only: Collection[str] | None = None) -> int:
    """One batch per consumer (of ``only``, when given); when no event was due, one step of
    background catch-up instead."""
    ran = 0
    consumers = [
        consumer
        for consumer in events.registry.consumers.values()
        if only is None or consumer.name in only
    ]
    with Session(engine, expire_on_commit=False) as session:
        for consumer in consumers:
            ran += events.process_batch(session, consumer, now=clock.now())
        if not ran:
            for consumer in consumers:
                ran += events.catch_up(session, consumer, now=clock.now())
    return ran


class OutboxWorker:
    """Runs every registered consumer, or only those named in ``only``; on PostgreSQL any number
    of workers may run at once (``events.claim`` locks with SKIP LOCKED)."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        poll_seconds: float,
        only: Collection[str] | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.only = only
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="outbox-worker", daemon=True)
        self._thread.start()

    def stop_soon(self) -> None:
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                ran = run_once(self.engine, self.clock, self.only)
            except Exception:  # keep draining after a database hiccup; the event stays pending
                log.exception("outbox batch failed")
                ran = 0
            if not ran:
                self._stop.wait(self.poll_seconds)
