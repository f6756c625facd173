"""The audit log stores who did what to what, when, with the state before and after as JSON."""

from datetime import UTC, datetime

from sqlmodel import Session, select

from community.clock import FrozenClock
from community.models import HiddenReason, Role
from moderation import audit
from moderation.models import AuditEntry
from tests.factories import make_user


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
