"""Migrations are the only way a schema comes into being: they run on empty SQLite and PostgreSQL
databases, match the models, and downgrade cleanly."""

import tempfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import bindparam, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

import main
from community import (
    accounts,
    events,
    migrate,
    notification_mail,
    posting,
    profiles,
    solutions,
    visibility,
)
from community.clock import FrozenClock
from community.db import UTCDateTime, make_engine
from community.events import OutboxEvent
from community.models import CategoryWatch, HiddenReason, Notification, Post, Role, Thread
from community.policy import Guardian
from moderation import care, cases, tools
from moderation.models import WebhookDelivery
from tests import pg
from tests.factories import make_category, make_reply, make_thread, make_user, set_thread
from tests.moderation.brand_helpers import open_case


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


# What moderation.webhooks logged before 0014, and the code each attempt gets.
LOGGED_BEFORE_0014 = [
    (500, "HTTP 500: crm is down", "http_status"),
    (None, "PEERDESK_CRM_WEBHOOK_SECRET is not set: nothing is sent unsigned.", "no_secret"),
    (None, "ReadTimeout: timed out", "timeout"),
    (None, "TimeoutError: no complete answer within 10 s", "timeout"),
    (None, "InvalidURL: Invalid port: 'x'", "invalid_url"),
    (None, "ConnectError: [Errno 111] Connection refused", "refused"),
    (None, "ConnectError: [Errno -2] Name or service not known", "unresolved"),
    (None, "ConnectError: [Errno -3] Temporary failure in name resolution", "unresolved"),
    (None, "RemoteProtocolError: Server disconnected", "network"),
    (200, None, None),
]


def test_0014_codes_the_webhook_failures_logged_before_it() -> None:
    url = _fresh_sqlite_url()
    migrate.upgrade(url)
    engine = make_engine(url)
    clock = FrozenClock()
    with Session(engine) as session:
        asker = make_user(session, clock, username="asker")
        make_thread(session, clock, author=asker, category=make_category(session))
        event_id = session.exec(select(OutboxEvent.id)).first()
        assert event_id is not None
        for attempt, (status, error, _) in enumerate(LOGGED_BEFORE_0014, start=1):
            session.add(
                WebhookDelivery(
                    event_id=event_id,
                    url="http://crm.example/hook",
                    attempt=attempt,
                    status_code=status,
                    error=error,
                    created_at=clock.now(),
                )
            )
        session.commit()
    engine.dispose()
    migrate.downgrade(url, "0013")
    migrate.upgrade(url, "0014")
    engine = make_engine(url)
    with engine.connect() as conn:
        codes = conn.execute(text("SELECT error_code FROM webhook_delivery ORDER BY attempt"))
        assert [row.error_code for row in codes] == [code for *_, code in LOGGED_BEFORE_0014]
    engine.dispose()


def test_0017_answers_the_surveys_of_askers_who_accepted_an_answer_themselves() -> None:
    _check_0017(_fresh_sqlite_url())


@pytest.mark.postgres
def test_0017_on_postgres(postgres_url: str) -> None:
    with pg.scratch_database(postgres_url) as url:
        _check_0017(url)


