"""Moving a whole category at once, and how long the workers take to follow it.

    python -m bench.bulk_move_bench [--threads 40000] [--seed 42] [--postgres URL]

What it does, in order:

1. A seeded database of ``--threads`` threads (``bench.common.scratch_database``: a scratch copy
   of the cached SQLite seed, or with ``--postgres URL`` that database wiped and seeded afresh),
   every outbox consumer of the app registered (``main.configure_consumers``).
2. The seeded threads' care rows, built by the care consumer's own ``catch_up``, and the search
   index, built by ``search.reindex.rebuild`` in a Meilisearch started for the run (or MEILI_URL's),
   so both consumers have rows and documents to rewrite, as in a live community.
3. The category with the most threads moved into another by ``moderation.bulk_move`` (the admin
   page's and the API's code), timed; then the outbox drained consumer by consumer, as the worker
   would: the care rows (``care.on_threads_moved``: the new category at once), the search
   documents (``search.indexer.on_threads_moved``), whatever other consumers were given, and
   last the care consumer's background rebuild of the moved rows (``care.catch_up``: deadlines
   and analytics facts, 500 rows per transaction).
4. A table of seconds per step; the figures are also written to
   bench/out/bulk-move-<threads>[-postgres].json.
"""

import argparse
import json
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from functools import partial

from rich.table import Table
from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

import main as app_main
from bench.common import OUT, console, dialect, discard, scratch_database
from bench.search_bench import bench_service, build_index, meilisearch_server
from community import events
from community.clock import FrozenClock
from community.db import make_engine
from community.models import Category, Role, Thread, User
from community.policy import Guardian
from moderation import bulk_move, care
from search import indexer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--postgres", metavar="URL", help="a PostgreSQL database to wipe and benchmark on"
    )
    args = parser.parse_args(argv)
    app_main.configure_consumers()
    url = scratch_database(threads=args.threads, seed=args.seed, postgres=args.postgres)
    engine = make_engine(url)
    steps: list[tuple[str, float, str]] = []
    try:
        with ExitStack() as stack:
            endpoint, data_dir = stack.enter_context(meilisearch_server(stack))
            steps.append(_timed("care rows of the seeded threads", partial(_care_rows, engine)))
            indexing, live = build_index(engine, endpoint, "bulkmove", data_dir)
            steps.append(("search index of the seeded threads", indexing.seconds, ""))
            service = bench_service(endpoint, "bulkmove")
            indexer.bind(indexer.ThreadsIndex(service.client, live))
            stack.callback(indexer.bind, None)
            moved, clock = _move_largest(engine, steps)
            for label, consumers in (
                ("care rows take the new category (care consumer)", [care.CONSUMER]),
                ("search documents follow (search consumer)", [indexer.CONSUMER]),
                ("every other consumer's deliveries", None),
            ):
                steps.append(_timed(label, partial(_drain, engine, clock, consumers)))
            steps.append(
                _timed(
                    "care rows rebuilt in the background (catch_up)",
                    partial(_care_rows, engine),
                )
            )
    finally:
        engine.dispose()
        discard(url)
    table = Table(title=f"Moving {moved:,} threads at once ({dialect(url)}, {args.threads:,})")
    for column in ("step", "seconds", "what"):
        table.add_column(column, justify="right" if column == "seconds" else "left")
    for label, seconds, what in steps:
        table.add_row(label, f"{seconds:.2f}", what)
    console.print(table)
    suffix = "-postgres" if args.postgres else ""
    out = OUT / f"bulk-move-{args.threads}{suffix}.json"
    figures = [{"step": label, "seconds": round(s, 3), "what": w} for label, s, w in steps]
    out.write_text(
        json.dumps({"threads": args.threads, "moved": moved, "steps": figures}, indent=2)
    )


def _timed(label: str, work: Callable[[], str]) -> tuple[str, float, str]:
    started = time.perf_counter()
    what = work()
    return label, time.perf_counter() - started, what


def _care_rows(engine: Engine) -> str:
    """The care consumer's background work until none is left, a batch per transaction."""
    now, consumer = datetime.now(UTC), care.consumer()
    built = batches = 0
    with Session(engine) as session:
        while done := events.catch_up(session, consumer, now=now):
            built, batches = built + done, batches + 1
    return f"{built:,} rows, {batches:,} transactions"


def _move_largest(engine: Engine, steps: list[tuple[str, float, str]]) -> tuple[int, FrozenClock]:
    """Move the fullest category's threads into the next fullest; nothing else is pending."""
    clock = FrozenClock(datetime.now(UTC))
    with Session(engine) as session:
        session.execute(
            update(events.OutboxDelivery)
            .where(col(events.OutboxDelivery.done_at).is_(None))
            .values(done_at=clock.now())
        )
        session.commit()
        fullest = session.exec(
            select(col(Thread.category_id), func.count())
            .group_by(col(Thread.category_id))
            .order_by(func.count().desc())
            .limit(2)
        ).all()
        source = session.get(Category, fullest[0][0])
        target = session.get(Category, fullest[1][0])
        moderator = session.exec(
            select(User).where(col(User.role) == Role.moderator).order_by(col(User.id))
        ).first()
        assert source is not None and target is not None and moderator is not None
        started = time.perf_counter()
        moved = bulk_move.move_all_threads(
            session, Guardian(moderator), source, target, clock=clock
        )
        seconds = time.perf_counter() - started
        pending = session.exec(
            select(func.count()).where(col(events.OutboxDelivery.done_at).is_(None))
        ).one()
        label = f"move {source.slug} → {target.slug}"
    steps.append(
        (
            label,
            seconds,
            f"{moved:,} threads, {pending:,} deliveries",
        )
    )
    return moved, clock


def _drain(engine: Engine, clock: FrozenClock, consumers: list[str] | None) -> str:
    with Session(engine) as session:
        ran = events.drain(session, now=clock.now(), consumers=consumers)
    return f"{ran:,} deliveries"


if __name__ == "__main__":
    main()
