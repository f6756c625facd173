"""Listening-queue benchmark: the moderators' queue page and API over 100,000 threads.

    python -m bench.queue_bench [--threads 100000] [--requests 300] [--seed 7] [--postgres URL]

What it does, in order:

1. A seeded SQLite database of ``--threads`` threads (``bench.common.sqlite_database``: the demo
   community of ``peerdesk seed``, cached in bench/out/), copied to a scratch file so the cache
   stays clean; or, with ``--postgres URL``, that PostgreSQL database wiped and seeded afresh
   (``bench.common.scratch_database``).
2. Signals as the signals worker would have stored them, for a seeded random share of the
   questions (negative, needs the brand, abusive), a few open flags and a few questions hidden for
   personal data; then every thread's CareThread row, built by the care consumer's own
   ``catch_up`` (the worker's path for seeded threads), timed.
3. The app in a subprocess (``bench.common.app_server``, one process, worker off) and a moderator
   with an API token; then, one request at a time, ``--requests`` GETs of each: the queue page,
   the page filtered by a reason and by a category, the htmx refresh (rows only), the JSON API,
   and the API 20 pages deep (keyset cursor).
4. A table of latency percentiles (ms) per endpoint; the target is p95 under 50 ms. Figures are
   also written to bench/out/queue-results-<threads>[-postgres].json.

The load generator shares the machine with the server: the figures are an upper bound.
"""

import argparse
import json
import random
import time
from datetime import UTC, datetime

import httpx
from rich.table import Table
from sqlalchemy import func, insert, text
from sqlmodel import Session, col, select

from bench.common import (
    OUT,
    app_server,
    console,
    dialect,
    discard,
    percentile_ms,
    scratch_database,
)
from community.db import make_engine
from community.models import ApiToken, Category, HiddenReason, Post, Role, Thread, User
from community.security import hash_password, new_api_token
from moderation import care
from moderation.models import CareThread, Flag, FlagKind, PostSignal

TARGET_P95_MS = 50.0


