"""Kudos: one per member and post, never on your own post, and withdrawable.

The unique (post_id, user_id) constraint is the real guard against a double kudos; counters on
the post, its thread and its author move in SQL within the same transaction.
"""

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from community import events, reputation
from community.clock import Clock
from community.counters import bump
from community.errors import Conflict, Forbidden
from community.models import Kudos, Post, Thread, User
from community.policy import Guardian, ensure, ensure_signed_in


def give_kudos(session: Session, guardian: Guardian, post: Post, *, clock: Clock) -> Post:
    _check(guardian, post)
    ensure(guardian.can_give_kudos(post), "This post cannot receive kudos.")
    giver_id = guardian.user_id
    assert post.id is not None
    if has_given(session, guardian, post):
        raise Conflict("You already gave kudos to this post.")
    now = clock.now()
    session.add(Kudos(post_id=post.id, user_id=giver_id, created_at=now))
    try:
        session.flush()
    except IntegrityError:  # the same member, in another request, a moment earlier
        session.rollback()
        raise Conflict("You already gave kudos to this post.") from None
    _count(session, post, "kudos_given", delta=1, giver_id=giver_id, at=now)
    reputation.on_kudos_given(session, post, giver_id=giver_id, at=now)
    session.commit()
    return post


def withdraw_kudos(session: Session, guardian: Guardian, post: Post, *, clock: Clock) -> Post:
    _check(guardian, post)
    ensure(not post.is_deleted, "This post was deleted.")
    giver_id = guardian.user_id
    result = session.execute(
        delete(Kudos).where(col(Kudos.post_id) == post.id, col(Kudos.user_id) == giver_id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict("You have not given kudos to this post.")
    now = clock.now()
    _count(session, post, "kudos_withdrawn", delta=-1, giver_id=giver_id, at=now)
    reputation.on_kudos_withdrawn(session, post, giver_id=giver_id, at=now)
    session.commit()
    return post


def toggle_kudos(session: Session, guardian: Guardian, post: Post, *, clock: Clock) -> bool:
    """Give kudos, or withdraw them if already given; True when the reader now gives kudos."""
    if has_given(session, guardian, post):
        withdraw_kudos(session, guardian, post, clock=clock)
        return False
    give_kudos(session, guardian, post, clock=clock)
    return True


def has_given(session: Session, guardian: Guardian, post: Post) -> bool:
    if guardian.user is None:
        return False
    query = select(col(Kudos.id)).where(
        col(Kudos.post_id) == post.id, col(Kudos.user_id) == guardian.user.id
    )
    return session.scalar(query) is not None


def _check(guardian: Guardian, post: Post) -> None:
    ensure_signed_in(guardian)
    guardian.ensure_not_suspended()
    if guardian.is_author(post):
        raise Forbidden("You cannot give kudos to your own post.")


def _count(
    session: Session, post: Post, event: str, *, delta: int, giver_id: int, at: datetime
) -> None:
    """Move the post's, thread's and author's counters and record the event, uncommitted."""
    bump(session, Post, post.id, kudos_count=delta)
    bump(session, Thread, post.thread_id, kudos_count=delta)
    bump(session, User, post.author_id, kudos_received=delta)
    events.record(
        session,
        event,
        at=at,
        thread_id=post.thread_id,
        post_id=post.id,
        giver_id=giver_id,
        author_id=post.author_id,
    )
