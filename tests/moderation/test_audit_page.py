"""The audit log page reads as words: each entry's changed fields as "Label: before → after", in the
reader's language and time zone, with names for ids and the app's labels for codes; the raw data
stays one click away."""

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from community import account_erasure, accounts, categories, events, posting, solutions
from community.clock import FrozenClock
from community.events import OutboxDelivery
from community.models import Category, HiddenReason, Post, Role, Thread, User
from community.policy import Guardian
from moderation import (
    advocates,
    approvals,
    audit,
    audit_changes,
    bulk_move,
    canned,
    cases,
    claims,
    flags,
    outbox_health,
    service_levels,
    tools,
)
from moderation.models import AuditEntry, FlagKind, FlagStatus
from moderation.signals import corrections
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.brand_helpers import client_for, open_case

PERSONAL_DATA = "Call me on 333 1234567 after six, please"
LINK = "The guide at https://example.org/modem says to reset it."


@dataclass
class Scene:
    admin: User
    mod: User
    sara: User
    asker: User
    fibre: Category
    mobile: Category
    thread: Thread


def _category(session: Session, slug: str, name: str) -> Category:
    category = make_category(session, slug=slug)
    category.name = name
    session.add(category)
    session.commit()
    return category


@pytest.fixture
def scene(app: FastAPI, session: Session, clock: FrozenClock) -> Scene:
    """``app`` first: it registers the personal-data hold that posting runs."""
    fibre = _category(session, "fibra", "Fibra e ADSL")
    mobile = _category(session, "mobile", "Mobile")
    asker = make_user(session, clock, username="giulia")
    thread = make_thread(
        session, clock, author=asker, category=fibre, title="Il modem si spegne la sera"
    )
    return Scene(
        admin=make_user(session, clock, username="boss", role=Role.admin),
        mod=make_user(session, clock, username="mod", role=Role.moderator),
        sara=make_user(session, clock, username="sara", role=Role.moderator),
        asker=asker,
        fibre=fibre,
        mobile=mobile,
        thread=thread,
    )


def _changes(client: TestClient, action: str, **params: str) -> list[str]:
    """The "Label: before → after" lines of the newest entry of ``action``, as the page shows
    them (the raw data under them left out)."""
    page = client.get("/mod/audit", params={"action": action, **params})
    assert page.status_code == 200
    row = page.text.split('<tr id="audit-')[1].split("</tr>")[0]
    assert f'<td title="{action}">' in row
    shown = row.split('<details class="audit-raw">')[0]
    pairs = re.findall(r"<dt title=\"[a-z_]+\">(.*?)</dt><dd>(.*?)</dd>", shown)
    return [" ".join(html.unescape(f"{label} {values}").split()) for label, values in pairs]


def _italian(app: FastAPI, user: User) -> TestClient:
    client = client_for(app, user)
    client.headers["Accept-Language"] = "it"
    return client


