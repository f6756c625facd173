"""The demo community: what `peerdesk seed` builds, that its counters match its rows, that the
same seed gives the same data, and that it runs on PostgreSQL too."""

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel, col, select
from typer.testing import CliRunner

import main
from community import cli, markdown, migrate, posting
from community.clock import FrozenClock
from community.db import make_engine
from community.models import Category, Kudos, Role, User
from community.policy import Guardian
from community.security import verify_password
from community.seed import DEMO_PASSWORD, loader
from community.settings import CommunitySettings, get_settings
from tests import pg

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
THREADS = 300

# Every denormalised counter, recomputed from the rows: each query lists the rows that disagree.
CONSISTENCY_QUERIES = {
    "thread without posts": """
        SELECT t.id FROM thread t WHERE NOT EXISTS (SELECT 1 FROM post p WHERE p.thread_id = t.id)
    """,
    "thread counters": """
        SELECT t.id FROM thread t JOIN (
            SELECT thread_id, COUNT(*) AS n, SUM(kudos_count) AS kudos, MAX(id) AS last_id,
                   MAX(created_at) AS last_at, MIN(created_at) AS first_at,
                   MAX(post_number) AS max_number, MIN(post_number) AS min_number
            FROM post GROUP BY thread_id
        ) p ON p.thread_id = t.id
        WHERE t.reply_count != p.n - 1 OR t.kudos_count != p.kudos OR t.last_post_id != p.last_id
           OR t.last_activity_at != p.last_at OR t.created_at != p.first_at
           OR p.max_number != p.n OR p.min_number != 1
    """,
    "question author": """
        SELECT t.id FROM thread t JOIN post p ON p.thread_id = t.id AND p.post_number = 1
        WHERE p.author_id != t.author_id
    """,
    "first response": """
        SELECT t.id FROM thread t LEFT JOIN (
            SELECT p.thread_id, MIN(p.created_at) AS at FROM post p
            JOIN thread o ON o.id = p.thread_id WHERE p.author_id != o.author_id
            GROUP BY p.thread_id
        ) r ON r.thread_id = t.id
        WHERE NOT ((t.first_response_at IS NULL AND r.at IS NULL) OR t.first_response_at = r.at)
    """,
    "post kudos": """
        SELECT p.id FROM post p LEFT JOIN (
            SELECT post_id, COUNT(*) AS n FROM kudos GROUP BY post_id
        ) k ON k.post_id = p.id
        WHERE p.kudos_count != COALESCE(k.n, 0)
    """,
    "kudos": """
        SELECT k.id FROM kudos k JOIN post p ON p.id = k.post_id
        WHERE k.user_id = p.author_id OR k.created_at < p.created_at
    """,
    "solution": """
        SELECT t.id FROM thread t
        LEFT JOIN solution s ON s.thread_id = t.id
        LEFT JOIN post p ON p.id = s.post_id
        WHERE (t.solved_at IS NULL AND s.thread_id IS NOT NULL)
           OR (t.solved_at IS NOT NULL AND s.thread_id IS NULL)
           OR (s.thread_id IS NOT NULL AND (
                p.thread_id != t.id OR p.author_id = t.author_id
                OR s.accepted_by_id != t.author_id OR s.accepted_at != t.solved_at
                OR s.accepted_at < p.created_at))
    """,
    "user counters": """
        SELECT u.id FROM "user" u
        LEFT JOIN (
            SELECT p.author_id AS uid, COUNT(*) AS n FROM post p
            JOIN thread t ON t.id = p.thread_id
            WHERE p.author_id != t.author_id AND p.post_number > 1
              AND p.deleted_at IS NULL AND p.hidden_at IS NULL
              AND t.deleted_at IS NULL AND t.hidden_at IS NULL
            GROUP BY p.author_id
        ) a ON a.uid = u.id
        LEFT JOIN (
            SELECT p.author_id AS uid, COUNT(*) AS n FROM solution s
            JOIN post p ON p.id = s.post_id JOIN thread t ON t.id = s.thread_id
            WHERE p.author_id != t.author_id AND p.post_number > 1
              AND p.deleted_at IS NULL AND p.hidden_at IS NULL
              AND t.deleted_at IS NULL AND t.hidden_at IS NULL
            GROUP BY p.author_id
        ) s ON s.uid = u.id
        LEFT JOIN (
            SELECT p.author_id AS uid, COUNT(*) AS n FROM kudos k
            JOIN post p ON p.id = k.post_id GROUP BY p.author_id
        ) k ON k.uid = u.id
        LEFT JOIN (
            SELECT p.author_id AS uid, COUNT(*) AS n FROM post p
            JOIN thread t ON t.id = p.thread_id
            WHERE p.post_number = 1 AND p.deleted_at IS NULL AND p.hidden_at IS NULL
              AND t.deleted_at IS NULL AND t.hidden_at IS NULL
            GROUP BY p.author_id
        ) t ON t.uid = u.id
        WHERE u.answer_count != COALESCE(a.n, 0) OR u.solution_count != COALESCE(s.n, 0)
           OR u.kudos_received != COALESCE(k.n, 0) OR u.thread_count != COALESCE(t.n, 0)
    """,
    "category counters": """
        SELECT c.id FROM category c LEFT JOIN (
            SELECT category_id AS cid, COUNT(*) AS n, SUM(reply_count + 1) AS posts,
                   MAX(last_activity_at) AS at
            FROM thread GROUP BY category_id
        ) t ON t.cid = c.id
        WHERE c.thread_count != COALESCE(t.n, 0) OR c.post_count != COALESCE(t.posts, 0)
           OR c.last_activity_at != t.at
           OR c.last_thread_id != (
                SELECT x.id FROM thread x WHERE x.category_id = c.id
                ORDER BY x.last_activity_at DESC, x.id DESC LIMIT 1)
    """,
    "poster not watching": """
        SELECT DISTINCT p.thread_id FROM post p
        LEFT JOIN watch w ON w.thread_id = p.thread_id AND w.user_id = p.author_id
        WHERE w.user_id IS NULL
    """,
}


