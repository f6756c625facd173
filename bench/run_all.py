"""`make bench`: the HTTP benchmark on SQLite at 10,000 and then 200,000 threads, each with one
client (latency of a page on an idle process: the p99 target) and with eight (saturation); then
the search benchmark at 100,000 threads (indexing, search and suggestion latency, lag).

The second size shows whether the cost of each page stays flat as the community grows. The first
200,000-thread run seeds for a minute or two; later runs reuse the cached database in bench/out/.
The first search run embeds about 1,200 distinct titles (a minute); later runs reuse the vectors
cached in var/bench/. Then the listening-queue benchmark at 100,000 threads (queue page and API
latency; building the care rows takes under two minutes).
Then the signals benchmark (sentiment macro-F1 per language on the held-out
split, signals throughput on one core; the first run embeds the held-out rows, ~2 minutes).
"""

from bench import http_bench, queue_bench, search_bench, signals_bench


def main() -> None:
    for threads in (10_000, 200_000):
        for concurrency in (1, 8):
            http_bench.main(
                ["--threads", str(threads), "--db", "sqlite", "--concurrency", str(concurrency)]
            )
    search_bench.main(["--threads", "100000"])
    queue_bench.main(["--threads", "100000"])
    signals_bench.main([])


if __name__ == "__main__":
    main()
