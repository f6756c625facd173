"""Approving what waits for a moderator: a newcomer's question or reply with a link is hidden
with ``HiddenReason.awaiting_approval`` (community.posting) and shows in the listening queue with
an "awaiting approval" chip; a moderator approves it from there and it goes out to everyone.

Rejecting is the moderator tools' business (hide it as a moderator, or delete it).
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from community import visibility
from community.clock import Clock
from community.errors import Conflict
from community.models import HiddenReason, Post, Thread
from community.policy import Guardian, ensure, ensure_signed_in
from moderation import audit, care


def _state(item: Post | Thread) -> dict[str, Any]:
    return {"hidden": item.is_hidden, "hidden_reason": item.hidden_reason}


def waiting_posts(session: Session, thread: Thread) -> list[Post]:
    """The thread's live posts waiting for approval, in order."""
    return list(
        session.exec(
            select(Post)
            .where(
                col(Post.thread_id) == thread.id,
                col(Post.hidden_reason) == HiddenReason.awaiting_approval,
                col(Post.deleted_at).is_(None),
            )
            .order_by(col(Post.post_number))
        )
    )


def _publish(session: Session, item: Post | Thread, *, by_id: int, now: datetime) -> bool:
    """Unhide ``item`` and audit its approval; False when it was no longer hidden."""
    assert item.id is not None
    before = _state(item)
    if isinstance(item, Thread):
        target_type, action = "thread", "approve_thread"
        published = visibility.unhide_thread(session, item, by_id=by_id, now=now)
    else:
        target_type, action = "post", "approve_post"
        published = visibility.unhide_post(session, item, by_id=by_id, now=now)
    if published:
        audit.record(
            session,
            actor_id=by_id,
            action=action,
            target_type=target_type,
            target_id=item.id,
            before=before,
            after=_state(item),
            now=now,
        )
    return published


def approve(session: Session, guardian: Guardian, thread: Thread, *, clock: Clock) -> int:
    """Publish the thread (if its question waits) and every reply of it that waits; each one is
    audited. Returns how many were approved; a conflict when nothing waits (already approved)."""
    ensure_signed_in(guardian)
    ensure(guardian.can_moderate(), "Only moderators can approve posts.")
    assert thread.id is not None
    now = clock.now()
    by_id = guardian.user_id
    posts = waiting_posts(session, thread)
    if thread.hidden_reason != HiddenReason.awaiting_approval and not posts:
        raise Conflict("Nothing in this thread is waiting for approval.")
    approved = 0
    if thread.hidden_reason == HiddenReason.awaiting_approval:
        approved += _publish(session, thread, by_id=by_id, now=now)
    for post in posts:
        approved += _publish(session, post, by_id=by_id, now=now)
    care.rebuild(session, thread.id, now=now)
    session.commit()
    return approved