def inconsistencies(engine: Engine) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    with engine.connect() as conn:
        for name, query in CONSISTENCY_QUERIES.items():
            ids = [row[0] for row in conn.execute(text(query)).fetchmany(5)]
            if ids:
                found[name] = ids
        tags: dict[int, list[str]] = {}
        for thread_id, tag in conn.execute(text("SELECT thread_id, tag FROM thread_tag")):
            tags.setdefault(thread_id, []).append(tag)
        for thread_id, joined in conn.execute(text("SELECT id, tags FROM thread")):
            if sorted(joined.split()) != sorted(tags.get(thread_id, [])):
                found.setdefault("thread tags", []).append(thread_id)
    return found


def digest(engine: Engine) -> str:
    """Every seeded row, in key order (password hashes differ by their random salt)."""
    sha = hashlib.sha256()
    names = ["user", "category", "thread", "post", "kudos", "solution", "thread_tag", "watch"]
    with engine.connect() as conn:
        for name in names:
            table = SQLModel.metadata.tables[name]
            columns = [c for c in table.columns if c.name != "password_hash"]
            rows = conn.execute(sa.select(*columns).order_by(*table.primary_key.columns))
            for row in rows:
                sha.update(repr(tuple(row)).encode())
    return sha.hexdigest()


def fresh_sqlite(path: Path) -> Engine:
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    return make_engine(url)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    main.configure_consumers()  # as `peerdesk seed` does: the after-seed hooks add their rows
    engine = fresh_sqlite(tmp_path_factory.mktemp("seed") / "demo.db")
    loader.seed(engine, threads=THREADS, seed=42, now=NOW)
    yield engine
    engine.dispose()


def scalar(engine: Engine, query: str, **params: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(query), params).scalar_one())


def test_categories_cover_the_brand(seeded: Engine) -> None:
    with Session(seeded) as session:
        categories = session.exec(select(Category).order_by(col(Category.position))).all()
    assert len(categories) >= 6
    assert {"fibra-adsl", "mobile-sim", "bollette-pagamenti", "modem-wifi"} <= {
        c.slug for c in categories
    }
    # A description in each language, each in its own (not both in one text).
    for category in categories:
        assert category.name and category.description_it and category.description_en
        assert category.description_en not in category.description_it
    assert [c.position for c in categories] == sorted({c.position for c in categories})


def test_the_home_page_describes_categories_in_the_readers_language(seeded: Engine) -> None:
    app = main.create_app(get_settings(), engine=seeded, clock=FrozenClock(NOW), start_worker=False)
    with TestClient(app, base_url="https://testserver") as client:
        italian = client.get("/", headers={"Accept-Language": "it"}).text
        english = client.get("/", headers={"Accept-Language": "en"}).text
    assert "Linea fissa: FTTH, FTTC, ADSL, attivazioni, guasti e velocità." in italian
    assert "Fixed line" not in italian
    assert "Fixed line: FTTH, FTTC, ADSL, activation, faults and speed." in english
    assert "Linea fissa" not in english


