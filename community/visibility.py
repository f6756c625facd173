"""Hidden posts and threads: only their author and moderators see them, and nothing is destroyed.

A moderator hides something (``HiddenReason.moderator``), or moderation's signals find personal
data in a public post (``HiddenReason.personal_data``) and hide it until a moderator reviews it.
These functions change the state and record the event in the caller's transaction; who may call
them is the caller's business (moderation's services check the Guardian; the worker acts for the
brand). The author is shown why (``hidden_reason``).
"""

from datetime import datetime

from sqlmodel import Session

from community import events, first_response
from community.models import HiddenReason, Post, Thread


def _hide(
    session: Session,
    row: Post | Thread,
    event: str,
    *,
    thread_id: int | None,
    reason: HiddenReason,
    by_id: int | None,
    now: datetime,
    **ids: int | None,
) -> bool:
    if row.hidden_at is not None and row.hidden_reason == reason:
        return False
    row.hidden_at = now
    row.hidden_by_id = by_id
    row.hidden_reason = reason
    session.add(row)
    events.record(
        session,
        event,
        at=now,
        thread_id=thread_id,
        reason=str(reason),
        by_id=by_id,
        author_id=row.author_id,
        **ids,
    )
    return True


def _unhide(
    session: Session,
    row: Post | Thread,
    event: str,
    *,
    thread_id: int | None,
    by_id: int,
    now: datetime,
    **ids: int | None,
) -> bool:
    if row.hidden_at is None:
        return False
    reason = row.hidden_reason
    if isinstance(row, Post) and row.published_at is None:
        row.published_at = now  # approved: readers see it from now on
    row.hidden_at = None
    row.hidden_by_id = None
    row.hidden_reason = None
    session.add(row)
    events.record(
        session,
        event,
        at=now,
        thread_id=thread_id,
        reason=reason,
        by_id=by_id,
        author_id=row.author_id,
        **ids,
    )
    return True


def hide_post(
    session: Session, post: Post, *, reason: HiddenReason, by_id: int | None, now: datetime
) -> bool:
    """Hide ``post``; False (and no event) when it already was hidden for the same reason."""
    hidden = _hide(
        session,
        post,
        "post_hidden",
        thread_id=post.thread_id,
        reason=reason,
        by_id=by_id,
        now=now,
        post_id=post.id,
    )
    if hidden:
        _refresh_first_response(session, post)
    return hidden


def unhide_post(session: Session, post: Post, *, by_id: int, now: datetime) -> bool:
    shown = _unhide(
        session,
        post,
        "post_unhidden",
        thread_id=post.thread_id,
        by_id=by_id,
        now=now,
        post_id=post.id,
    )
    if shown:
        _refresh_first_response(session, post)
    return shown


def _refresh_first_response(session: Session, post: Post) -> None:
    """A reply readers can no longer see (or now can) answers the thread no more (or again)."""
    if post.is_question:
        return
    thread = session.get(Thread, post.thread_id)
    if thread is not None:
        session.flush()
        first_response.refresh(session, thread)


def hide_thread(
    session: Session, thread: Thread, *, reason: HiddenReason, by_id: int | None, now: datetime
) -> bool:
    return _hide(
        session, thread, "thread_hidden", thread_id=thread.id, reason=reason, by_id=by_id, now=now
    )


def unhide_thread(session: Session, thread: Thread, *, by_id: int, now: datetime) -> bool:
    return _unhide(session, thread, "thread_unhidden", thread_id=thread.id, by_id=by_id, now=now)
