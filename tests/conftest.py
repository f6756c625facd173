"""Shared fixtures: a migrated database (SQLite, or PostgreSQL from TEST_DATABASE_URL), a frozen
clock, the app with a TestClient, and helpers to sign in and drain the outbox."""

import email
import email.policy
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

_TMP = Path(tempfile.mkdtemp(prefix="peerdesk-test-"))
os.environ.setdefault("PEERDESK_VAR_DIR", str(_TMP / "var"))
os.environ["PEERDESK_SECRET_KEY"] = "test-secret-not-for-production"
os.environ["PEERDESK_ARGON2_TIME_COST"] = "1"
os.environ["PEERDESK_ARGON2_MEMORY_KIB"] = "1024"
os.environ.pop("DATABASE_URL", None)
# Ordinary tests run without Meilisearch; tests/search/ passes its own SearchSettings to create_app.
os.environ["PEERDESK_SEARCH_ENABLED"] = "false"

import pytest  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import SMTP, Envelope  # noqa: E402
from aiosmtpd.smtp import Session as SMTPSession  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

import main  # noqa: E402
import moderation.models  # noqa: E402, F401  (its tables are wiped between tests too)
from community import events, migrate  # noqa: E402
from community.clock import FrozenClock  # noqa: E402
from community.db import make_engine  # noqa: E402
from community.models import Role, User  # noqa: E402
from community.security import rate_limiter  # noqa: E402
from community.settings import get_settings  # noqa: E402
from tests import helpers, pg  # noqa: E402
from tests.factories import make_user  # noqa: E402
from tests.moderation.brand_helpers import client_for  # noqa: E402

IS_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{_TMP / 'test.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    main.configure_consumers()
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _wipe(engine: Engine) -> None:
    tables = [t for t in SQLModel.metadata.sorted_tables if t.name != "alembic_version"]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


@pytest.fixture
def db(engine: Engine) -> Engine:
    """The engine, over an empty (but migrated) database."""
    _wipe(engine)
    return engine


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Every test starts with no posts, sign-ups or logins counted against anyone, whether or not
    it uses the shared database (tests on their own scratch databases post too)."""
    rate_limiter.reset()


@pytest.fixture
def session(db: Engine) -> Iterator[Session]:
    with Session(db, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    """An engine on a migrated PostgreSQL database of its own, for tests that need several
    connections at once (the ``session`` fixture's database is wiped, not dropped)."""
    with pg.scratch_database(postgres_url, migrated=True) as url:
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def app(db: Engine, clock: FrozenClock):
    return main.create_app(get_settings(), engine=db, clock=clock, start_worker=False)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    # English by default so assertions read naturally; Italian tests ask for it explicitly.
    with TestClient(
        app, base_url="https://testserver", headers={"Accept-Language": "en"}
    ) as client:
        yield client


@pytest.fixture
def admin(session: Session, clock: FrozenClock) -> User:
    return make_user(session, clock, username="boss", role=Role.admin)


@pytest.fixture
def admin_client(app, admin: User) -> TestClient:
    """The app as the ``admin`` fixture's administrator, signed in with a session cookie."""
    return client_for(app, admin)


@pytest.fixture(name="login")
def login_fixture():
    """``login(client, user_or_username, password=PASSWORD)``: sign in through POST /login."""
    return helpers.login


@pytest.fixture(name="csrf_token")
def csrf_token_fixture():
    """``csrf_token(client)``: the CSRF token of the client's current session."""
    return helpers.csrf_token


def drain(session: Session, clock: FrozenClock) -> int:
    """Run the outbox worker inline until nothing is due."""
    session.expire_all()
    return events.drain(session, now=clock.now())


Mailbox = Callable[[], list[EmailMessage]]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """The messages written to the pickup directory during the test, oldest first."""
    directory = get_settings().var_dir / "mail"
    shutil.rmtree(directory, ignore_errors=True)

    def read() -> list[EmailMessage]:
        found = directory.glob("*.eml") if directory.exists() else []
        paths = sorted(found, key=lambda path: path.stat().st_mtime_ns)
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in paths
        ]

    yield read
    shutil.rmtree(directory, ignore_errors=True)


class Inbox:
    """What a real SMTP server on loopback (the ``smtp_server`` fixture) was given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(
        self,
        _server: SMTP,
        _session: SMTPSession,
        envelope: Envelope,
        address: str,
        _opts: list[str],
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: SMTP, _session: SMTPSession, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted"


@pytest.fixture
def smtp_server(monkeypatch) -> Iterator[Inbox]:
    """A real SMTP server on loopback that the community sends to instead of var/mail/."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port: the controller checks it by connecting
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("PEERDESK_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    get_settings.cache_clear()
    yield inbox
    controller.stop()
    monkeypatch.delenv("PEERDESK_SMTP_URL")
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database for tests that need one whatever the suite's main database is."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        yield url
        return
    if not pg.available():
        if IS_CI:
            pytest.fail("PostgreSQL server binaries are missing: CI must install postgresql")
        pytest.skip("PostgreSQL server binaries are not installed")
    cluster = pg.Cluster().start()
    try:
        yield cluster.create_database("peerdesk_test")
    finally:
        cluster.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """SQLite-only tests (EXPLAIN QUERY PLAN) belong to the SQLite pass; deselect them on PG."""
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        return
    kept = [item for item in items if item.get_closest_marker("sqlite_only") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """In CI a skipped test is a failure: nothing may quietly not run there."""
    skipped = terminalreporter.stats.get("skipped", [])
    if IS_CI and skipped:
        terminalreporter.write_line(f"CI: {len(skipped)} skipped test(s) fail the run", red=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IS_CI and reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = 1