def _check_0017(url: str) -> None:
    """Before 0017 an asker who accepted an answer was still asked. Anna accepted and was asked;
    Carla's solution was a moderator's choice; Dora accepted and had answered already (2)."""
    migrate.upgrade(url)
    engine = make_engine(url)
    clock = FrozenClock()
    with Session(engine) as session:
        category = make_category(session)
        mod = make_user(session, clock, username="mod", role=Role.moderator)
        helper = make_user(session, clock, username="helper")
        for name in ("anna", "carla", "dora"):
            asker = make_user(session, clock, username=name)
            title = f"Question from {name}"
            thread = make_thread(session, clock, author=asker, category=category, title=title)
            answer = make_reply(session, clock, author=helper, thread=thread)
            chooser = mod if name == "carla" else asker
            solutions.accept_solution(session, Guardian(chooser), thread, answer, clock=clock)
    engine.dispose()
    migrate.downgrade(url, "0016")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO satisfaction_response (thread_id, user_id, comment, asked_at) "
                "SELECT s.thread_id, t.author_id, '', s.accepted_at FROM solution s "
                "JOIN thread t ON t.id = s.thread_id"
            )
        )
        conn.execute(
            text(
                "INSERT INTO notification (user_id, kind, event_id, thread_id, created_at) "
                "SELECT t.author_id, 'survey', e.id, s.thread_id, s.accepted_at FROM solution s "
                "JOIN thread t ON t.id = s.thread_id "
                "JOIN outbox_event e ON e.name = 'solution_accepted' AND e.thread_id = t.id"
            )
        )
        conn.execute(
            text(
                "UPDATE satisfaction_response SET rating = 2, answered_at = asked_at "
                "WHERE thread_id = (SELECT id FROM thread WHERE title = 'Question from dora')"
            )
        )
    engine.dispose()
    migrate.upgrade(url, "0017")
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT t.title, r.rating, r.answered_at IS NOT NULL AS answered, "
                "r.answered_by_accepting AS by_accepting, n.read_at IS NOT NULL AS read "
                "FROM satisfaction_response r JOIN thread t ON t.id = r.thread_id "
                "JOIN notification n ON n.thread_id = t.id AND n.kind = 'survey' ORDER BY t.title"
            )
        ).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("Question from anna", 5, 1, 1, 1),
        ("Question from carla", None, 0, 0, 0),
        ("Question from dora", 2, 1, 0, 0),
    ]


def test_0018_keeps_each_existing_description_for_both_languages() -> None:
    url = _fresh_sqlite_url()
    migrate.upgrade(url, "0017")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO category (slug, name, description, position, thread_count, "
                "post_count) VALUES ('fibra', 'Fibra', 'Linea fissa. Fixed line.', 1, 0, 0), "
                "('chat', 'Chiacchiere', '', 2, 0, 0)"
            )
        )
    engine.dispose()
    migrate.upgrade(url, "0018")

    def descriptions(*columns: str) -> list[tuple[str, ...]]:
        engine = make_engine(url)
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT {', '.join(columns)} FROM category ORDER BY id"))
            found = [tuple(row) for row in rows]
        engine.dispose()
        return found

    assert descriptions("description_it", "description_en") == [
        ("Linea fissa. Fixed line.", "Linea fissa. Fixed line."),
        ("", ""),
    ]
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE category SET description_it = 'Linea fissa.' WHERE id = 1"))
        conn.execute(text("UPDATE category SET description_en = 'Introductions.' WHERE id = 2"))
    engine.dispose()
    migrate.downgrade(url, "0017")
    assert descriptions("description") == [("Linea fissa.",), ("Introductions.",)]


def test_0019_recounts_categories_without_held_posts() -> None:
    """Before 0019 a category counted posts held for review; the recount leaves them out, as it
    leaves out deleted threads and threads merged into another (counted there)."""
    url = _fresh_sqlite_url()
    migrate.upgrade(url)
    engine = make_engine(url)
    clock = FrozenClock()
    with Session(engine) as session:
        category = make_category(session)
        asker = make_user(session, clock, username="asker")
        newcomer = make_user(session, clock, username="newbie")
        thread = make_thread(session, clock, author=asker, category=category)
        make_reply(session, clock, author=asker, thread=thread)
        make_reply(session, clock, author=newcomer, thread=thread, body="https://example.org")
        make_thread(
            session, clock, author=newcomer, category=category, body="The guide: www.example.org"
        )
        gone = make_thread(
            session, clock, author=asker, category=category, title="A thread its asker deleted"
        )
        question = session.exec(select(Post).where(Post.thread_id == gone.id)).one()
        posting.delete_post(session, Guardian(asker), question, clock=clock)
        again = make_thread(
            session, clock, author=asker, category=category, title="The same question asked again"
        )
        moderator = make_user(session, clock, username="mod", role=Role.moderator)
        tools.merge_thread(session, Guardian(moderator), again, into=thread, clock=clock)
    migrate.downgrade(url, "0018")
    with engine.begin() as conn:
        conn.execute(text("UPDATE category SET thread_count = 9, post_count = 9"))
    migrate.upgrade(url, "0019")
    with engine.connect() as conn:
        counts = conn.execute(text("SELECT thread_count, post_count FROM category")).one()
    engine.dispose()
    assert tuple(counts) == (1, 3)  # one thread: its question, the reply and the merged question


