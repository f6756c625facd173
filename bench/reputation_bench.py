"""Reputation benchmark: profile and leaderboard latency against a seeded database.

    nice -n 10 .venv/bin/python -m bench.reputation_bench --threads 200000   # ~66,000 members
    .venv/bin/python -m bench.reputation_bench --threads 5000 --requests 50   # a quick check

1. The cached seeded SQLite database of the HTTP benchmark (bench/common.py). Seeding derives the
   reputation ledger, totals and leaderboard tallies from the seeded kudos and solutions
   (community.reputation_backfill), so members have reputation as on a live site. At 200,000
   threads the seed makes about 66,700 members (a third of the thread count, at least 20,000 as
   issue 6 asks).
2. The app in a subprocess as ``peerdesk serve`` runs it (one uvicorn process, no outbox worker:
   seeding writes no events), on a free loopback port.
3. One client, sequential requests (latency of a page on an idle process), after warm-up
   requests, ``--requests`` per row: the profile page ``/u/{username}`` of heavy members (the
   ``--heavy`` highest reputations: thousands of ledger rows, kudos and answers) and of light ones
   (members with some reputation, chosen at random); the leaderboard page and
   ``GET /api/v1/leaderboard`` for this week, this month and all time, overall and per category
   (a random category and a random board, points or solutions, per request).
4. A table of p50/p95/p99 (ms) and errors per row with PASS or MISS against the target of
   issue 6 (p95 < 50 ms), the load average before and after, and the same figures in
   ``bench/out/reputation-results-<threads>.json``.
"""

import argparse
import json
import os
import random
import time
from collections.abc import Callable
from datetime import UTC
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from bench.common import OUT, app_server, console, percentile_ms, sqlite_database
from community.clock import SystemClock
from community.db import make_engine

TARGET_P95_MS = 50.0
PERIODS = ("week", "month", "all")
BOARDS = ("points", "solutions")


