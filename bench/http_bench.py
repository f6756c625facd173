"""HTTP benchmark: the read pages people hit most, against a seeded database of a chosen size.

    python -m bench.http_bench --threads 200000 --db sqlite [--duration 10] [--concurrency 8]
    python -m bench.http_bench --threads 10000 --db postgres

What it does, in order:

1. A database with ``--threads`` seeded threads (``community.seed``, about 6.5 posts each).
   SQLite: a file under bench/out/, cached by size, seed and a hash of the migrations and the
   seed code, so only the first run pays for seeding. PostgreSQL: a private throwaway cluster
   (tests/pg.py), migrated and seeded on every run, stopped at the end.
2. The app in a subprocess, as ``peerdesk serve`` runs it (uvicorn ``main:create_app --factory``,
   one process, outbox worker off), on a free port of 127.0.0.1.
3. For each endpoint in turn, ``--concurrency`` asyncio clients send GET requests for
   ``--duration`` seconds (and at most ``--max-requests``): a thread page (random thread ids over
   the whole table), the largest category's first page, the same category ``--depth`` pages deep
   (its cursor found by following ``next_cursor`` through /api/v1/threads), the home page and the
   JSON thread list.
4. A table of requests/s, latency percentiles (ms) and errors (any status but 200, or no answer).

Run it at 10,000 and at 200,000 threads: keyset pagination and indexed lookups should keep every
row of the table about the same. The load generator shares the machine with the server, so the
figures are a floor, good for comparing runs, not for sizing hardware.
Only loopback addresses are used; every loop is bounded in time and in count.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC
from urllib.parse import urlencode

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, text

from bench.common import OUT, app_server, console, percentile_ms, seed_into, sqlite_database
from community.clock import SystemClock
from community.db import make_engine


@dataclass(frozen=True)
class Target:
    url: str
    threads: int
    posts: int
    first_thread_id: int
    last_thread_id: int
    category: str


@dataclass
class Result:
    endpoint: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    first_error: str

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# -- the database ------------------------------------------------------------------------------


@contextmanager
def postgres_database(*, threads: int, seed: int) -> Iterator[str]:
    from tests import pg

    if not pg.available():
        raise SystemExit(f"PostgreSQL server binaries are missing ({pg.PG_BIN})")
    cluster = pg.Cluster().start()
    try:
        url = cluster.create_database("peerdesk_bench")
        seed_into(url, threads=threads, seed=seed)
        yield url
    finally:
        cluster.stop()


def describe(url: str) -> Target:
    engine: Engine = make_engine(url)
    try:
        with engine.connect() as conn:
            first, last, count = conn.execute(
                text("SELECT MIN(id), MAX(id), COUNT(*) FROM thread")
            ).one()
            posts = conn.execute(text("SELECT COUNT(*) FROM post")).scalar_one()
            category = conn.execute(
                text("SELECT slug FROM category ORDER BY thread_count DESC, id LIMIT 1")
            ).scalar_one()
    finally:
        engine.dispose()
    return Target(url, int(count), int(posts), int(first), int(last), str(category))


# -- the server --------------------------------------------------------------------------------


def server(url: str) -> "contextlib.AbstractContextManager[str]":
    """The app without its outbox worker (nothing to drain: seeding writes no events)."""
    return app_server(url, worker=False)


def deep_cursor(base: str, category: str, depth: int) -> tuple[str | None, int]:
    """The cursor of page ``depth`` of a category (or of its last page), and that page's number."""
    cursor: str | None = None
    page = 1
    with httpx.Client(base_url=base, timeout=30) as client:
        while page < depth:
            params = {"category": category, **({"cursor": cursor} if cursor else {})}
            response = client.get("/api/v1/threads", params=params)
            response.raise_for_status()
            following = response.json().get("next_cursor")
            if not following:
                break
            cursor = following
            page += 1
    return cursor, page


# -- the load ----------------------------------------------------------------------------------