def test_0021_gives_case_timelines_the_changes_made_before_0015() -> None:
    _check_0021(_fresh_sqlite_url())


@pytest.mark.postgres
def test_0021_on_postgres(postgres_url: str) -> None:
    with pg.scratch_database(postgres_url) as url:
        _check_0021(url)


def _check_0021(url: str) -> None:
    """Three cases worked the same way. Before 0015 none had a timeline of changes; the first
    lost all of them, the second the changes before 0015 only (its later ones were recorded),
    the third was never changed. The replay gives each the timeline the live code records."""
    migrate.upgrade(url)
    engine = make_engine(url)
    clock = FrozenClock()
    with Session(engine) as session:
        category = make_category(session)
        sara = make_user(session, clock, username="sara", role=Role.moderator)
        marco = make_user(session, clock, username="marco", role=Role.moderator)
        worked = []
        for name in ("anna", "bruno", "carla"):
            customer = make_user(session, clock, username=name)
            thread = make_thread(session, clock, author=customer, category=category)
            case = open_case(session, clock, sara, thread)
            worked.append((case, customer))
        for case, customer in worked[:2]:
            clock.advance(minutes=5)
            cases.update_case(session, Guardian(sara), case, priority="low", clock=clock)
            cases.add_message(
                session, Guardian(sara), case, body="Note.", internal=True, clock=clock
            )
            cases.update_case(
                session,
                Guardian(sara),
                case,
                status="pending_customer",
                assignee_id=marco.id,
                clock=clock,
            )
            clock.advance(hours=2)
            cases.add_message(session, Guardian(customer), case, body="Still broken.", clock=clock)
            cases.update_case(session, Guardian(marco), case, status="resolved", clock=clock)
        first, second = (case.id for case, _ in worked[:2])
    query = text(
        "SELECT case_id, actor_id, field, value, assignee_id, after_message_id, created_at "
        "FROM case_change ORDER BY id"
    )
    with engine.connect() as conn:
        live = [tuple(row) for row in conn.execute(query)]
    assert [row[2:4] for row in live if row[0] == first] == [
        ("priority", "low"),
        ("status", "pending_customer"),
        ("assignee", None),
        ("status", "open"),
        ("status", "resolved"),
    ]
    migrate.downgrade(url, "0020")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM case_change WHERE case_id = :id"), {"id": first})
        kept = (
            conn.execute(
                text("SELECT id FROM case_change WHERE case_id = :id ORDER BY id"), {"id": second}
            )
            .scalars()
            .all()
        )
        conn.execute(
            text("DELETE FROM case_change WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": kept[:3]},
        )
    migrate.upgrade(url, "0021")
    with engine.connect() as conn:
        rebuilt = [tuple(row) for row in conn.execute(query)]
    engine.dispose()
    assert sorted(rebuilt) == sorted(live)
    for case_id in (first, second):
        assert [row for row in rebuilt if row[0] == case_id] == [
            row for row in live if row[0] == case_id
        ]


