"""What moderation lets go of when an account is deleted (community.account_erasure).

In the erasing transaction: the threads the person claimed go back to the queue and the cases
assigned to them back to the team; their own cases still going are closed (the brand cannot
write to someone who is gone, and its CRM hears of it through the case webhook). Their flags,
satisfaction answers and the care figures stay, pointing at the pseudonymous account. An
administrator's deletion of someone else's account is logged by the audit consumer.
"""

from datetime import datetime

from sqlmodel import Session, col, select

from community import account_erasure, events
from community.models import User
from community.policy import Guardian
from moderation import cases
from moderation.models import CareThread


def let_go(session: Session, user: User, guardian: Guardian, now: datetime) -> None:
    assert user.id is not None
    by_id = guardian.user.id if guardian.user is not None and guardian.user.id else user.id
    _release_claims(session, user.id, by_id=by_id, now=now)
    cases.let_go_of(session, user.id, by_id=by_id, now=now)


def _release_claims(session: Session, user_id: int, *, by_id: int, now: datetime) -> None:
    claimed = session.exec(select(CareThread).where(col(CareThread.assignee_id) == user_id))
    for care in claimed:
        care.assignee_id = None
        care.claimed_at = None
        care.updated_at = now
        session.add(care)
        events.record(
            session,
            "thread_released",
            at=now,
            thread_id=care.thread_id,
            moderator_id=user_id,
            by_id=by_id,
        )


def install() -> None:
    """Register ``let_go`` with account deletion (main.configure_consumers calls this)."""
    if let_go not in account_erasure.before_erase:
        account_erasure.before_erase.append(let_go)
