"""What the benchmarks share: a cached seeded SQLite database (or a PostgreSQL one seeded afresh),
the app in a subprocess, percentiles.

``sqlite_database`` seeds with ``community.seed`` (the code behind ``peerdesk seed``) and caches the
file in bench/out/ by size, seed and a hash of the migrations and the seed code (with the
reputation code it runs), so only the first run at a size pays for seeding. ``app_server``
starts the app as ``peerdesk serve`` runs it (uvicorn ``main:create_app --factory``, one
process) on a free loopback port.
"""

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx
from rich.console import Console

from community import migrate
from community.clock import SystemClock
from community.db import make_engine
from community.seed import loader
from community.settings import PROJECT_ROOT

OUT = PROJECT_ROOT / "bench" / "out"
HOST = "127.0.0.1"
console = Console(stderr=True)


# -- the database ------------------------------------------------------------------------------


def source_key() -> str:
    """Changes when the schema or the seed does, so a stale cached database is never reused."""
    sha = hashlib.sha256()
    for folder, pattern in (
        ("migrations/versions", "*.py"),
        ("community/seed", "*.py"),
        ("community", "reputation*.py"),  # the seed derives the ledger (reputation_backfill)
    ):
        for path in sorted((PROJECT_ROOT / folder).glob(pattern)):
            sha.update(path.name.encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()[:10]


def seed_now() -> datetime:
    return SystemClock().now().replace(minute=0, second=0, microsecond=0)


def seed_into(url: str, *, threads: int, seed: int) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        summary = loader.seed(
            engine, threads=threads, seed=seed, now=seed_now(), show_progress=True
        )
    finally:
        engine.dispose()
    console.print(
        f"seeded {summary.threads:,} threads and {summary.posts:,} posts in {summary.seconds:.1f} s"
    )


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def sqlite_database(*, threads: int, seed: int) -> str:
    """The URL of a seeded SQLite file, seeded now or reused from bench/out/."""
    OUT.mkdir(parents=True, exist_ok=True)
    stem = f"seed-{threads}-s{seed}"
    path = OUT / f"{stem}-{source_key()}.db"
    if path.exists():
        console.print(f"reusing {path.relative_to(PROJECT_ROOT)}")
        return f"sqlite:///{path}"
    for stale in OUT.glob(f"{stem}-*.db*"):
        stale.unlink()
    partial = path.with_suffix(".partial")
    for leftover in OUT.glob(partial.name + "*"):
        leftover.unlink()
    seed_into(f"sqlite:///{partial}", threads=threads, seed=seed)
    partial.rename(path)  # only a complete seed is ever cached
    return f"sqlite:///{path}"


def scratch_database(*, threads: int, seed: int, postgres: str | None) -> str:
    """A database the benchmark may write to: a copy of the cached SQLite seed in bench/out/, or,
    with ``postgres``, that PostgreSQL database wiped (its ``public`` schema dropped) and seeded
    afresh."""
    if postgres is None:
        source = sqlite_path(sqlite_database(threads=threads, seed=seed))
        scratch = OUT / f"scratch-{threads}-s{seed}.db"
        discard(f"sqlite:///{scratch}")
        shutil.copyfile(source, scratch)
        return f"sqlite:///{scratch}"
    engine = make_engine(postgres)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()
    seed_into(postgres, threads=threads, seed=seed)
    return postgres


def discard(url: str) -> None:
    """Delete a scratch SQLite file (and its journal); a PostgreSQL database is left as it is."""
    if url.startswith("sqlite:///"):
        for leftover in OUT.glob(sqlite_path(url).name + "*"):
            leftover.unlink()


def dialect(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


# -- the app -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def app_server(
    url: str,
    *,
    worker: bool = False,
    env: Mapping[str, str] | None = None,
    start_timeout: float = 60.0,
) -> Iterator[str]:
    """The app on a free loopback port (its base URL), stopped on exit.

    ``worker``: the in-process outbox worker, as ``peerdesk serve`` runs it; ``env`` adds or
    overrides environment variables of the app process.
    """
    port = free_port()
    var_dir = OUT / "var"
    var_dir.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "PEERDESK_RUN_WORKER_IN_PROCESS": "true" if worker else "false",
        "PEERDESK_VAR_DIR": str(var_dir),
        **(env or {}),
    }
    log_path = OUT / f"server-{port}.log"
    command = [
        sys.executable, "-m", "uvicorn", "main:create_app", "--factory",
        "--host", HOST, "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=log
        )
    base = f"http://{HOST}:{port}"
    try:
        _wait_until_up(base, process, log_path, start_timeout)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log_path.unlink(missing_ok=True)


def _wait_until_up(
    base: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/api/v1/categories", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(
        f"the server did not answer within {timeout:g} s:\n{log_path.read_text()[-3000:]}"
    )


# -- figures -----------------------------------------------------------------------------------


def percentile_ms(ordered: list[float], share: float) -> float:
    """The ``share`` percentile (nearest rank) of sorted durations in seconds, in milliseconds."""
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index] * 1000