def test_0023_never_mails_the_notifications_made_before_it() -> None:
    main.configure_consumers()  # the reply's event reaches the notifications consumer
    url = _fresh_sqlite_url()
    migrate.upgrade(url)
    engine = make_engine(url)
    clock = FrozenClock()
    with Session(engine) as session:
        asker = make_user(session, clock, username="asker")
        thread = make_thread(session, clock, author=asker, category=make_category(session))
        make_reply(session, clock, author=make_user(session, clock), thread=thread)
        events.drain(session, now=clock.now(), consumers=["notifications"])
    migrate.downgrade(url, "0022")
    migrate.upgrade(url, "0023")
    with Session(engine) as session:
        (notification,) = session.exec(select(Notification)).all()
        assert notification.mail_done_at == notification.created_at
        later = clock.advance(days=1)
        assert notification_mail.queue_due(session, later) == 0
    engine.dispose()


def test_0025_recounts_answers_as_the_profile_lists_them() -> None:
    _check_0025(_fresh_sqlite_url())


@pytest.mark.postgres
def test_0025_on_postgres(postgres_url: str) -> None:
    with pg.scratch_database(postgres_url) as url:
        _check_0025(url)


def _check_0025(url: str) -> None:
    """Before 0025 a member's answers counted every reply of theirs in someone else's thread
    that was not deleted. Helper wrote six there: one public, one hidden by a moderator, one
    held for personal data, one in a hidden thread, one in a thread whose question was deleted
    and one deleted (and one in their own thread): five by the old count. Only the first is on
    their profile's list, and 0025 counts it alone; a downgrade counts the old way again."""
    migrate.upgrade(url)
    engine = make_engine(url)
    clock = FrozenClock()
    with Session(engine) as session:
        category = make_category(session)
        asker = make_user(session, clock, username="asker")
        helper = make_user(session, clock, username="helper")
        mod = make_user(session, clock, username="mod", role=Role.moderator)
        threads = [make_thread(session, clock, author=asker, category=category) for _ in range(3)]
        make_reply(session, clock, author=helper, thread=threads[0], body="Public.")
        hidden = make_reply(session, clock, author=helper, thread=threads[0], body="Hidden.")
        held = make_reply(session, clock, author=helper, thread=threads[0], body="Held.")
        gone = make_reply(session, clock, author=helper, thread=threads[0], body="Deleted.")
        make_reply(session, clock, author=helper, thread=threads[1], body="Hidden thread.")
        make_reply(session, clock, author=helper, thread=threads[2], body="Deleted thread.")
        own = make_thread(session, clock, author=helper, category=category)
        make_reply(session, clock, author=helper, thread=own, body="My own thread.")
        now = clock.now()
        visibility.hide_post(session, hidden, reason=HiddenReason.moderator, by_id=mod.id, now=now)
        visibility.hide_post(session, held, reason=HiddenReason.personal_data, by_id=None, now=now)
        visibility.hide_thread(
            session, threads[1], reason=HiddenReason.moderator, by_id=mod.id, now=now
        )
        session.commit()
        posting.delete_post(session, Guardian(helper), gone, clock=clock)
        question = session.exec(
            select(Post).where(Post.thread_id == threads[2].id, Post.post_number == 1)
        ).one()
        posting.delete_post(session, Guardian(asker), question, clock=clock)
        session.refresh(helper)
        assert helper.answer_count == len(session.exec(profiles._public_posts_of(helper)).all())
    engine.dispose()

    def answer_count() -> int:
        engine = make_engine(url)
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT answer_count FROM \"user\" WHERE username = 'helper'")
            ).scalar_one()
        engine.dispose()
        return int(found)

    assert answer_count() == 1
    migrate.downgrade(url, "0024")
    assert answer_count() == 5
    migrate.upgrade(url, "0025")
    assert answer_count() == 1


def test_0027_recounts_threads_and_solutions_as_the_profile_lists_them() -> None:
    _check_0027(_fresh_sqlite_url())


@pytest.mark.postgres
def test_0027_on_postgres(postgres_url: str) -> None:
    with pg.scratch_database(postgres_url) as url:
        _check_0027(url)


