"""The audit log stores who did what to what, when, with the state before and after as JSON."""

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from community import accounts, categories, events, posting, solutions
from community.clock import FrozenClock
from community.models import HiddenReason, Post, Role
from community.policy import Guardian
from moderation import audit
from moderation.models import AuditEntry
from tests.factories import make_category, make_reply, make_thread, make_user


def test_record_serialises_before_and_after(session: Session, clock: FrozenClock) -> None:
    moderator = make_user(session, clock, role=Role.moderator)
    assert moderator.id is not None
    until = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    audit.record(
        session,
        actor_id=moderator.id,
        action="suspend_user",
        target_type="user",
        target_id=42,
        before={"suspended_until": None},
        after={"suspended_until": until, "reason": HiddenReason.moderator},
        now=clock.now(),
    )
    session.commit()
    entry = session.exec(select(AuditEntry)).one()
    assert entry.actor_id == moderator.id
    assert entry.action == "suspend_user"
    assert (entry.target_type, entry.target_id) == ("user", 42)
    assert audit.loads(entry.before) == {"suspended_until": None}
    assert audit.loads(entry.after) == {
        "suspended_until": "2026-12-01T12:00:00+00:00",
        "reason": "moderator",
    }
    assert entry.created_at == clock.now()


def _entries(session: Session, clock: FrozenClock) -> list[tuple[str, str, int, int]]:
    """(action, target type, target id, actor id) of every entry, after the audit consumer ran."""
    session.expire_all()
    events.drain(session, now=clock.now(), consumers=[audit.CONSUMER])
    rows = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    return [(e.action, e.target_type, e.target_id, e.actor_id) for e in rows]


def test_staff_actions_through_community_services_are_logged(
    session: Session, clock: FrozenClock
) -> None:
    admin = make_user(session, clock, role=Role.admin)
    moderator = make_user(session, clock, role=Role.moderator)
    asker, helper = make_user(session, clock), make_user(session, clock)
    category = make_category(session)
    thread = make_thread(session, clock, author=asker, category=category)
    answer = make_reply(session, clock, author=helper, thread=thread)
    rude = make_reply(session, clock, author=helper, thread=thread, body="You are all idiots")
    staff = Guardian(moderator, now=clock.now())
    assert moderator.id is not None and admin.id is not None and helper.id is not None

    posting.delete_post(session, staff, rude, clock=clock)
    solutions.accept_solution(session, staff, thread, answer, clock=clock)
    solutions.unmark_solution(session, staff, thread, clock=clock)
    accounts.grant_moderator(session, Guardian(admin), helper, clock=clock)
    categories.update_category(session, Guardian(admin), category, name="Fibra", clock=clock)

    assert sorted(_entries(session, clock)) == sorted(
        [
            ("delete_post", "post", rude.id, moderator.id),
            ("accept_solution", "thread", thread.id, moderator.id),
            ("unmark_solution", "thread", thread.id, moderator.id),
            ("change_role", "user", helper.id, admin.id),
            ("update_category", "category", category.id, admin.id),
        ]
    )
    role = session.exec(select(AuditEntry).where(col(AuditEntry.action) == "change_role")).one()
    assert (audit.loads(role.before), audit.loads(role.after)) == (
        {"role": "member"},
        {"role": "moderator"},
    )
    renamed = session.exec(
        select(AuditEntry).where(col(AuditEntry.action) == "update_category")
    ).one()
    assert (
        audit.loads(renamed.before)["name"] != "Fibra"
        and audit.loads(renamed.after)["name"] == "Fibra"
    )


def test_members_own_deletions_and_solutions_are_not_moderator_actions(
    session: Session, clock: FrozenClock
) -> None:
    asker, helper = make_user(session, clock), make_user(session, clock)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    answer = make_reply(session, clock, author=helper, thread=thread)
    oops = make_reply(session, clock, author=helper, thread=thread, body="Wrong thread, sorry")
    posting.delete_post(session, Guardian(helper), oops, clock=clock)
    solutions.accept_solution(session, Guardian(asker), thread, answer, clock=clock)
    assert _entries(session, clock) == []


def test_a_moderator_deleting_a_question_logs_the_thread(
    session: Session, clock: FrozenClock
) -> None:
    moderator = make_user(session, clock, role=Role.moderator)
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    question = session.exec(
        select(Post).where(col(Post.thread_id) == thread.id, col(Post.post_number) == 1)
    ).one()
    posting.delete_post(session, Guardian(moderator, now=clock.now()), question, clock=clock)
    assert _entries(session, clock) == [("delete_thread", "thread", thread.id, moderator.id)]
