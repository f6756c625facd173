"""Approving what waits for a moderator: a newcomer's question or reply with a link is hidden
with ``HiddenReason.awaiting_approval`` (community.posting) and shows in the listening queue with
an "awaiting approval" chip; a moderator approves it from there and it goes out to everyone.

Rejecting is the moderator tools' business (hide it as a moderator, or delete it).
"""

from typing import Any

from sqlmodel import Session, col, select

from community import posting, visibility
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
        before = _state(thread)
        if visibility.unhide_thread(session, thread, by_id=by_id, now=now):
            audit.record(
                session,
                actor_id=by_id,
                action="approve_thread",
                target_type="thread",
                target_id=thread.id,
                before=before,
                after=_state(thread),
                now=now,
            )
            approved += 1
    for post in posts:
        assert post.id is not None
        before = _state(post)
        if visibility.unhide_post(session, post, by_id=by_id, now=now):
            audit.record(
                session,
                actor_id=by_id,
                action="approve_post",
                target_type="post",
                target_id=post.id,
                before=before,
                after=_state(post),
                now=now,
            )
            approved += 1
    posting.refresh_first_response(session, thread)
    care.rebuild(session, thread.id, now=now)
    session.commit()
    return approved