def _check_0027(url: str) -> None:
    """Before 0027 a member's threads counted every thread of theirs neither deleted nor merged
    away, and their solutions every accepted reply of theirs in someone else's thread. Asker
    started six: one public, one hidden by a moderator, one whose question was held for review,
    one whose question was deleted, one merged into the first, one whose solution was hidden:
    four by the old count, two on their profile. Helper's replies were accepted in the public
    thread, the hidden one, the deleted one and (hidden since) the last, and in their own thread:
    four by the old count, one on their profile. 0027 counts what the profile shows; a downgrade
    counts the old way again."""
    migrate.upgrade(url)
    engine = make_engine(url)
    clock = FrozenClock()
    with Session(engine) as session:
        category = make_category(session)
        asker = make_user(session, clock, username="asker")
        helper = make_user(session, clock, username="helper")
        mod = make_user(session, clock, username="mod", role=Role.moderator)
        public, hidden, held, deleted, merged, unseen = [
            make_thread(session, clock, author=asker, category=category) for _ in range(6)
        ]
        accepted = {}
        for thread in (public, hidden, deleted, unseen):
            reply = make_reply(session, clock, author=helper, thread=thread)
            solutions.accept_solution(session, Guardian(asker), thread, reply, clock=clock)
            accepted[thread.id] = reply
        own = make_thread(session, clock, author=helper, category=category)
        mine = make_reply(session, clock, author=helper, thread=own)
        solutions.accept_solution(session, Guardian(helper), own, mine, clock=clock)

        def question(thread: Thread) -> Post:
            return session.exec(
                select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
            ).one()

        now = clock.now()
        visibility.hide_thread(
            session, hidden, reason=HiddenReason.moderator, by_id=mod.id, now=now
        )
        visibility.hold_for_review(
            session, question(held), held, reason=HiddenReason.personal_data, now=now
        )
        visibility.hide_post(
            session, accepted[unseen.id], reason=HiddenReason.moderator, by_id=mod.id, now=now
        )
        session.commit()
        posting.delete_post(session, Guardian(asker), question(deleted), clock=clock)
        tools.merge_thread(session, Guardian(mod), merged, into=public, clock=clock)
        session.refresh(asker)
        session.refresh(helper)
        asked = [r for r in accounts.recent_posts(session, asker, limit=100) if r.post.is_question]
        assert asker.thread_count == len(asked) == 2
        assert helper.solution_count == len(profiles.recent_solutions(session, helper)) == 1
    engine.dispose()

    def counts() -> tuple[int, int]:
        engine = make_engine(url)
        with engine.connect() as conn:
            threads = conn.execute(
                text("SELECT thread_count FROM \"user\" WHERE username = 'asker'")
            ).scalar_one()
            solved = conn.execute(
                text("SELECT solution_count FROM \"user\" WHERE username = 'helper'")
            ).scalar_one()
        engine.dispose()
        return int(threads), int(solved)

    assert counts() == (2, 1)
    migrate.downgrade(url, "0026")
    assert counts() == (4, 4)
    migrate.upgrade(url, "0027")
    assert counts() == (2, 1)


def test_0029_keeps_one_bookmark_per_member_and_post() -> None:
    _check_0029(_fresh_sqlite_url())


@pytest.mark.postgres
def test_0029_on_postgres(postgres_url: str) -> None:
    with pg.scratch_database(postgres_url) as url:
        _check_0029(url)


