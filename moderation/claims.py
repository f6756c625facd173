"""Claims: a moderator takes a thread on; everyone sees who owns it; others are warned first.

The claim lives on the thread's CareThread row (built on the spot if the worker has not made it
yet), so the queue and the thread page show it at once. Each change records ``thread_claimed`` or
``thread_released`` and an audit entry in the same transaction.
"""

from sqlalchemy import update
from sqlmodel import Session, col

from community import events, params, posting
from community.clock import Clock
from community.errors import Conflict, Invalid
from community.models import Thread, User
from community.policy import Guardian, ensure, ensure_signed_in
from moderation import audit, care
from moderation.models import CareThread


def owner(session: Session, thread: Thread) -> User | None:
    """Who has claimed the thread, if anyone (shown to everyone)."""
    row = session.get(CareThread, thread.id)
    if row is None or row.assignee_id is None:
        return None
    return session.get(User, row.assignee_id)


def claim(session: Session, guardian: Guardian, thread: Thread, *, clock: Clock) -> CareThread:
    """Claim an unclaimed thread (claiming one's own again changes nothing). Taking a thread
    from another moderator is a reassignment: ``assign``."""
    _ensure_can_claim(guardian)
    row = care.ensure_row(session, thread, now=clock.now())
    if row.assignee_id == guardian.user_id:
        return row
    if row.assignee_id is not None:
        holder = session.get(User, row.assignee_id)
        raise Conflict(
            "%(name)s has already claimed this thread.",
            name=holder.display_name if holder else "?",
        )
    return _set(session, guardian, thread, row, guardian.user_id, clock=clock)


def release(session: Session, guardian: Guardian, thread: Thread, *, clock: Clock) -> CareThread:
    """Release the claim (its holder, or any other moderator: people go home)."""
    _ensure_can_claim(guardian)
    row = care.ensure_row(session, thread, now=clock.now())
    if row.assignee_id is None:
        return row
    return _set(session, guardian, thread, row, None, clock=clock)


def assign(
    session: Session, guardian: Guardian, thread: Thread, *, to: User, clock: Clock
) -> CareThread:
    """Give the thread to a moderator (oneself included), whoever held it."""
    _ensure_can_claim(guardian)
    if not to.is_moderator or not to.is_active:
        raise Invalid("Threads can only be assigned to moderators.", field="moderator")
    if Guardian(to, now=clock.now()).is_suspended:
        raise Invalid(
            "%(name)s is suspended and cannot take threads.",
            field="moderator",
            name=to.display_name,
        )
    row = care.ensure_row(session, thread, now=clock.now())
    if row.assignee_id == to.id:
        return row
    assert to.id is not None
    return _set(session, guardian, thread, row, to.id, clock=clock)


def moderator_by_id(session: Session, raw: str) -> User:
    user_id = params.parse_number(raw)
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_moderator or not user.is_active:
        raise Invalid("Choose a moderator.", field="moderator")
    return user


def _set(
    session: Session,
    guardian: Guardian,
    thread: Thread,
    row: CareThread,
    moderator_id: int | None,
    *,
    clock: Clock,
) -> CareThread:
    now = clock.now()
    before = row.assignee_id
    # Compare and set: of two moderators changing the claim at once, the second is told.
    holder = col(CareThread.assignee_id)
    changed = session.execute(
        update(CareThread)
        .where(
            col(CareThread.thread_id) == row.thread_id,
            holder.is_(None) if before is None else holder == before,
        )
        .values(
            assignee_id=moderator_id,
            claimed_at=now if moderator_id is not None else None,
            updated_at=now,
        )
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict("Someone else changed who holds this thread. Reload the page.")
    if before is not None:
        events.record(
            session,
            "thread_released",
            at=now,
            thread_id=thread.id,
            moderator_id=before,
            by_id=guardian.user_id,
        )
    if moderator_id is not None:
        events.record(
            session,
            "thread_claimed",
            at=now,
            thread_id=thread.id,
            moderator_id=moderator_id,
            by_id=guardian.user_id,
        )
    if moderator_id is None:
        action = "thread_released"
    elif before is not None:
        action = "thread_reassigned"
    else:
        action = "thread_claimed" if moderator_id == guardian.user_id else "thread_assigned"
    assert thread.id is not None
    audit.record(
        session,
        actor_id=guardian.user_id,
        action=action,
        target_type="thread",
        target_id=thread.id,
        before={"assignee_id": before},
        after={"assignee_id": moderator_id},
        now=now,
    )
    session.commit()
    session.refresh(row)
    return row


def _ensure_can_claim(guardian: Guardian) -> None:
    ensure_signed_in(guardian)
    ensure(guardian.can_claim_threads(), "Only moderators can claim threads.")


# The warning before replying to someone else's thread -----------------------------------------


def claimed_by_other(session: Session, guardian: Guardian, thread: Thread) -> User | None:
    """The moderator who holds the thread, when the reader is another moderator."""
    if not guardian.is_moderator or guardian.user is None:
        return None
    holder = owner(session, thread)
    if holder is None or holder.id == guardian.user.id:
        return None
    return holder


def check_reply(session: Session, guardian: Guardian, thread: Thread) -> None:
    """A reply check for ``community.posting``: a moderator replying to a thread another
    moderator has claimed must confirm first."""
    holder = claimed_by_other(session, guardian, thread)
    if holder is not None:
        raise Conflict(
            "Claimed by %(name)s — reply anyway?", field="confirm", name=holder.display_name
        )


def install() -> None:
    """Register the reply check with the forum (main.create_app calls this)."""
    if check_reply not in posting.reply_checks:
        posting.reply_checks.append(check_reply)
