"""A private, throwaway PostgreSQL cluster for tests, from Debian's server binaries."""

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests import live

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> bool:
    return (PG_BIN / "initdb").exists()


def _as_postgres(args: list[str]) -> None:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(args, check=True, capture_output=True)


class Cluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="peerdesk-pg-"))
        self.port = live.free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"

    def start(self) -> "Cluster":
        _as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ]
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        _as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.root / "log"),
                "-w",
                "-o",
                options,
                "start",
            ]
        )
        return self

    def create_database(self, name: str) -> str:
        _as_postgres([str(PG_BIN / "createdb"), "-h", str(self.root), "-p", str(self.port), name])
        return f"postgresql+psycopg://postgres@/{name}?host={self.root}&port={self.port}"

    def stop(self) -> None:
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"])
        for _ in range(50):
            if not pid_file.exists():
                break
            time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def scratch_database(server_url: str, *, migrated: bool = False) -> Iterator[str]:
    """A fresh, uniquely named database on the server of ``server_url``, dropped afterwards."""
    from sqlalchemy import make_url, text

    from community import migrate
    from community.db import make_engine

    name = f"scratch_{uuid.uuid4().hex[:12]}"
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        if migrated:
            migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