def _check_0029(url: str) -> None:
    """0029 adds the bookmark table: a second bookmark of the same post by the same member is
    refused by the database itself; down to 0028 the table is gone, and back up it is empty."""
    migrate.upgrade(url)
    engine = make_engine(url)
    clock = FrozenClock()
    with Session(engine) as session:
        asker = make_user(session, clock, username="asker")
        reader = make_user(session, clock, username="reader")
        thread = make_thread(session, clock, author=asker, category=make_category(session))
        question = session.exec(select(Post).where(Post.thread_id == thread.id)).one()
        ids = {"user": reader.id, "post": question.id, "at": clock.now()}
    insert = text(
        "INSERT INTO bookmark (user_id, post_id, note, created_at) VALUES (:user, :post, 'x', :at)"
    ).bindparams(bindparam("at", type_=UTCDateTime()))
    with engine.begin() as conn:
        conn.execute(insert, ids)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert, ids)
    assert "ix_bookmark_user_created" in {
        i["name"] for i in inspect(engine).get_indexes("bookmark")
    }

    migrate.downgrade(url, "0028")
    assert "bookmark" not in inspect(engine).get_table_names()
    migrate.upgrade(url, "0029")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM bookmark")).scalar_one() == 0
    engine.dispose()


def test_0030_watches_categories_and_mails_their_new_questions() -> None:
    _check_0030(_fresh_sqlite_url())


@pytest.mark.postgres
def test_0030_on_postgres(postgres_url: str) -> None:
    with pg.scratch_database(postgres_url) as url:
        _check_0030(url)


def _check_0030(url: str) -> None:
    """0030 adds category_watch and lets the mailer's partial index find ``new_thread``
    notifications; down to 0029 the table and those notifications are gone, the index as before."""
    migrate.upgrade(url)
    engine = make_engine(url)
    clock = FrozenClock()
    with Session(engine) as session:
        asker = make_user(session, clock, username="asker")
        watcher = make_user(session, clock, username="watcher")
        category = make_category(session)
        assert watcher.id is not None and category.id is not None
        session.add(
            CategoryWatch(user_id=watcher.id, category_id=category.id, created_at=clock.now())
        )
        session.commit()
        thread = make_thread(session, clock, author=asker, category=category)
        session.expire_all()
        events.drain(session, now=clock.now())
        kinds = [n.kind for n in session.exec(select(Notification))]
        assert kinds == ["new_thread"] and thread.id is not None
    if url.startswith("sqlite"):
        with engine.connect() as conn:
            plan = conn.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT id FROM notification WHERE mail_done_at IS NULL "
                    "AND kind IN ('reply', 'mention', 'solution', 'case', 'case_pending', "
                    "'case_resolved', 'case_reply', 'published', 'sla_at_risk', 'new_thread') "
                    "ORDER BY created_at"
                )
            ).all()
        assert "ix_notification_mail_due" in str(plan)

    migrate.downgrade(url, "0029")
    assert "category_watch" not in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM notification")).scalar_one() == 0
    migrate.upgrade(url, "0030")
    engine.dispose()


def test_0031_keeps_one_upload_per_image() -> None:
    _check_0031(_fresh_sqlite_url())


@pytest.mark.postgres
def test_0031_on_postgres(postgres_url: str) -> None:
    with pg.scratch_database(postgres_url) as url:
        _check_0031(url)


def _check_0031(url: str) -> None:
    """0031 adds the upload table: the same image (its SHA-256) is stored once, refused a second
    row by the database itself; down to 0030 the table is gone, and back up it is empty."""
    migrate.upgrade(url)
    engine = make_engine(url)
    clock = FrozenClock()
    with Session(engine) as session:
        member = make_user(session, clock, username="member")
        values = {"user": member.id, "sha": "ab" * 32, "at": clock.now()}
    insert = text(
        "INSERT INTO upload (user_id, sha256, content_type, byte_size, width, height, "
        "original_filename, created_at) "
        "VALUES (:user, :sha, 'image/png', 68, 1, 1, 'a.png', :at)"
    ).bindparams(bindparam("at", type_=UTCDateTime()))
    with engine.begin() as conn:
        conn.execute(insert, values)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert, values)
    assert "ix_upload_user_id" in {i["name"] for i in inspect(engine).get_indexes("upload")}

    migrate.downgrade(url, "0030")
    assert "upload" not in inspect(engine).get_table_names()
    assert "category_watch" in inspect(engine).get_table_names()
    migrate.upgrade(url, "0031")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM upload")).scalar_one() == 0
    engine.dispose()
