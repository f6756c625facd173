"""Care dashboard benchmark: /care/analytics, its JSON and its CSV over 100,000 threads.

    python -m bench.analytics_bench [--threads 100000] [--requests 100] [--seed 7] [--postgres URL]

1. The listening-queue benchmark's database (``bench.queue_bench.prepare``): the seeded
   community with signals on the questions (15% negative), a few flags and personal-data hides,
   and every thread's care row; a moderator with an API token. ``--postgres URL``: the same in
   that PostgreSQL database, wiped and seeded afresh.
2. The app in a subprocess (one process, worker off); one request at a time, ``--requests`` GETs
   of the dashboard (the default 28 days, a 90-day range, one category, one language), of
   ``GET /api/v1/analytics`` over 90 days and of the CSV export.
3. Latency percentiles per request; issue 7's target is the dashboard under 200 ms p95. Written
   to bench/out/analytics-results-<threads>[-postgres].json with the load average before and
   after.
"""

import argparse
import json
import os
from datetime import UTC, datetime, timedelta

import httpx
from rich.table import Table

from bench.common import OUT, app_server, console, dialect, discard
from bench.queue_bench import prepare, time_requests

TARGET_P95_MS = 200.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--postgres", metavar="URL", help="a PostgreSQL database to wipe and benchmark on"
    )
    args = parser.parse_args(argv)
    scratch_url, token, category = prepare(
        threads=args.threads, seed=args.seed, postgres=args.postgres
    )
    today = datetime.now(UTC).date()
    quarter = f"from={(today - timedelta(days=89)).isoformat()}&to={today.isoformat()}"
    paths = [
        "/care/analytics",
        f"/care/analytics?{quarter}",
        f"/care/analytics?{quarter}&category={category}",
        f"/care/analytics?{quarter}&language=it",
        f"/api/v1/analytics?{quarter}",
        f"/api/v1/analytics.csv?{quarter}",
    ]
    results = []
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    try:
        with app_server(scratch_url) as base:
            headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                first = client.get(paths[1])
                if first.status_code != 200:
                    raise SystemExit(f"{paths[1]} answered {first.status_code}: {first.text[:500]}")
                for path in paths:
                    results.append(time_requests(client, path, requests=args.requests))
    finally:
        discard(scratch_url)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    table = Table(
        title=f"Care analytics, {args.threads:,} threads "
        f"({dialect(scratch_url)}, one request at a time)"
    )
    table.add_column("request", overflow="fold")
    for column in ("requests", "errors", "p50 ms", "p95 ms", "p99 ms", "p95 < 200"):
        table.add_column(column, justify="right")
    for row in results:
        dashboard = str(row["endpoint"]).startswith("/care/")
        verdict = "PASS" if float(row["p95_ms"]) < TARGET_P95_MS else "MISS"
        table.add_row(
            str(row["endpoint"]),
            str(row["requests"]),
            str(row["errors"]),
            f"{row['p50_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
            f"{row['p99_ms']:.1f}",
            verdict if dashboard else "",
        )
    console.print(table)
    worst = max(float(r["p95_ms"]) for r in results if str(r["endpoint"]).startswith("/care/"))
    verdict = "met" if worst < TARGET_P95_MS else "MISSED"
    console.print(
        f"dashboard worst p95 {worst:.1f} ms: target p95 < {TARGET_P95_MS:.0f} ms {verdict}; "
        f"load average before {load_before}, after {load_after}"
    )
    suffix = "-postgres" if args.postgres else ""
    out = OUT / f"analytics-results-{args.threads}{suffix}.json"
    out.write_text(
        json.dumps(
            {
                "threads": args.threads,
                "load_average": {"before": load_before, "after": load_after},
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
