"""Migrations are the only way a schema comes into being: they run on empty SQLite and PostgreSQL
databases, match the models, and downgrade cleanly."""

import tempfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

from community import migrate
from community.clock import FrozenClock
from community.db import make_engine
from moderation import care
from tests import pg
from tests.factories import make_category, make_thread, make_user, set_thread


def _fresh_sqlite_url() -> str:
    return f"sqlite:///{Path(tempfile.mkdtemp()) / 'empty.db'}"


def _assert_matches_models(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree: {diff}"


def _round_trip(url: str) -> None:
    migrate.upgrade(url)
    _assert_matches_models(url)
    migrate.downgrade(url, "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrate.upgrade(url)


def test_upgrade_head_on_empty_sqlite() -> None:
    url = _fresh_sqlite_url()
    _round_trip(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


@pytest.mark.postgres
def test_upgrade_head_on_empty_postgres(postgres_url: str) -> None:
    with pg.scratch_database(postgres_url) as url:
        _round_trip(url)


def test_0013_has_the_care_rows_of_threads_locked_before_it_rebuilt() -> None:
    url = _fresh_sqlite_url()
    migrate.upgrade(url)
    engine = make_engine(url)
    clock = FrozenClock()
    with Session(engine) as session:
        category = make_category(session, slug="fibre")
        asker = make_user(session, clock, username="asker")
        locked = make_thread(session, clock, author=asker, category=category, title="Locked here")
        open_ = make_thread(session, clock, author=asker, category=category, title="Still open")
        set_thread(session, locked, is_locked=True)
        assert locked.id is not None and open_.id is not None
        care.build(session, [locked.id, open_.id], now=clock.now())
        session.commit()
        ids = {"locked": locked.id, "open": open_.id}
    engine.dispose()

    def versions() -> dict[int, int | None]:
        engine = make_engine(url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT thread_id, facts_version FROM care_thread")).all()
        engine.dispose()
        return {row.thread_id: row.facts_version for row in rows}

    migrate.downgrade(url, "0012")  # back in the queue for their old reasons: rebuilt too
    assert versions()[ids["locked"]] is None and versions()[ids["open"]] is not None
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE care_thread SET facts_version = 1"))
    engine.dispose()
    migrate.upgrade(url, "0013")
    assert versions() == {ids["locked"]: None, ids["open"]: 1}
