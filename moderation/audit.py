"""The audit log: every moderator action writes one entry (who, what, to what, when, before, after).

Services call ``record`` in their own transaction, before they commit, so an action and its entry
are stored together or not at all.
"""

import json
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session

from community import events
from community.events import OutboxEvent
from community.i18n import N_
from community.models import Thread
from moderation.models import AuditEntry

# What the log page calls each action and kind of target (the codes stay in the data and filters).
ACTION_LABELS = {
    "hide_post": N_("Hid a post"),
    "unhide_post": N_("Showed a post again"),
    "hide_thread": N_("Hid a thread"),
    "unhide_thread": N_("Showed a thread again"),
    "lock_thread": N_("Locked a thread"),
    "unlock_thread": N_("Unlocked a thread"),
    "move_thread": N_("Moved a thread"),
    "move_all_threads": N_("Moved every thread of a category"),
    "merge_thread": N_("Merged a thread"),
    "edit_post": N_("Edited a member's post"),
    "delete_post": N_("Deleted a post"),
    "delete_thread": N_("Deleted a thread"),
    "approve_post": N_("Approved a post"),
    "approve_thread": N_("Approved a thread"),
    "accept_solution": N_("Chose a solution"),
    "unmark_solution": N_("Removed a solution"),
    "suspend_user": N_("Suspended a member"),
    "unsuspend_user": N_("Lifted a suspension"),
    "change_role": N_("Changed a role"),
    "erase_account": N_("Deleted an account"),
    "thread_claimed": N_("Claimed a thread"),
    "thread_assigned": N_("Assigned a thread"),
    "thread_reassigned": N_("Reassigned a thread"),
    "thread_released": N_("Released a thread"),
    "flag_upheld": N_("Upheld a flag"),
    "flag_dismissed": N_("Dismissed a flag"),
    "signal_corrected": N_("Corrected a signal"),
    "case_opened": N_("Opened a case"),
    "case_updated": N_("Updated a case"),
    "canned_reply_created": N_("Created a canned reply"),
    "canned_reply_updated": N_("Edited a canned reply"),
    "canned_reply_deleted": N_("Deleted a canned reply"),
    "service_level_set": N_("Set a service level"),
    "nominate_advocate": N_("Nominated an advocate"),
    "revoke_advocate": N_("Revoked an advocate"),
    "advocate_categories": N_("Changed an advocate's categories"),
    "create_category": N_("Created a category"),
    "update_category": N_("Edited a category"),
    "delete_category": N_("Deleted a category"),
    "retry_parked_deliveries": N_("Put parked deliveries back in line"),
}
TARGET_LABELS = {
    "thread": N_("thread"),
    "post": N_("post"),
    "user": N_("member"),
    "case": N_("case"),
    "flag": N_("flag"),
    "canned_reply": N_("canned reply"),
    "category": N_("category"),
    "outbox": N_("background deliveries"),
}


