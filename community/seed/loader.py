"""Write the demo community into an empty database, fast: Core bulk inserts in one transaction.

The ORM would cost minutes per hundred thousand posts; here rows are plain dicts with ids chosen
by the generator, inserted in chunks (executemany), and user and category counters set at the
end with one executemany UPDATE. On PostgreSQL the id sequences are moved past the seeded ids.
The whole seed is one transaction: a failed run leaves the database as empty as it found it.
The reputation ledger is then derived from the seeded kudos and solutions
(community.reputation_backfill), the badges they earn awarded (community.badges.award_all), and
what other packages derive (``after_seed``), in transactions of their own.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.console import Console
from sqlalchemy import Connection, Engine, Table, bindparam, func, insert, select, text, update
from sqlmodel import Session, SQLModel

from community import badges, reputation_backfill, security
from community.models import User
from community.progress import progress_bar
from community.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
from community.seed.generator import Community

BATCH_THREADS = 1000
TABLES_WITH_SERIAL_ID = ("user", "category", "thread", "post", "kudos")

# What other packages derive from the seeded rows, as their outbox consumers would have from the
# events a seed does not write (moderation: the surveys accepted answers answer). Each takes a
# session, commits, and returns how many rows it added.
after_seed: list[Callable[[Session], int]] = []


@dataclass(frozen=True)
class SeedSummary:
    users: int
    categories: int
    threads: int
    posts: int
    kudos: int
    solutions: int
    seconds: float
    reputation_entries: int = 0
    badges: int = 0


def has_users(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(User)).scalar_one() > 0


def has_demo_accounts(engine: Engine) -> bool:
    names = [account.username for account in DEMO_ACCOUNTS]
    query = select(func.count()).select_from(User).where(User.username.in_(names))  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return conn.execute(query).scalar_one() == len(names)


def seed(
    engine: Engine, *, threads: int, seed: int, now: datetime, show_progress: bool = False
) -> SeedSummary:
    """Fill an empty database with the demo community; refuses one that has users."""
    started = time.perf_counter()
    # Hashed once: Argon2 is slow on purpose, and every demo account shares the password.
    community = Community(
        threads=threads, seed=seed, now=now, password_hash=security.hash_password(DEMO_PASSWORD)
    )
    tables = SQLModel.metadata.tables
    counts = {"kudos": 0, "solution": 0}
    progress = progress_bar(
        "seeding {task.description}", console=Console(stderr=True), disable=not show_progress
    )
    with progress, engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(User)).scalar_one():
            raise RuntimeError("the database already has users: seed only fills an empty one")
        _tune(conn)
        task = progress.add_task("threads", total=threads)
        conn.execute(insert(tables["user"]), community.users)
        conn.execute(insert(tables["category"]), community.category_rows())
        for batch in community.batches(BATCH_THREADS):
            for name, rows in batch.tables():
                if rows:
                    conn.execute(insert(tables[name]), rows)
            counts["kudos"] += len(batch.kudos)
            counts["solution"] += len(batch.solutions)
            progress.advance(task, len(batch.threads))
        _update_by_id(conn, tables["user"], "user_id", community.user_counter_rows())
        _update_by_id(conn, tables["category"], "category_id", community.category_counter_rows())
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn)
    # Reputation is derived from the kudos and solutions just written, as the services would
    # have written it (the ledger, totals and leaderboard tallies), in a transaction of its own.
    derived = reputation_backfill.backfill(engine, show_progress=show_progress)
    # And the badges those facts earn, dated when they were earned (community.badges).
    with Session(engine) as session:
        badge_count = badges.award_all(session)
        for derive in after_seed:
            derive(session)
    # A bulk load leaves the planner's statistics empty: without them PostgreSQL estimates a
    # category holds a few dozen threads and sorts thousands instead of walking an index.
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return SeedSummary(
        users=len(community.users),
        categories=len(community.categories),
        threads=threads,
        posts=community.post_total,
        kudos=counts["kudos"],
        solutions=counts["solution"],
        seconds=time.perf_counter() - started,
        reputation_entries=derived.entries,
        badges=badge_count,
    )


def _tune(conn: Connection) -> None:
    """SQLite: a big page cache for this connection keeps index inserts off the disk."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size = -400000")


def _update_by_id(conn: Connection, table: Table, key: str, rows: list[dict[str, object]]) -> None:
    if rows:
        conn.execute(update(table).where(table.c.id == bindparam(key)), rows)


def _advance_sequences(conn: Connection) -> None:
    for name in TABLES_WITH_SERIAL_ID:
        quoted = conn.dialect.identifier_preparer.quote(name)
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {quoted}), false)"
            ),
            {"table": quoted},
        )
