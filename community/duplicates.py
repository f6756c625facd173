"""Duplicates: an Expert (or a moderator) points a question at an earlier thread that already
answers it. The duplicate keeps its replies and stays open; its page leads to the original."""

import re

from sqlmodel import Session

from community import events
from community.clock import Clock
from community.errors import Conflict, Invalid, NotFound
from community.models import Thread
from community.policy import Guardian, ensure, ensure_signed_in

_THREAD_REFERENCE = re.compile(r"^\s*(?:(?:https?://[^/\s]+)?/t/)?(\d{1,12})(?:[/?#]\S*)?\s*$")


def parse_reference(text: str) -> int:
    """A thread's number from "123", "/t/123/slug" or a full link to it."""
    match = _THREAD_REFERENCE.match(text)
    if match is None:
        raise Invalid("Give the link or the number of the original thread.", field="original")
    return int(match.group(1))


def mark_duplicate(
    session: Session, guardian: Guardian, thread: Thread, original: Thread, *, clock: Clock
) -> Thread:
    ensure_signed_in(guardian)
    ensure(
        guardian.can_mark_duplicate(thread),
        "Marking duplicates unlocks at the Expert rank.",
    )
    if not guardian.can_see_thread(original) or original.is_deleted or original.is_hidden:
        raise NotFound("There is no such thread.")
    if original.id == thread.id:
        raise Invalid("A thread cannot be a duplicate of itself.", field="original")
    if original.duplicate_of_id == thread.id:
        raise Invalid("That thread is already marked as a duplicate of this one.", field="original")
    if thread.duplicate_of_id is not None:
        raise Conflict("This thread is already marked as a duplicate.")
    assert thread.id is not None and original.id is not None
    now = clock.now()
    # The original's own original, when it has one: a chain would send readers around.
    target = original.duplicate_of_id or original.id
    thread.duplicate_of_id = target
    thread.duplicate_marked_by_id = guardian.user_id
    session.add(thread)
    events.record(
        session,
        "thread_marked_duplicate",
        at=now,
        thread_id=thread.id,
        original_id=target,
        by_id=guardian.user_id,
    )
    session.commit()
    return thread


def unmark_duplicate(session: Session, guardian: Guardian, thread: Thread, *, clock: Clock) -> None:
    ensure_signed_in(guardian)
    ensure(guardian.can_mark_duplicate(thread), "Marking duplicates unlocks at the Expert rank.")
    if thread.duplicate_of_id is None:
        raise NotFound("This thread is not marked as a duplicate.")
    original_id = thread.duplicate_of_id
    thread.duplicate_of_id = None
    thread.duplicate_marked_by_id = None
    session.add(thread)
    events.record(
        session,
        "thread_unmarked_duplicate",
        at=clock.now(),
        thread_id=thread.id,
        original_id=original_id,
        by_id=guardian.user_id,
    )
    session.commit()