def test_a_move_reads_as_the_old_category_name_to_the_new_one(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    tools.move_thread(
        session, Guardian(scene.mod), scene.thread, category=scene.mobile, clock=clock
    )

    admin = client_for(app, scene.admin)
    assert _changes(admin, "move_thread") == ["Category: Fibra e ADSL → Mobile"]
    assert _changes(_italian(app, scene.admin), "move_thread") == [
        "Categoria: Fibra e ADSL → Mobile"
    ]
    page = html.unescape(admin.get("/mod/audit").text)
    raw = page.split('<details class="audit-raw">')[1].split("</details>")[0]
    assert "<summary>Raw data</summary>" in raw
    assert f'"category_id": {scene.fibre.id}' in raw and '"category": "mobile"' in raw


def test_hiding_and_the_review_of_personal_data_read_with_the_reasons_the_app_uses(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    held = make_reply(session, clock, author=scene.asker, thread=scene.thread, body=PERSONAL_DATA)
    assert held.hidden_reason == HiddenReason.personal_data
    mod = Guardian(scene.mod)
    tools.unhide_post(session, mod, held, clock=clock)  # the review: the number was the shop's
    clock.advance(minutes=5)
    tools.hide_post(session, mod, held, clock=clock)
    tools.hide_thread(session, mod, scene.thread, clock=clock)

    admin = client_for(app, scene.admin)
    assert _changes(admin, "unhide_post") == [
        "Hidden: Yes → No",
        "Reason: personal data hidden → —",
    ]
    assert _changes(admin, "hide_post") == [
        "Hidden: No → Yes",
        "Reason: — → a moderator hid it",
        "Hidden by: — → mod",
    ]
    assert "Reason: — → a moderator hid this thread" in _changes(admin, "hide_thread")
    italian = _italian(app, scene.admin)
    assert _changes(italian, "unhide_post") == [
        "Nascosto: Sì → No",
        "Motivo: dati personali nascosti → —",
    ]
    assert _changes(italian, "hide_post") == [
        "Nascosto: No → Sì",
        "Motivo: — → l'ha nascosto un moderatore",
        "Nascosto da: — → mod",
    ]


def test_a_suspension_reads_with_its_end_in_the_readers_time_zone(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    # The clock reads 2026-01-15 09:00 UTC: three days on is 10:00 in Rome.
    tools.suspend_user(
        session,
        Guardian(scene.mod),
        scene.asker,
        duration=timedelta(days=3),
        reason="Spam links",
        clock=clock,
    )
    admin = client_for(app, scene.admin)
    assert _changes(admin, "suspend_user") == [
        "Suspended until: — → Jan 18, 2026, 10:00 AM CET",
        "Reason: — → Spam links",
    ]
    assert _changes(_italian(app, scene.admin), "suspend_user") == [
        "Sospeso fino al: — → 18 gen 2026, 10:00 CET",
        "Motivo: — → Spam links",
    ]
    scene.admin.time_zone = "America/New_York"  # a time zone of their own, from their settings
    session.add(scene.admin)
    session.commit()
    tools.unsuspend_user(session, Guardian(scene.mod), scene.asker, clock=clock)
    assert _changes(admin, "unsuspend_user") == [
        "Suspended until: Jan 18, 2026, 4:00 AM EST → —",
        "Reason: Spam links → —",
    ]


def test_a_case_update_reads_with_the_case_pages_labels_and_names(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    case = open_case(session, clock, scene.mod, scene.thread)
    clock.advance(hours=1)
    cases.update_case(
        session,
        Guardian(scene.mod),
        case,
        status="resolved",
        priority="urgent",
        assignee_id=scene.sara.id,
        clock=clock,
    )
    admin = client_for(app, scene.admin)
    opened = _changes(admin, "case_opened")
    assert "Status: — → Open" in opened and "Priority: — → High" in opened
    assert "Thread: — → Il modem si spegne la sera" in opened
    assert _changes(admin, "case_updated") == [
        "Status: Open → Resolved",
        "Priority: High → Urgent",
        "Assignee: mod → sara",
    ]
    assert _changes(_italian(app, scene.admin), "case_updated") == [
        "Stato: Aperto → Risolto",
        "Priorità: Alta → Urgente",
        "Assegnatario: mod → sara",
    ]


def test_a_flag_resolution_reads_with_the_queues_labels(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    reply = make_reply(session, clock, author=scene.asker, thread=scene.thread)
    flagger = make_user(session, clock, username="anna")
    flag = flags.raise_flag(session, Guardian(flagger), reply, kind=FlagKind.off_topic, clock=clock)
    flags.resolve(session, Guardian(scene.mod), [flag], status=FlagStatus.dismissed, clock=clock)
    admin = client_for(app, scene.admin)
    assert _changes(admin, "flag_dismissed") == ["Status: open → dismissed"]
    assert _changes(_italian(app, scene.admin), "flag_dismissed") == ["Stato: aperta → respinta"]


def test_a_row_naming_a_deleted_category_still_reads(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    fibre_id = scene.fibre.id
    tools.move_thread(
        session, Guardian(scene.mod), scene.thread, category=scene.mobile, clock=clock
    )
    categories.delete_category(session, Guardian(scene.admin), scene.fibre, clock=clock)
    events.drain(session, now=clock.now(), consumers=[audit.CONSUMER])

    admin = client_for(app, scene.admin)
    assert _changes(admin, "move_thread") == [f"Category: deleted category #{fibre_id} → Mobile"]
    assert _changes(_italian(app, scene.admin), "move_thread") == [
        f"Categoria: categoria eliminata n. {fibre_id} → Mobile"
    ]
    assert _changes(admin, "delete_category") == [
        "Address: fibra → —",
        "Name: Fibra e ADSL → —",
        "Position: 0 → —",
    ]
    assert admin.get("/mod/audit").status_code == 200


# --- every action the log holds -----------------------------------------------------------------


def _every_action(session: Session, clock: FrozenClock, scene: Scene) -> None:
    """Each action of audit.ACTION_LABELS once, through the services."""
    mod, admin = Guardian(scene.mod), Guardian(scene.admin)
    thread, asker = scene.thread, scene.asker
    newcomer = make_user(session, clock, username="newbie")
    make_reply(session, clock, author=newcomer, thread=thread, body=LINK)
    approvals.approve(session, mod, thread, clock=clock)
    waiting = make_thread(session, clock, author=newcomer, category=scene.fibre, body=LINK)
    approvals.approve(session, mod, waiting, clock=clock)
    reply = make_reply(session, clock, author=scene.sara, thread=thread)
    rude = make_reply(session, clock, author=asker, thread=thread, body="You are all idiots")
    tools.hide_post(session, mod, rude, clock=clock)
    tools.unhide_post(session, mod, rude, clock=clock)
    tools.hide_thread(session, mod, thread, clock=clock)
    tools.unhide_thread(session, mod, thread, clock=clock)
    tools.lock_thread(session, mod, thread, clock=clock)
    tools.unlock_thread(session, mod, thread, clock=clock)
    tools.move_thread(session, mod, thread, category=scene.mobile, clock=clock)
    other = make_thread(
        session, clock, author=asker, category=scene.fibre, title="La fibra è lenta"
    )
    tools.merge_thread(session, mod, other, into=thread, clock=clock)
    tools.suspend_user(session, mod, asker, duration=timedelta(days=1), reason="x", clock=clock)
    tools.unsuspend_user(session, mod, asker, clock=clock)

    flagger = make_user(session, clock, username="anna")
    spam = flags.raise_flag(session, Guardian(flagger), rude, kind=FlagKind.spam, clock=clock)
    flags.resolve(session, mod, [spam], status=FlagStatus.upheld, clock=clock)
    off = flags.raise_flag(session, Guardian(flagger), reply, kind=FlagKind.off_topic, clock=clock)
    flags.resolve(session, mod, [off], status=FlagStatus.dismissed, clock=clock)
    corrections.correct(session, mod, reply, signal="sentiment", value="neutral", now=clock.now())

    claims.claim(session, mod, thread, clock=clock)
    claims.release(session, mod, thread, clock=clock)
    claims.assign(session, mod, thread, to=scene.sara, clock=clock)
    claims.assign(session, mod, thread, to=scene.mod, clock=clock)
    case = open_case(session, clock, scene.mod, thread)
    cases.update_case(session, mod, case, status="resolved", clock=clock)

    template = canned.create_reply(
        session, mod, title="Reset", body="Hold the button.", language="it", clock=clock
    )
    canned.update_reply(
        session, mod, template, title="Reset", body="Hold it.", language="", clock=clock
    )
    canned.delete_reply(session, mod, template, clock=clock)
    service_levels.set_target(session, admin, scene.fibre, hours=8, clock=clock)

    helper = make_user(session, clock, username="luca")
    ids = [scene.fibre.id or 0]
    advocates.nominate(session, mod, helper, category_ids=ids, clock=clock)
    advocates.set_categories(session, mod, helper, category_ids=[scene.mobile.id or 0], clock=clock)
    advocates.revoke(session, mod, helper, clock=clock)

    # The community's own services, logged by the audit consumer from their events.
    answered = make_thread(
        session, clock, author=asker, category=scene.fibre, title="Fattura doppia a marzo"
    )
    answer = make_reply(session, clock, author=scene.sara, thread=answered)
    solutions.accept_solution(session, mod, answered, answer, clock=clock)
    solutions.unmark_solution(session, mod, answered, clock=clock)
    posting.edit_post(session, mod, answer, body="Restart the modem, then wait.", clock=clock)
    posting.delete_post(session, mod, answer, clock=clock)
    question = session.exec(
        select(Post).where(col(Post.thread_id) == answered.id, col(Post.post_number) == 1)
    ).one()
    posting.delete_post(session, mod, question, clock=clock)
    accounts.grant_moderator(session, admin, helper, clock=clock)
    casa = categories.create_category(session, admin, slug="casa", name="Casa", clock=clock)
    categories.update_category(session, admin, casa, name="Casa e ufficio", clock=clock)
    bulk_move.move_all_threads(session, mod, scene.fibre, casa, clock=clock)
    categories.delete_category(session, admin, scene.fibre, clock=clock)
    leaver = make_user(session, clock, username="leaver")
    account_erasure.erase(session, admin, leaver, confirm_username="leaver", clock=clock)
    _park_one_delivery(session, clock)
    outbox_health.retry_parked(session, admin, consumer="notifications", clock=clock)
    session.expire_all()
    events.drain(session, now=clock.now(), consumers=[audit.CONSUMER])


def _park_one_delivery(session: Session, clock: FrozenClock) -> None:
    """As the worker leaves a delivery whose every attempt failed (tests/moderation/
    test_outbox_page.py makes a mail server refuse for real)."""
    delivery = session.exec(
        select(OutboxDelivery).where(col(OutboxDelivery.consumer) == "notifications")
    ).first()
    assert delivery is not None
    delivery.attempts, delivery.parked_at = events.MAX_ATTEMPTS, clock.now()
    delivery.last_error = "RuntimeError: boom"
    session.add(delivery)
    session.commit()


def test_every_action_reads_with_a_label_for_every_field_it_records(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    _every_action(session, clock, scene)
    entries = list(session.exec(select(AuditEntry)))
    assert {e.action for e in entries} == set(audit.ACTION_LABELS)
    recorded = {key for e in entries for key in (*audit.loads(e.before), *audit.loads(e.after))}
    assert recorded - set(audit_changes.FIELD_LABELS) == set()

    for language in ("en", "it"):
        browser = client_for(app, scene.admin)
        browser.headers["Accept-Language"] = language
        page = browser.get("/mod/audit")
        assert page.status_code == 200
        rows = page.text.split('<tr id="audit-')[1:]
        assert len(rows) == len(entries)
        lines = [
            html.unescape(line)
            for row in rows
            for line in re.findall(r"<dd>(.*?)</dd>", row.split('<details class="audit-raw">')[0])
        ]
        # No stored code, field name, id or JSON left in the words.
        leftovers = re.compile(r"None|True|true|False|false|[a-z]_[a-z]|[{}\[\]]|\d{4}-\d\dT")
        assert [line for line in lines if leftovers.search(line)] == []


# --- a fixed number of queries ------------------------------------------------------------------


@contextmanager
def _counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _busy_day(session: Session, clock: FrozenClock, scene: Scene, n: int) -> None:
    """Entries naming categories, members and threads of their own."""
    mod = Guardian(scene.mod)
    for i in range(n):
        source = _category(session, f"from-{n}-{i}", f"From {i}")
        target = _category(session, f"to-{n}-{i}", f"To {i}")
        author = make_user(session, clock, username=f"author-{n}-{i}")
        thread = make_thread(
            session, clock, author=author, category=source, title=f"Question number {i}"
        )
        post = make_reply(session, clock, author=author, thread=thread)
        tools.move_thread(session, mod, thread, category=target, clock=clock)
        tools.hide_post(session, mod, post, clock=clock)
        claims.assign(session, mod, thread, to=scene.sara, clock=clock)
        into = make_thread(
            session, clock, author=author, category=target, title=f"Target thread {i}"
        )
        tools.merge_thread(session, mod, thread, into=into, clock=clock)


def test_the_page_takes_as_many_queries_for_many_rows_as_for_few(
    app: FastAPI, db: Engine, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    admin = client_for(app, scene.admin)
    _busy_day(session, clock, scene, 1)
    with _counted(db) as few:
        assert admin.get("/mod/audit").status_code == 200
    _busy_day(session, clock, scene, 6)
    with _counted(db) as many:
        page = admin.get("/mod/audit").text
    assert page.count('<tr id="audit-') == 28
    assert "From 5 → To 5" in page and "— → Target thread 5" in page and "— → sara" in page
    assert len(many) == len(few), "\n".join(many)