def members(
    url: str, *, heavy: int, light: int, seed: int
) -> tuple[list[str], list[str], dict[str, int]]:
    """The heaviest members by reputation, a random sample of the others with some, and sizes."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            top = [
                row[0]
                for row in conn.execute(
                    text('SELECT username FROM "user" ORDER BY reputation DESC, id LIMIT :n'),
                    {"n": heavy},
                )
            ]
            rest = [
                row[0]
                for row in conn.execute(
                    text(
                        'SELECT username FROM "user" WHERE reputation > 0 '
                        "ORDER BY reputation DESC, id LIMIT -1 OFFSET :n"
                    ),
                    {"n": heavy},
                )
            ]
            sizes = {
                name: int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
                for name, table in (
                    ("members", '"user"'),
                    ("threads", "thread"),
                    ("posts", "post"),
                    ("ledger_rows", "reputation_entry"),
                    ("tallies", "reputation_tally"),
                )
            }
            sizes["categories"] = int(
                conn.execute(text("SELECT COUNT(*) FROM category")).scalar_one()
            )
    finally:
        engine.dispose()
    sample = random.Random(seed).sample(rest, min(light, len(rest)))
    return top, sample, sizes


def categories(client: httpx.Client) -> list[str]:
    response = client.get("/api/v1/categories")
    response.raise_for_status()
    return [item["slug"] for item in response.json()["items"]]


def time_paths(
    client: httpx.Client, label: str, next_path: Callable[[], str], *, requests: int, warm: int
) -> dict[str, Any]:
    for _ in range(warm):
        client.get(next_path())
    durations: list[float] = []
    errors = 0
    first_error = ""
    for _ in range(requests):
        path = next_path()
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        if response.status_code == 200:
            durations.append(elapsed)
        else:
            errors += 1
            first_error = first_error or f"{path}: {response.status_code} {response.text[:200]}"
    durations.sort()
    p95 = percentile_ms(durations, 0.95)
    return {
        "endpoint": label,
        "requests": requests,
        "errors": errors,
        "p50_ms": round(percentile_ms(durations, 0.50), 2),
        "p95_ms": round(p95, 2),
        "p99_ms": round(percentile_ms(durations, 0.99), 2),
        "verdict": "PASS" if durations and not errors and p95 < TARGET_P95_MS else "MISS",
        "first_error": first_error,
    }


def run(
    base: str, heavy: list[str], light: list[str], args: argparse.Namespace
) -> list[dict[str, Any]]:
    rng = random.Random(args.seed)
    results = []
    with httpx.Client(base_url=base, timeout=30, headers={"Accept-Language": "en"}) as client:
        slugs = categories(client)

        def profile(names: list[str]) -> Callable[[], str]:
            return lambda: f"/u/{rng.choice(names)}"

        def board(prefix: str, period: str, per_category: bool) -> Callable[[], str]:
            def path() -> str:
                query = f"period={period}&by={rng.choice(BOARDS)}"
                if per_category:
                    query += f"&category={rng.choice(slugs)}"
                return f"{prefix}?{query}"

            return path

        rows: list[tuple[str, Callable[[], str]]] = [
            (f"profile /u/{{name}}, {len(heavy)} heaviest members", profile(heavy)),
            (f"profile /u/{{name}}, {len(light)} random members", profile(light)),
        ]
        for prefix, name in (("/leaderboard", "page"), ("/api/v1/leaderboard", "API")):
            for period in PERIODS:
                rows.append((f"leaderboard {name} {period}, overall", board(prefix, period, False)))
                rows.append(
                    (f"leaderboard {name} {period}, per category", board(prefix, period, True))
                )
        for label, next_path in rows:
            console.print(f"timing {label}")
            results.append(
                time_paths(client, label, next_path, requests=args.requests, warm=args.warm)
            )
    return results


def report(
    results: list[dict[str, Any]],
    sizes: dict[str, int],
    load: dict[str, Any],
    args: argparse.Namespace,
) -> None:
    table = Table(
        title=(
            f"Reputation pages, SQLite: {sizes['threads']:,} threads, "
            f"{sizes['members']:,} members, {sizes['ledger_rows']:,} ledger rows; "
            f"one client, {args.requests} requests per row"
        )
    )
    for column in ("endpoint", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "p95 < 50 ms"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for row in results:
        table.add_row(
            row["endpoint"],
            str(row["requests"]),
            str(row["errors"]),
            f"{row['p50_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
            f"{row['p99_ms']:.1f}",
            row["verdict"],
        )
    Console(width=120).print(table)
    for row in results:
        if row["first_error"]:
            console.print(f"first error on {row['endpoint']}: {row['first_error']}")
    worst = max(results, key=lambda row: row["p95_ms"])
    verdict = "PASS" if all(row["verdict"] == "PASS" for row in results) else "MISS"
    console.print(
        f"{verdict}: worst p95 {worst['p95_ms']:.1f} ms ({worst['endpoint']}), target p95 < "
        f"{TARGET_P95_MS:.0f} ms; load average before {load['before']}, after {load['after']}"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"reputation-results-{sizes['threads']}.json"
    out.write_text(
        json.dumps(
            {
                "at": SystemClock().now().astimezone(UTC).isoformat(),
                "db": "sqlite",
                **sizes,
                "requests_per_row": args.requests,
                "target_p95_ms": TARGET_P95_MS,
                "verdict": verdict,
                "load_average": load,
                "results": results,
            },
            indent=2,
        )
    )
    console.print(f"written {out.relative_to(OUT.parent.parent)}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.reputation_bench", description=__doc__)
    parser.add_argument("--threads", type=int, default=200_000, help="threads to seed")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per row")
    parser.add_argument("--warm", type=int, default=10, help="warm-up requests per row")
    parser.add_argument("--heavy", type=int, default=20, help="heaviest members to profile")
    parser.add_argument("--light", type=int, default=500, help="random members to profile")
    parser.add_argument("--seed", type=int, default=42, help="seed of the data and the load")
    args = parser.parse_args(argv)
    if not (args.threads > 0 and 0 < args.requests <= 100_000 and args.heavy > 0):
        parser.error("threads, requests and heavy must be positive (requests at most 100,000)")
    return args


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    url = sqlite_database(threads=args.threads, seed=args.seed)
    heavy, light, sizes = members(url, heavy=args.heavy, light=args.light, seed=args.seed)
    if sizes["ledger_rows"] == 0:
        raise SystemExit("the seeded database has no reputation ledger: reseed it")
    load = {"before": load_average()}
    with app_server(url) as base:
        results = run(base, heavy, light, args)
    load["after"] = load_average()
    report(results, sizes, load, args)


if __name__ == "__main__":
    main()
