"""Moving every thread of a category at once: every row goes, hidden, held, deleted and merged-away
ones too, so the category can be deleted; both categories end as moving the threads one by one
would leave them; consumers follow the same events; one audit entry says who moved how many."""

import html
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from community import categories, posting
from community.clock import FrozenClock, as_utc
from community.errors import Conflict, Forbidden, Invalid, NotAuthenticated
from community.events import OutboxEvent
from community.models import Category, HiddenReason, Post, Role, Thread, User
from community.policy import Guardian
from community.security import rate_limiter
from moderation import audit, bulk_move, care, queue, tools
from moderation.models import AuditEntry, CareThread, ServiceLevel
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.brand_helpers import client_for
from tests.moderation.care_helpers import catch_up_care, run_care

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LINK = "The guide at https://example.org/modem says to reset it."


@dataclass
class Scene:
    source: Category
    target: Category
    moderator: User


def _question(session: Session, thread: Thread) -> Post:
    return session.exec(
        select(Post).where(col(Post.thread_id) == thread.id, col(Post.post_number) == 1)
    ).one()


def build_scene(session: Session, clock: FrozenClock, tag: str) -> Scene:
    """A source category with one thread of every kind, and a target with an older thread of its
    own. Built twice with the same times and titles, the two scenes differ only in their ids."""
    rate_limiter.reset()
    clock.set(START)
    source = make_category(session, slug=f"fibra-{tag}")
    target = make_category(session, slug=f"casa-{tag}")
    asker = make_user(session, clock, username=f"asker-{tag}")
    helper = make_user(session, clock, username=f"helper-{tag}")
    newbie = make_user(session, clock, username=f"newbie-{tag}")
    moderator = make_user(session, clock, username=f"mod-{tag}", role=Role.moderator)
    mod = Guardian(moderator)

    def thread(
        title: str, author: User = asker, body: str = "The line drops every evening."
    ) -> Thread:
        clock.advance(minutes=5)
        return make_thread(session, clock, author=author, category=source, title=title, body=body)

    def reply(to: Thread, author: User = helper, body: str = "Restart it.") -> Post:
        clock.advance(minutes=1)
        return make_reply(session, clock, author=author, thread=to, body=body)

    make_thread(session, clock, author=asker, category=target, title="Already at home")
    plain = thread("Plain thread")
    reply(plain)
    held_reply = thread("Held reply")
    assert reply(held_reply, newbie, LINK).hidden_reason == HiddenReason.awaiting_approval
    held = thread("Held question", newbie, LINK)
    assert held.hidden_reason == HiddenReason.awaiting_approval
    hidden = thread("Hidden thread")
    reply(hidden)
    tools.hide_thread(session, mod, hidden, clock=clock)
    deleted_reply = thread("Deleted reply")
    posting.delete_post(session, Guardian(helper), reply(deleted_reply), clock=clock)
    merged = thread("Merged away")
    reply(merged)
    # Plain takes the merged thread's activity: the two are equally recent.
    tools.merge_thread(session, mod, merged, into=plain, clock=clock)
    deleted = thread("Deleted thread")  # the most recent of all, but gone
    reply(deleted)
    posting.delete_post(session, Guardian(asker), _question(session, deleted), clock=clock)
    return Scene(source, target, moderator)


def summary(session: Session, category: Category) -> tuple[object, ...]:
    """What a category shows of its threads: counters, latest thread (by title) and activity."""
    session.refresh(category)
    last = session.get(Thread, category.last_thread_id) if category.last_thread_id else None
    return (
        category.thread_count,
        category.post_count,
        last.title if last else None,
        category.last_activity_at,
    )


def threads_in(session: Session, category: Category) -> list[Thread]:
    session.expire_all()
    query = select(Thread).where(col(Thread.category_id) == category.id).order_by(col(Thread.id))
    return list(session.exec(query))


def _moved_events(session: Session, source: Category) -> list[OutboxEvent]:
    query = select(OutboxEvent).where(col(OutboxEvent.name) == "threads_moved")
    found = session.exec(query.order_by(col(OutboxEvent.id))).all()
    return [e for e in found if e.data["from_category_id"] == source.id]


