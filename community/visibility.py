"""Hidden posts and threads: only their author and moderators see them, and nothing is destroyed.

A moderator hides something (``HiddenReason.moderator``), or moderation's signals find personal
data in a public post (``HiddenReason.personal_data``) and hide it until a moderator reviews it.
These functions change the state and record the event in the caller's transaction; who may call
them is the caller's business (moderation's services check the Guardian; the worker acts for the
brand). The author is shown why (``hidden_reason``).
"""

from datetime import datetime

from sqlmodel import Session

from community import events
from community.models import HiddenReason, Post, Thread


def hide_post(
    session: Session, post: Post, *, reason: HiddenReason, by_id: int | None, now: datetime
) -> bool:
    """Hide ``post``; False (and no event) when it already was hidden for the same reason."""
    if post.hidden_at is not None and post.hidden_reason == reason:
        return False
    post.hidden_at = now
    post.hidden_by_id = by_id
    post.hidden_reason = reason
    session.add(post)
    events.record(
        session,
        "post_hidden",
        at=now,
        thread_id=post.thread_id,
        post_id=post.id,
        reason=str(reason),
        by_id=by_id,
        author_id=post.author_id,
    )
    return True


def unhide_post(session: Session, post: Post, *, by_id: int, now: datetime) -> bool:
    if post.hidden_at is None:
        return False
    reason = post.hidden_reason
    post.hidden_at = None
    post.hidden_by_id = None
    post.hidden_reason = None
    session.add(post)
    events.record(
        session,
        "post_unhidden",
        at=now,
        thread_id=post.thread_id,
        post_id=post.id,
        reason=reason,
        by_id=by_id,
        author_id=post.author_id,
    )
    return True


def hide_thread(
    session: Session, thread: Thread, *, reason: HiddenReason, by_id: int | None, now: datetime
) -> bool:
    if thread.hidden_at is not None and thread.hidden_reason == reason:
        return False
    thread.hidden_at = now
    thread.hidden_by_id = by_id
    thread.hidden_reason = reason
    session.add(thread)
    events.record(
        session,
        "thread_hidden",
        at=now,
        thread_id=thread.id,
        reason=str(reason),
        by_id=by_id,
        author_id=thread.author_id,
    )
    return True


def unhide_thread(session: Session, thread: Thread, *, by_id: int, now: datetime) -> bool:
    if thread.hidden_at is None:
        return False
    reason = thread.hidden_reason
    thread.hidden_at = None
    thread.hidden_by_id = None
    thread.hidden_reason = None
    session.add(thread)
    events.record(
        session,
        "thread_unhidden",
        at=now,
        thread_id=thread.id,
        reason=reason,
        by_id=by_id,
        author_id=thread.author_id,
    )
    return True