def prepare(*, threads: int, seed: int, postgres: str | None = None) -> tuple[str, str, str]:
    """A scratch seeded database (bench.common.scratch_database) with signals, flags and care
    rows; returns its URL, a moderator's API token and the slug of the largest category."""
    scratch_url = scratch_database(threads=threads, seed=seed, postgres=postgres)
    engine = make_engine(scratch_url)
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    with Session(engine) as session:
        questions = session.exec(
            select(col(Post.id), col(Post.thread_id), col(Post.created_at)).where(
                col(Post.post_number) == 1
            )
        ).all()
        members = list(session.exec(select(col(User.id)).limit(500)))
        signals, flags, hidden = [], [], []
        for post_id, thread_id, created_at in questions:
            draw = rng.random()
            negative = draw < 0.15
            needs = draw < 0.35
            toxic = rng.random() < 0.01
            signals.append(
                {
                    "post_id": post_id,
                    "thread_id": thread_id,
                    "model_version": "bench",
                    "language": rng.choice(["it", "it", "en"]),
                    "sentiment": "negative" if negative else "neutral",
                    "sentiment_score": round(rng.uniform(0.55, 0.99), 2),
                    "needs_brand": needs,
                    "needs_brand_score": 0.9 if needs else 0.1,
                    "toxic": toxic,
                    "toxic_score": 0.9 if toxic else 0.05,
                    "pii": "",
                    "computed_at": created_at,
                }
            )
            if rng.random() < 0.01:
                flags.append(
                    {
                        "post_id": post_id,
                        "thread_id": thread_id,
                        "flagger_id": rng.choice(members),
                        "kind": rng.choice(list(FlagKind)).value,
                        "comment": "",
                        "weight": 1.0,
                        "status": "open",
                        "created_at": created_at,
                    }
                )
            if rng.random() < 0.002:
                hidden.append(post_id)
        session.execute(insert(PostSignal), signals)
        if flags:
            session.execute(insert(Flag), flags)
        for chunk_start in range(0, len(hidden), 500):
            chunk = hidden[chunk_start : chunk_start + 500]
            session.execute(
                text(
                    "UPDATE post SET hidden_at = created_at, hidden_reason = :reason "
                    f"WHERE id IN ({','.join(str(i) for i in chunk)})"
                ),
                {"reason": HiddenReason.personal_data.value},
            )
        token, digest = new_api_token()
        moderator = User(
            username="bench_moderator",
            email="bench_moderator@example.com",
            display_name="Bench Moderator",
            password_hash=hash_password("bench moderator password"),
            role=Role.moderator,
            created_at=now,
        )
        session.add(moderator)
        session.flush()
        assert moderator.id is not None
        session.add(
            ApiToken(
                user_id=moderator.id,
                name="bench",
                token_hash=digest,
                prefix=token[:12],
                created_at=now,
            )
        )
        session.commit()
        console.print(
            f"signals for {len(signals):,} questions, {len(flags):,} open flags, "
            f"{len(hidden):,} questions hidden for personal data"
        )
        started = time.perf_counter()
        built = 0
        while step := care.catch_up(session, now):
            session.commit()
            built += step
        seconds = time.perf_counter() - started
        in_queue = session.exec(
            select(func.count()).where(col(CareThread.in_queue).is_(True))
        ).one()
        console.print(
            f"care rows: {built:,} built by catch_up in {seconds:.1f} s "
            f"({built / max(seconds, 1e-9):,.0f} threads/s); {in_queue:,} in the queue"
        )
        biggest = session.exec(
            select(Category.slug)
            .join(Thread, col(Thread.category_id) == col(Category.id))
            .group_by(col(Category.slug))
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        session.execute(text("ANALYZE"))
        session.commit()
    engine.dispose()
    return scratch_url, token, biggest


def time_requests(
    client: httpx.Client, path: str, *, requests: int, headers: dict[str, str] | None = None
) -> dict[str, float | int | str]:
    durations: list[float] = []
    errors = 0
    first_error = ""
    for _ in range(3):  # warm-up
        client.get(path, headers=headers)
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        durations.append(time.perf_counter() - started)
        if response.status_code != 200:
            errors += 1
            first_error = first_error or f"{response.status_code} {response.text[:200]}"
    durations.sort()
    return {
        "endpoint": path if not headers else f"{path} (htmx)",
        "requests": requests,
        "errors": errors,
        "p50_ms": round(percentile_ms(durations, 0.50), 2),
        "p95_ms": round(percentile_ms(durations, 0.95), 2),
        "p99_ms": round(percentile_ms(durations, 0.99), 2),
        "first_error": first_error,
    }


def deep_cursor(client: httpx.Client, depth: int) -> str:
    cursor = ""
    for _ in range(depth):
        params = {"cursor": cursor} if cursor else {}
        body = client.get("/api/v1/moderation/queue", params=params).json()
        cursor = body.get("next_cursor") or ""
        if not cursor:
            break
    return cursor


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres", metavar="URL", help="a PostgreSQL database to wipe and benchmark on"
    )
    args = parser.parse_args(argv)
    scratch_url, token, category = prepare(
        threads=args.threads, seed=args.seed, postgres=args.postgres
    )
    results = []
    try:
        with app_server(scratch_url) as base:
            headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
            with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                first = client.get("/mod/queue")
                if first.status_code != 200:
                    raise SystemExit(f"/mod/queue answered {first.status_code}: {first.text[:500]}")
                cursor = deep_cursor(client, 20)
                paths = [
                    "/mod/queue",
                    "/mod/queue?reason=negative",
                    f"/mod/queue?category={category}",
                    "/mod/queue?assignee=unclaimed&reason=breached",
                    "/api/v1/moderation/queue",
                    "/api/v1/moderation/queue?reason=needs_brand&language=it",
                    f"/api/v1/moderation/queue?cursor={cursor}",
                ]
                for path in paths:
                    results.append(time_requests(client, path, requests=args.requests))
                results.insert(
                    1,
                    time_requests(
                        client, "/mod/queue", requests=args.requests, headers={"HX-Request": "true"}
                    ),
                )
    finally:
        discard(scratch_url)
    table = Table(
        title=f"Listening queue, {args.threads:,} threads "
        f"({dialect(scratch_url)}, one request at a time)"
    )
    for column in ("endpoint", "requests", "errors", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for row in results:
        table.add_row(
            str(row["endpoint"])[:70],
            str(row["requests"]),
            str(row["errors"]),
            f"{row['p50_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
            f"{row['p99_ms']:.1f}",
        )
    console.print(table)
    worst = max(float(row["p95_ms"]) for row in results)
    verdict = "met" if worst < TARGET_P95_MS else "MISSED"
    console.print(f"worst p95 {worst:.1f} ms: target p95 < {TARGET_P95_MS:.0f} ms {verdict}")
    suffix = "-postgres" if args.postgres else ""
    out = OUT / f"queue-results-{args.threads}{suffix}.json"
    out.write_text(json.dumps({"threads": args.threads, "results": results}, indent=2))


if __name__ == "__main__":
    main()