def _audit_rows(session: Session) -> list[AuditEntry]:
    query = select(AuditEntry).where(col(AuditEntry.action) == "move_all_threads")
    return list(session.exec(query))


# --- the same result as one by one --------------------------------------------------------------


def test_both_categories_end_as_moving_the_threads_one_by_one_leaves_them(
    session: Session, clock: FrozenClock
) -> None:
    bulk = build_scene(session, clock, "bulk")
    one_by_one = build_scene(session, clock, "loop")
    assert summary(session, bulk.source) == summary(session, one_by_one.source)
    every_row = threads_in(session, bulk.source)
    shown_on_the_edit_page = categories.thread_count(session, bulk.source)
    assert (len(every_row), shown_on_the_edit_page) == (7, 6)  # the merged-away one is not counted

    moved = bulk_move.move_all_threads(
        session, Guardian(bulk.moderator), bulk.source, bulk.target, clock=clock
    )
    for thread in threads_in(session, one_by_one.source):
        if thread.merged_into_id is None:  # move_thread refuses a merged-away thread
            tools.move_thread(
                session,
                Guardian(one_by_one.moderator),
                thread,
                category=one_by_one.target,
                clock=clock,
            )

    assert moved == shown_on_the_edit_page
    assert summary(session, bulk.source) == summary(session, one_by_one.source)
    assert summary(session, bulk.target) == summary(session, one_by_one.target)
    assert summary(session, bulk.source) == (0, 0, None, None)
    # Counted: the target's own thread, plain (with the merged posts), the held reply's, hidden
    # and deleted reply's threads; the held question counts once approved, the deleted never.
    assert summary(session, bulk.target)[:3] == (5, 9, "Plain thread")
    assert threads_in(session, bulk.source) == []
    assert {t.id for t in every_row} <= {t.id for t in threads_in(session, bulk.target)}


def test_afterwards_the_category_can_be_deleted(session: Session, clock: FrozenClock) -> None:
    scene = build_scene(session, clock, "gone")
    admin = make_user(session, clock, username="boss", role=Role.admin)
    assert categories.refusal_to_delete(session, scene.source) is not None

    bulk_move.move_all_threads(session, Guardian(admin), scene.source, scene.target, clock=clock)
    assert categories.refusal_to_delete(session, scene.source) is None
    source_id = scene.source.id
    categories.delete_category(session, Guardian(admin), scene.source, clock=clock)
    assert session.get(Category, source_id) is None
    assert len(threads_in(session, scene.target)) == 8


def test_one_event_names_every_moved_thread_and_one_audit_entry_the_whole(
    session: Session, clock: FrozenClock
) -> None:
    scene = build_scene(session, clock, "events")
    ids = [t.id for t in threads_in(session, scene.source)]

    bulk_move.move_all_threads(
        session, Guardian(scene.moderator), scene.source, scene.target, clock=clock
    )

    # The consumers (care rows, search index) take them a batch at a time from one event; ten
    # thousand thread_moved events would keep the workers busy for a minute.
    (together,) = _moved_events(session, scene.source)
    assert together.data == {
        "thread_ids": ids,
        "from_category_id": scene.source.id,
        "to_category_id": scene.target.id,
        "by_id": scene.moderator.id,
    }
    assert together.created_at == clock.now()
    assert (
        session.exec(select(OutboxEvent).where(col(OutboxEvent.name) == "thread_moved")).all() == []
    )
    (entry,) = _audit_rows(session)
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        scene.moderator.id,
        "category",
        scene.source.id,
    )
    assert audit.loads(entry.before) == {
        "category": scene.source.slug,
        "threads": 6,
        "moved_to": None,
    }
    assert audit.loads(entry.after) == {
        "category": scene.source.slug,
        "threads": 0,
        "moved_to": scene.target.slug,
    }
    # No single-thread entries: the log says it once.
    assert (
        session.exec(select(AuditEntry).where(col(AuditEntry.action) == "move_thread")).all() == []
    )


# --- what consumers make of it ------------------------------------------------------------------


