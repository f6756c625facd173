"""``peerdesk worker`` subprocesses for tests: started with their own environment, their output
in a log file, stopped with SIGTERM."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

PEERDESK = Path(sys.executable).with_name("peerdesk")


class Worker:
    """One ``peerdesk worker --log-level debug`` subprocess, stdout and stderr in a log file."""

    def __init__(
        self, database_url: str, log: Path, *consumers: str, env: dict[str, str] | None = None
    ) -> None:
        self.log = log
        environment = {**os.environ, "DATABASE_URL": database_url}
        environment.update(env or {"PEERDESK_SEARCH_ENABLED": "false"})
        args = [str(PEERDESK), "worker", "--poll", "0.1", "--log-level", "debug"]
        for name in consumers:
            args += ["--consumer", name]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                args, env=environment, stdout=out, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text()

    def wait_started(self, timeout: float = 60) -> None:
        wait_for(lambda: f"worker {self.pid} started" in self.output(), timeout, self.output)

    def terminate(self, timeout: float = 20) -> int:
        """SIGTERM, then the exit code (killed, and the test failed, if it does not stop)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"worker {self.pid} ignored SIGTERM:\n{self.output()}") from None


def wait_for(condition: Callable[[], bool], timeout: float, explain: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s:\n{explain()}")
        time.sleep(0.2)


@contextmanager
def worker_pool(log_dir: Path) -> Iterator[Callable[..., Worker]]:
    """``start(database_url, *consumers, env=None)``; every worker a test left running is
    killed afterwards."""
    started: list[Worker] = []

    def start(database_url: str, *consumers: str, env: dict[str, str] | None = None) -> Worker:
        worker = Worker(database_url, log_dir / f"worker{len(started)}.log", *consumers, env=env)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait()
