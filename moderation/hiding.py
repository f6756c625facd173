"""A moderator hiding a post: one way of doing it whoever asks (the post's Hide button, an upheld
spam or abuse flag), audited as "hide_post" and undone by the same Unhide."""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from community import visibility
from community.models import HiddenReason, Post, Thread
from moderation import audit


def hidden_state(item: Post | Thread) -> dict[str, Any]:
    """What the audit log keeps of an item's visibility, before and after."""
    return {
        "hidden": item.is_hidden,
        "hidden_reason": item.hidden_reason,
        "hidden_by_id": item.hidden_by_id,
    }


def hide_post_within(session: Session, post: Post, *, by_id: int, now: datetime) -> bool:
    """Hide ``post`` as moderator ``by_id`` in the caller's transaction, with its audit entry;
    False, and nothing written, when a moderator had hidden it already."""
    assert post.id is not None
    before = hidden_state(post)
    if not visibility.hide_post(session, post, reason=HiddenReason.moderator, by_id=by_id, now=now):
        return False
    audit.record(
        session,
        actor_id=by_id,
        action="hide_post",
        target_type="post",
        target_id=post.id,
        before=before,
        after=hidden_state(post),
        now=now,
    )
    return True