async def _drive(
    base: str,
    endpoint: str,
    next_path: Callable[[], str],
    *,
    duration: float,
    concurrency: int,
    max_requests: int,
) -> Result:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        for _ in range(min(20, max_requests)):  # warm the caches and the connection pool
            await client.get(next_path())
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + duration

        async def user() -> None:
            while loop.time() < deadline and len(latencies) + len(errors) < max_requests:
                path = next_path()
                sent = time.perf_counter()
                try:
                    response = await client.get(path)
                except httpx.HTTPError as exc:
                    errors.append(f"{path}: {type(exc).__name__}")
                    continue
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - sent)
                else:
                    errors.append(f"{path}: HTTP {response.status_code}")

        await asyncio.gather(*(user() for _ in range(concurrency)))
        elapsed = loop.time() - started
    ordered = sorted(latencies)
    return Result(
        endpoint=endpoint,
        requests=len(latencies),
        errors=len(errors),
        seconds=elapsed,
        p50_ms=percentile_ms(ordered, 0.50),
        p95_ms=percentile_ms(ordered, 0.95),
        p99_ms=percentile_ms(ordered, 0.99),
        first_error=errors[0] if errors else "",
    )


def run_load(base: str, target: Target, args: argparse.Namespace) -> list[Result]:
    rng = random.Random(args.seed)
    cursor, page = deep_cursor(base, target.category, args.depth)
    deep_path = f"/c/{target.category}" + (f"?{urlencode({'cursor': cursor})}" if cursor else "")

    def random_thread() -> str:
        return f"/t/{rng.randint(target.first_thread_id, target.last_thread_id)}"

    endpoints: list[tuple[str, Callable[[], str]]] = [
        ("thread /t/{random id}", random_thread),
        (f"category /c/{target.category} page 1", lambda: f"/c/{target.category}"),
        (f"category /c/{target.category} page {page}", lambda: deep_path),
        ("home page /", lambda: "/"),
        ("API /api/v1/threads?category=", lambda: f"/api/v1/threads?category={target.category}"),
    ]
    results = []
    for endpoint, next_path in endpoints:
        console.print(f"driving {endpoint} for {args.duration:g} s")
        results.append(
            asyncio.run(
                _drive(
                    base,
                    endpoint,
                    next_path,
                    duration=args.duration,
                    concurrency=args.concurrency,
                    max_requests=args.max_requests,
                )
            )
        )
    return results


def report(results: list[Result], target: Target, args: argparse.Namespace) -> None:
    table = Table(
        title=(
            f"{args.db}: {target.threads:,} threads, {target.posts:,} posts; "
            f"{args.concurrency} concurrent clients, {args.duration:g} s per endpoint"
        )
    )
    for column in ("endpoint", "requests/s", "p50 ms", "p95 ms", "p99 ms", "errors"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for result in results:
        table.add_row(
            result.endpoint,
            f"{result.per_second:,.1f}",
            f"{result.p50_ms:.1f}",
            f"{result.p95_ms:.1f}",
            f"{result.p99_ms:.1f}",
            str(result.errors),
        )
    Console(width=110).print(table)
    for result in results:
        if result.first_error:
            print(f"first error on {result.endpoint}: {result.first_error}")
    OUT.mkdir(parents=True, exist_ok=True)
    record = OUT / f"results-{args.db}-{target.threads}.json"
    record.write_text(
        json.dumps(
            {
                "at": SystemClock().now().astimezone(UTC).isoformat(),
                "db": args.db,
                "threads": target.threads,
                "posts": target.posts,
                "concurrency": args.concurrency,
                "duration": args.duration,
                "results": [asdict(r) | {"per_second": r.per_second} for r in results],
            },
            indent=2,
        )
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.http_bench", description=__doc__)
    parser.add_argument("--threads", type=int, default=10_000, help="threads to seed")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--depth", type=int, default=100, help="category page to time deep")
    parser.add_argument("--seed", type=int, default=42, help="seed of the data and the load")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per endpoint")
    args = parser.parse_args(argv)
    if not (0 < args.duration <= 600 and 0 < args.concurrency <= 256 and args.threads > 0):
        parser.error("duration must be in (0, 600], concurrency in (0, 256], threads > 0")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if shutil.which("runuser") is None and args.db == "postgres" and os.geteuid() == 0:
        raise SystemExit("runuser is needed to start PostgreSQL as root")
    if args.db == "sqlite":
        target = describe(sqlite_database(threads=args.threads, seed=args.seed))
        with server(target.url) as base:
            results = run_load(base, target, args)
    else:
        with postgres_database(threads=args.threads, seed=args.seed) as url:
            target = describe(url)
            with server(url) as base:
                results = run_load(base, target, args)
    report(results, target, args)


if __name__ == "__main__":
    main()
