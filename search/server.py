"""The Meilisearch server: a managed child process on loopback, or an external one (MEILI_URL)."""

import contextlib
import ctypes
import fcntl
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import httpx

from search.settings import SearchSettings

log = logging.getLogger("peerdesk.search")


class MeiliStartError(RuntimeError):
    """The managed Meilisearch could not be started (missing binary, crash, no health)."""


class MeiliAlreadyRunning(MeiliStartError):
    """Another process (the app, a CLI command) already runs Meilisearch on this data dir."""

    def __init__(self, endpoint: "MeiliEndpoint") -> None:
        super().__init__(f"meilisearch already running at {endpoint.url} on this data dir")
        self.endpoint = endpoint


@dataclass(frozen=True)
class MeiliEndpoint:
    """Where a Meilisearch answers and its master key (used only to mint the scoped key)."""

    url: str
    master_key: str


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def load_or_create_master_key(path: Path) -> str:
    """The master key kept in ``path`` (mode 600), generated on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    os.chmod(path, 0o600)
    key = path.read_text().strip()
    if len(key.encode()) < 16:
        raise MeiliStartError(f"master key in {path} is shorter than 16 bytes")
    return key


def wait_until_available(
    url: str, timeout: float, process: "subprocess.Popen[bytes] | None" = None
) -> None:
    """Poll GET /health until the server says it is available, or raise after ``timeout``."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=0.5) as http:
        while True:
            if process is not None and process.poll() is not None:
                raise MeiliStartError(f"meilisearch exited with status {process.returncode}")
            try:
                if http.get(f"{url}/health").json().get("status") == "available":
                    return
            except (httpx.HTTPError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise MeiliStartError(f"meilisearch at {url} not available after {timeout} s")
            time.sleep(0.02)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to SIGTERM the child if the process that started it dies without stopping it."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


class ManagedMeilisearch:
    """A Meilisearch child process bound to loopback, data and master key under ``var/``.

    ``start()`` returns once /health says available; ``stop()`` sends SIGTERM and kills after
    ``stop_timeout``. Usable as a context manager.
    """

    def __init__(
        self,
        settings: SearchSettings,
        *,
        data_dir: Path | None = None,
        master_key_file: Path | None = None,
        port: int | None = None,
    ) -> None:
        self.settings = settings
        self.binary = settings.meili_binary
        self.data_dir = data_dir or settings.data_dir
        self.master_key_file = master_key_file or settings.master_key_file
        self.host = settings.meili_host
        self.configured_port = settings.meili_port if port is None else port
        self.port = 0
        self.master_key = ""
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._lock_fd: int | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def endpoint(self) -> MeiliEndpoint:
        return MeiliEndpoint(self.url, self.master_key)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def log_file(self) -> Path:
        return self.data_dir / "meilisearch.log"

    @property
    def state_file(self) -> Path:
        """``{"url", "pid"}`` of the running server, for other processes on this data dir."""
        return self.data_dir / "server.json"

    def _lock_data_dir(self) -> None:
        """Hold an exclusive lock on the data dir; the child inherits it, so the lock lasts
        as long as the Meilisearch process even if this process dies without stopping it.
        Raises ``MeiliAlreadyRunning`` with the running server's endpoint when it is taken."""
        fd = os.open(self.data_dir / "server.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise MeiliAlreadyRunning(self._running_endpoint()) from None
        self._lock_fd = fd

    def _running_endpoint(self) -> MeiliEndpoint:
        """The endpoint another process published in ``server.json`` (waiting while it starts)."""
        deadline = time.monotonic() + self.settings.meili_start_timeout
        while True:
            try:
                url = str(json.loads(self.state_file.read_text())["url"])
                return MeiliEndpoint(url, self.master_key)
            except (OSError, ValueError, KeyError):
                if time.monotonic() > deadline:
                    raise MeiliStartError(
                        f"{self.data_dir} is locked by a Meilisearch that does not say where it is"
                    ) from None
                time.sleep(0.05)

    def _unlock_data_dir(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def start(self) -> Self:
        if self.running:
            return self
        if not (self.binary.is_file() and os.access(self.binary, os.X_OK)):
            raise MeiliStartError(f"meilisearch binary missing or not executable: {self.binary}")
        self.master_key = load_or_create_master_key(self.master_key_file)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock_data_dir()
        attempts = 1 if self.configured_port else 3
        for attempt in range(1, attempts + 1):
            self.port = self.configured_port or free_port(self.host)
            self._spawn()
            try:
                wait_until_available(self.url, self.settings.meili_start_timeout, self.process)
            except MeiliStartError:
                self._terminate()
                if attempt == attempts:
                    self._unlock_data_dir()
                    raise
                continue  # another process may have taken the free port: try a new one
            self.state_file.write_text(json.dumps({"url": self.url, "pid": self.pid}))
            log.info("meilisearch started at %s (pid %s)", self.url, self.pid)
            return self
        raise AssertionError("unreachable")  # pragma: no cover

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def _spawn(self) -> None:
        # Meilisearch reads MEILI_* variables too: pass only ours (options go on the command line).
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEILI_")}
        env["MEILI_MASTER_KEY"] = self.master_key  # not on the command line: `ps` shows that
        command = [
            str(self.binary),
            "--http-addr",
            f"{self.host}:{self.port}",
            "--db-path",
            str(self.data_dir / "data.ms"),
            "--dump-dir",
            str(self.data_dir / "dumps"),
            "--snapshot-dir",
            str(self.data_dir / "snapshots"),
            "--env",
            "production",
            "--no-analytics",
            "--max-indexing-memory",
            self.settings.meili_max_indexing_memory,
            "--max-indexing-threads",
            str(self.settings.meili_max_indexing_threads),
        ]
        self._log = self.log_file.open("ab")
        in_main_thread = threading.current_thread() is threading.main_thread()
        self.process = subprocess.Popen(
            command,
            cwd=self.data_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the app, which then stops us in order
            # PDEATHSIG follows the starting *thread*; only tie it to the main thread.
            preexec_fn=_die_with_parent if in_main_thread else None,
            pass_fds=() if self._lock_fd is None else (self._lock_fd,),
        )

    def _terminate(self) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=self.settings.meili_stop_timeout)
            except subprocess.TimeoutExpired:
                log.warning("meilisearch did not stop after SIGTERM; killing it")
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.state_file.unlink()
        self._terminate()
        self._unlock_data_dir()
        log.info("meilisearch stopped (exit status %s)", self.process.returncode)
        self.process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def external_endpoint(settings: SearchSettings) -> MeiliEndpoint:
    """The server named by MEILI_URL / MEILI_MASTER_KEY (nothing is started)."""
    return MeiliEndpoint(settings.meili_url.rstrip("/"), settings.meili_master_key)