def _plain(value: Any) -> Any:
    """A JSON-ready copy of ``value``: datetimes as ISO 8601, enums as their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def dumps(state: Mapping[str, Any]) -> str:
    return json.dumps(_plain(state), sort_keys=True, ensure_ascii=False, default=str)


def loads(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {"value": value}


def record(
    session: Session,
    *,
    actor_id: int,
    action: str,
    target_type: str,
    target_id: int,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    now: datetime,
) -> AuditEntry:
    """Add an audit entry to ``session`` (the caller commits)."""
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=dumps(before),
        after=dumps(after),
        created_at=now,
    )
    session.add(entry)
    return entry


# Staff actions taken through the community's own services ----------------------------------------
#
# Deleting someone else's post, choosing or removing the solution of someone else's thread, changing
# a member's role, creating, editing or deleting a category: the community core has no audit log
# (it never imports moderation), so this consumer writes their entries from the core's events. The
# entry and the delivery commit together, so each action is logged exactly once, shortly after it
# happened.

CONSUMER = "audit"


def _on_post_deleted(session: Session, event: OutboxEvent) -> None:
    data = event.data
    by_id, author_id = data.get("deleted_by_id"), data.get("author_id")
    if not isinstance(by_id, int) or by_id == author_id:
        return  # the author's own deletion is not a moderator action
    question = data.get("post_number") == 1
    target_id = event.thread_id if question else data.get("post_id")
    if not isinstance(target_id, int):
        return
    record(
        session,
        actor_id=by_id,
        action="delete_thread" if question else "delete_post",
        target_type="thread" if question else "post",
        target_id=target_id,
        before={"deleted": False, "author_id": author_id},
        after={"deleted": True, "author_id": author_id},
        now=event.created_at,
    )


def _on_post_edited(session: Session, event: OutboxEvent) -> None:
    data = event.data
    by_id, post_id, revision = data.get("editor_id"), data.get("post_id"), data.get("revision")
    if not data.get("by_moderator") or not isinstance(by_id, int) or not isinstance(post_id, int):
        return  # an author editing their own words, or a Guide retitling a question
    record(
        session,
        actor_id=by_id,
        action="edit_post",
        target_type="post",
        target_id=post_id,
        # The words themselves stay in the post's versions, which moderators can read.
        before={"version": revision, "author_id": data.get("author_id")},
        after={
            "version": revision + 1 if isinstance(revision, int) else None,
            "author_id": data.get("author_id"),
        },
        now=event.created_at,
    )


def _on_solution(accepted: bool) -> events.Handler:
    def handle(session: Session, event: OutboxEvent) -> None:
        data = event.data
        by_id = data.get("accepted_by_id" if accepted else "by_id")
        thread = session.get(Thread, event.thread_id) if event.thread_id is not None else None
        if not isinstance(by_id, int) or thread is None or thread.id is None:
            return
        if by_id == thread.author_id:
            return  # the asker choosing their own solution
        post_id = data.get("post_id")
        record(
            session,
            actor_id=by_id,
            action="accept_solution" if accepted else "unmark_solution",
            target_type="thread",
            target_id=thread.id,
            before={"solution_post_id": None if accepted else post_id},
            after={"solution_post_id": post_id if accepted else None},
            now=event.created_at,
        )

    return handle


def _on_role_changed(session: Session, event: OutboxEvent) -> None:
    data = event.data
    by_id, user_id = data.get("by_id"), data.get("user_id")
    if not isinstance(by_id, int) or not isinstance(user_id, int):
        return  # set from the command line
    record(
        session,
        actor_id=by_id,
        action="change_role",
        target_type="user",
        target_id=user_id,
        before={"role": data.get("previous_role")},
        after={"role": data.get("role")},
        now=event.created_at,
    )


def _on_account_erased(session: Session, event: OutboxEvent) -> None:
    """An administrator deleted someone's account (a member deleting their own is no staff
    action); the entry names the pseudonymous account, never who it was."""
    data = event.data
    by_id, user_id = data.get("by_id"), data.get("user_id")
    if not isinstance(by_id, int) or not isinstance(user_id, int) or by_id == user_id:
        return
    record(
        session,
        actor_id=by_id,
        action="erase_account",
        target_type="user",
        target_id=user_id,
        before={"role": data.get("role"), "deleted": False},
        after={"deleted": True},
        now=event.created_at,
    )


def _on_category(action: str) -> events.Handler:
    def handle(session: Session, event: OutboxEvent) -> None:
        data = event.data
        by_id, category_id = data.get("by_id"), data.get("category_id")
        if not isinstance(by_id, int) or not isinstance(category_id, int):
            return  # the seed command
        record(
            session,
            actor_id=by_id,
            action=action,
            target_type="category",
            target_id=category_id,
            before=data.get("before") or {},
            after=data.get("after") or {},
            now=event.created_at,
        )

    return handle


def consumer() -> events.Consumer:
    return events.Consumer(
        name=CONSUMER,
        handlers={
            "post_deleted": _on_post_deleted,
            "post_edited": _on_post_edited,
            "solution_accepted": _on_solution(accepted=True),
            "solution_unmarked": _on_solution(accepted=False),
            "user_role_changed": _on_role_changed,
            "account_erased": _on_account_erased,
            "category_created": _on_category("create_category"),
            "category_updated": _on_category("update_category"),
            "category_deleted": _on_category("delete_category"),
        },
    )