def test_the_queue_finds_the_moved_threads_under_their_new_category(
    session: Session, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target = make_category(session, slug="fibra"), make_category(session, slug="casa")
    moderator = make_user(session, clock, username="mara", role=Role.moderator)
    asker = make_user(session, clock, username="asker")
    waiting = [
        make_thread(session, clock, author=asker, category=source, title=f"Line down {n}")
        for n in range(3)
    ]
    assert target.id is not None
    session.add(ServiceLevel(category_id=target.id, first_response_hours=2))
    session.commit()
    run_care(session, clock)

    def queued(category: Category) -> list[int]:
        page = queue.load_queue(
            session,
            Guardian(moderator),
            filters=queue.parse_filters(category=category.slug),
            now=clock.now(),
        )
        return sorted(row.thread.id or 0 for row in page.rows)

    ids = sorted(t.id or 0 for t in waiting)
    assert queued(source) == ids and queued(target) == []

    bulk_move.move_all_threads(session, Guardian(moderator), source, target, clock=clock)
    run_care(session, clock)

    assert queued(target) == ids and queued(source) == []
    rows = session.exec(select(CareThread).where(col(CareThread.thread_id).in_(ids))).all()
    assert {row.category_id for row in rows} == {target.id}

    # Then rebuilt in the background, a batch per transaction (a category may hold ten thousand),
    # with the target's first-response deadline.
    rebuilt: list[list[int]] = []
    build = care.build

    def counted_build(session: Session, thread_ids: Iterable[int], *, now: datetime) -> Any:
        rebuilt.append(sorted(thread_ids))
        return build(session, thread_ids, now=now)

    monkeypatch.setattr(care, "build", counted_build)
    monkeypatch.setattr(care, "CATCH_UP_BATCH", 2)
    catch_up_care(session, clock)

    assert rebuilt == [ids[:2], ids[2:]]
    for row in session.exec(select(CareThread).where(col(CareThread.thread_id).in_(ids))):
        assert as_utc(row.due_at) == as_utc(row.created_at) + timedelta(hours=2)


# --- refusals -----------------------------------------------------------------------------------


def test_members_are_refused_and_anonymous_readers_asked_to_sign_in(
    session: Session, clock: FrozenClock
) -> None:
    source, target = make_category(session), make_category(session)
    member = make_user(session, clock)
    thread = make_thread(session, clock, author=member, category=source)
    for guardian, refusal in ((Guardian(member), Forbidden), (Guardian(None), NotAuthenticated)):
        with pytest.raises(refusal):
            bulk_move.move_all_threads(session, guardian, source, target, clock=clock)
    session.refresh(thread)
    assert thread.category_id == source.id
    assert _audit_rows(session) == [] and _moved_events(session, source) == []


def test_moving_into_the_same_category_is_refused_by_its_field(
    session: Session, clock: FrozenClock
) -> None:
    source = make_category(session, slug="fibra")
    moderator = make_user(session, clock, role=Role.moderator)
    make_thread(session, clock, author=moderator, category=source)
    with pytest.raises(Invalid) as refused:
        bulk_move.move_all_threads(session, Guardian(moderator), source, source, clock=clock)
    assert refused.value.field == "category"
    assert refused.value.message == (
        "The threads are already in %(category)s: choose another category."
    )
    assert refused.value.params == {"category": "Fibra"}
    assert _audit_rows(session) == []


def test_an_empty_category_moves_nothing_and_records_nothing(
    session: Session, clock: FrozenClock
) -> None:
    source, target = make_category(session), make_category(session)
    moderator = make_user(session, clock, role=Role.moderator)
    moved = bulk_move.move_all_threads(session, Guardian(moderator), source, target, clock=clock)
    assert moved == 0
    assert _audit_rows(session) == [] and _moved_events(session, source) == []


def test_a_target_deleted_meanwhile_is_said_to_be_gone_and_nothing_moves(
    db: Engine, session: Session, clock: FrozenClock
) -> None:
    """The admin's page listed the target; another admin deleted it before the button was
    pressed."""
    source, target = make_category(session), make_category(session)
    admin = make_user(session, clock, role=Role.admin)
    thread = make_thread(session, clock, author=admin, category=source)
    with Session(db) as other_admins:
        stale = other_admins.get(Category, target.id)
        assert stale is not None
        categories.delete_category(other_admins, Guardian(admin), stale, clock=clock)

    with pytest.raises(Invalid, match="This category no longer exists") as refused:
        bulk_move.move_all_threads(session, Guardian(admin), source, target, clock=clock)
    assert refused.value.field == "category"
    session.rollback()
    session.refresh(thread)
    assert thread.category_id == source.id
    assert _audit_rows(session) == []


@pytest.mark.postgres
def test_deleting_the_target_during_a_move_waits_for_it_and_then_finds_the_threads(
    pg_engine: Engine, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(pg_engine, expire_on_commit=False) as setup:
        admin = make_user(setup, clock, role=Role.admin)
        source, target = make_category(setup), make_category(setup)
        for _ in range(2):
            make_thread(setup, clock, author=admin, category=source)
    moving, finish = threading.Event(), threading.Event()
    audit_move = bulk_move._audit

    def audit_then_hold(*args: Any) -> None:
        audit_move(*args)
        moving.set()  # everything is written but not committed
        assert finish.wait(10)

    monkeypatch.setattr(bulk_move, "_audit", audit_then_hold)
    outcome: dict[str, object] = {}

    def move() -> None:
        with Session(pg_engine) as mover:
            from_, to = mover.get(Category, source.id), mover.get(Category, target.id)
            assert from_ is not None and to is not None
            outcome["moved"] = bulk_move.move_all_threads(
                mover, Guardian(admin), from_, to, clock=clock
            )

    def delete() -> None:
        with Session(pg_engine) as deleter:
            doomed = deleter.get(Category, target.id)
            assert doomed is not None
            try:
                categories.delete_category(deleter, Guardian(admin), doomed, clock=clock)
                outcome["deleted"] = True
            except Conflict as refusal:
                outcome["refusal"] = refusal.message

    mover = threading.Thread(target=move)
    mover.start()
    assert moving.wait(10)
    deleter = threading.Thread(target=delete)
    deleter.start()
    deleter.join(0.5)
    assert deleter.is_alive()  # the delete waits for the move's transaction
    finish.set()
    mover.join(10)
    deleter.join(10)
    assert outcome.get("moved") == 2
    assert "deleted" not in outcome
    assert str(outcome.get("refusal")).startswith("This category still has %(num)s thread.")
    with Session(pg_engine) as check:
        moved = check.exec(select(Thread).where(col(Thread.category_id) == target.id)).all()
        assert len(moved) == 2


# --- the audit log ------------------------------------------------------------------------------


def test_the_audit_log_names_the_move_in_both_languages(
    app: FastAPI, session: Session, clock: FrozenClock
) -> None:
    source = make_category(session, slug="fibra")
    target = make_category(session, slug="internet-casa")
    admin = make_user(session, clock, username="boss", role=Role.admin)
    make_thread(session, clock, author=admin, category=source)
    bulk_move.move_all_threads(session, Guardian(admin), source, target, clock=clock)

    staff = client_for(app, admin)
    log = html.unescape(staff.get("/mod/audit").text)
    row = log.split("<tbody>")[1].split("</tr>")[0]
    assert "Moved every thread of a category" in row and "boss" in row
    assert f"category #{source.id}" in row
    assert '"fibra"' in row and '"internet-casa"' in row  # the raw data
    # What changed reads as a change: the source went from one thread to none, to the target.
    assert '<dt title="threads">Threads:</dt><dd>1 → 0</dd>' in row
    assert '<dt title="moved_to">Moved to:</dt><dd>— → Internet Casa</dd>' in row
    staff.headers["Accept-Language"] = "it"
    italian = html.unescape(staff.get("/mod/audit", params={"action": "move_all_threads"}).text)
    assert "Ha spostato tutte le discussioni di una categoria" in italian
    assert f"categoria #{source.id}" in italian
    assert "Discussioni:</dt><dd>1 → 0</dd>" in italian
    assert "Spostate in:</dt><dd>— → Internet Casa</dd>" in italian