# What a careful reader would trip on, in every seeded title and post.
ITALIAN_SLIPS = {
    "'a' before a word starting with a: write 'ad'": re.compile(r"\ba [Aa]"),
    "'am' or 'pm' in Italian: write 'alle 21:00'": re.compile(r"\b\d+(:\d+)? ?[ap]m\b"),
    "'il' before Z or a vowel": re.compile(r"\bil (Z|[AEIOU]|i[A-Z])"),
    "a comma, then a paragraph starting with a capital": re.compile(r",\n\n[A-ZÀ-Ý]"),
}
ENGLISH_SLIPS = {
    "an Italian city name in English": re.compile(
        r"\b(Milano|Roma|Torino|Napoli|Firenze|Genova|Padova)\b"
    ),
    "a comma, then a paragraph starting with a capital": re.compile(r",\n\n[A-Z]"),
}


def test_seeded_texts_read_naturally_in_italian_and_english(seeded: Engine) -> None:
    with seeded.connect() as conn:
        texts = conn.execute(
            text(
                "SELECT t.language, t.title FROM thread t UNION ALL "
                "SELECT p.language, p.body FROM post p"
            )
        ).all()
    assert len(texts) > THREADS * 4
    slips = [
        (name, body[:80])
        for language, body in texts
        for name, pattern in (ITALIAN_SLIPS if language == "it" else ENGLISH_SLIPS).items()
        if pattern.search(body)
    ]
    assert slips == []
    italian = " ".join(body for language, body in texts if language == "it")
    # "ad Ancona", never "a Ancona"; the city itself may also follow "di" or "da".
    assert not re.search(r"\ba Ancona\b", italian)


def test_threads_speak_italian_and_english(seeded: Engine) -> None:
    total = scalar(seeded, "SELECT COUNT(*) FROM thread")
    english = scalar(seeded, "SELECT COUNT(*) FROM thread WHERE language = 'en'")
    italian = scalar(seeded, "SELECT COUNT(*) FROM thread WHERE language = 'it'")
    assert total >= THREADS
    assert italian + english == total
    assert 0.2 < english / total < 0.4
    assert scalar(seeded, "SELECT COUNT(*) FROM post") > 4 * total


def test_demo_accounts_have_their_roles_and_the_demo_password(seeded: Engine) -> None:
    with Session(seeded) as session:
        users = {
            u.username: u
            for u in session.exec(select(User))
            if u.username in ("giulia", "luca", "sara", "admin")
        }
    assert {name: u.role for name, u in users.items()} == {
        "giulia": Role.member,
        "luca": Role.member,
        "sara": Role.moderator,
        "admin": Role.admin,
    }
    for user in users.values():
        assert verify_password(user.password_hash, DEMO_PASSWORD)
        assert not verify_password(user.password_hash, "wrong password")


def test_luca_is_among_the_most_helpful_members(seeded: Engine) -> None:
    with seeded.connect() as conn:
        top = conn.execute(
            text('SELECT username FROM "user" ORDER BY answer_count DESC LIMIT 3')
        ).scalars()
        assert "luca" in list(top)
    assert scalar(seeded, "SELECT solution_count FROM \"user\" WHERE username = 'luca'") > 0


def test_some_threads_are_solved_and_some_wait_for_an_answer(seeded: Engine) -> None:
    assert scalar(seeded, "SELECT COUNT(*) FROM thread WHERE solved_at IS NOT NULL") >= 20
    assert scalar(seeded, "SELECT COUNT(*) FROM solution") >= 20
    old = NOW - timedelta(days=2)
    with Session(seeded) as session:
        unanswered = session.execute(
            text(
                "SELECT created_at FROM thread WHERE first_response_at IS NULL AND reply_count = 0"
            )
        ).all()
    parsed = [_aware(row[0]) for row in unanswered]
    assert sum(1 for at in parsed if at < old) >= 3


def test_complaints_and_kudos_are_part_of_the_mix(seeded: Engine) -> None:
    angry = scalar(
        seeded,
        "SELECT COUNT(*) FROM post WHERE post_number = 1 AND (body LIKE '%furios%' "
        "OR body LIKE '%furious%' OR body LIKE '%scandal%' OR body LIKE '%inaccettabil%')",
    )
    assert angry >= 5
    assert scalar(seeded, "SELECT COUNT(*) FROM kudos") > THREADS
    assert scalar(seeded, "SELECT COUNT(DISTINCT author_id) FROM thread") > 30


def test_times_are_spread_over_the_last_months_and_never_in_the_future(seeded: Engine) -> None:
    with seeded.connect() as conn:
        first, last = conn.execute(text("SELECT MIN(created_at), MAX(created_at) FROM post")).one()
        latest_kudos = conn.execute(text("SELECT MAX(created_at) FROM kudos")).scalar_one()
    assert _aware(last) <= NOW and _aware(latest_kudos) <= NOW
    assert NOW - timedelta(days=121) < _aware(first) < NOW - timedelta(days=60)


