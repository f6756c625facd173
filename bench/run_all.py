"""`make bench`: the HTTP benchmark on SQLite at 10,000 and then 200,000 threads, each with one
client (latency of a page on an idle process: the p99 target) and with eight (saturation).

The second size shows whether the cost of each page stays flat as the community grows. The first
200,000-thread run seeds for a minute or two; later runs reuse the cached database in bench/out/.
"""

from bench import http_bench


def main() -> None:
    for threads in (10_000, 200_000):
        for concurrency in (1, 8):
            http_bench.main(
                ["--threads", str(threads), "--db", "sqlite", "--concurrency", str(concurrency)]
            )


if __name__ == "__main__":
    main()
