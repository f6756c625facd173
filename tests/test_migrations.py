"""Migrations are the only way a schema comes into being: they run on empty SQLite and PostgreSQL
databases, match the models, and downgrade cleanly."""

import tempfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from community import migrate
from community.db import make_engine
from tests import pg


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