def test_counters_match_the_rows(seeded: Engine) -> None:
    assert inconsistencies(seeded) == {}


def test_cached_html_is_exactly_what_markdown_renders(seeded: Engine) -> None:
    with seeded.connect() as conn:
        posts = conn.execute(text("SELECT id, body, body_html FROM post")).all()
    assert [row.id for row in posts if markdown.render(row.body) != row.body_html] == []
    assert any('class="mention"' in row.body_html for row in posts)


def test_same_seed_and_time_give_the_same_data(seeded: Engine, tmp_path: Path) -> None:
    again = fresh_sqlite(tmp_path / "again.db")
    other = fresh_sqlite(tmp_path / "other.db")
    try:
        loader.seed(again, threads=THREADS, seed=42, now=NOW)
        loader.seed(other, threads=THREADS, seed=43, now=NOW)
        assert digest(again) == digest(seeded)
        assert digest(other) != digest(seeded)
    finally:
        again.dispose()
        other.dispose()


def _run_cli(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(cli, "get_settings", lambda: CommunitySettings(database_url=url))
    result = CliRunner().invoke(cli.app, ["seed", *args])
    return result.exit_code, result.output


def test_if_empty_seeds_once_then_leaves_the_data_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    engine = fresh_sqlite(tmp_path / "cli.db")
    url = str(engine.url)
    args = ("--threads", "40", "--if-empty", "--now", "2026-11-20T10:00:00")
    code, output = _run_cli(monkeypatch, url, *args)
    assert code == 0, output
    assert "seeded 40 threads" in output and DEMO_PASSWORD in output
    before = digest(engine)

    code, output = _run_cli(monkeypatch, url, *args)
    assert code == 0, output
    assert "nothing to seed" in output and DEMO_PASSWORD in output
    assert digest(engine) == before

    code, output = _run_cli(monkeypatch, url, "--threads", "40")
    assert code == 1
    assert digest(engine) == before
    engine.dispose()


def test_seeding_leaves_planner_statistics(seeded: Engine) -> None:
    with seeded.connect() as conn:
        tables = {row[0] for row in conn.execute(text("SELECT tbl FROM sqlite_stat1"))}
    assert {"thread", "post", "user"} <= tables


def test_seeding_leaves_no_outbox_events(seeded: Engine) -> None:
    assert scalar(seeded, "SELECT COUNT(*) FROM outbox_event") == 0


@pytest.mark.postgres
def test_seed_runs_on_postgresql(postgres_url: str) -> None:
    with pg.scratch_database(postgres_url, migrated=True) as url:
        engine = make_engine(url)
        try:
            _seed_and_extend(engine)
        finally:
            engine.dispose()


def _seed_and_extend(engine: Engine) -> None:
    """Seed, then check the services can keep adding rows after the seeded ids."""
    summary = loader.seed(engine, threads=120, seed=42, now=NOW)
    assert summary.threads == 120
    assert inconsistencies(engine) == {}
    # The planner knows the table sizes, so lists walk their indexes instead of sorting.
    with engine.connect() as conn:
        estimate = conn.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = 'thread'")
        ).scalar_one()
    assert estimate == 120
    # The id sequences moved past the seeded rows: the services can add new ones.
    with engine.connect() as conn:
        max_post = conn.execute(text("SELECT MAX(id) FROM post")).scalar_one()
        max_kudos = conn.execute(text("SELECT MAX(id) FROM kudos")).scalar_one()
    clock = FrozenClock(NOW)
    with Session(engine, expire_on_commit=False) as session:
        user = User(
            username="newcomer",
            email="newcomer@example.com",
            display_name="Newcomer",
            password_hash="x",
            created_at=NOW,
        )
        session.add(user)
        session.commit()
        category = session.get(Category, 1)
        assert category is not None
        thread = posting.create_thread(
            session,
            Guardian(user),
            category=category,
            title="Hello from a new member",
            body="Just joined: my fibre drops at night.",
            tags=[],
            clock=clock,
        )
        assert thread.last_post_id is not None and thread.last_post_id > max_post
        kudos = Kudos(post_id=thread.last_post_id, user_id=1, created_at=NOW)
        session.add(kudos)
        session.commit()
        assert kudos.id is not None and kudos.id > max_kudos
        assert user.id is not None and user.id > summary.users
        assert thread.id is not None and thread.id > summary.threads


def _aware(value: datetime | str) -> datetime:
    """Raw SQL gives SQLite's text or PostgreSQL's aware datetime."""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at if at.tzinfo else at.replace(tzinfo=UTC)
