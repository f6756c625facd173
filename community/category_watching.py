"""Watching a category: the member hears of every new question asked in it (a ``new_thread``
notification, e-mailed too when not seen in time: community.notification_mail). Advocates use it
to answer peers in the categories they know; customers to follow a product.

Like watching a thread, it is a private preference that records no outbox event. Questions held
for review reach watchers when a moderator lets them through (community.notifications).
"""

from sqlmodel import Session, col, select

from community.clock import Clock
from community.errors import Conflict
from community.models import Category, CategoryWatch, User
from community.policy import Guardian, ensure_signed_in

MAX_WATCHED = 50


def is_watching(session: Session, user: User | None, category: Category) -> bool:
    if user is None or user.id is None or category.id is None:
        return False
    return session.get(CategoryWatch, (user.id, category.id)) is not None


def set_watching(
    session: Session, guardian: Guardian, category: Category, *, watching: bool, clock: Clock
) -> bool:
    """Start or stop watching ``category``; repeating either is harmless. Returns the state."""
    ensure_signed_in(guardian)
    assert category.id is not None
    row = session.get(CategoryWatch, (guardian.user_id, category.id))
    if watching and row is None:
        if len(watched_ids(session, guardian.user_id)) >= MAX_WATCHED:
            raise Conflict(
                "You watch %(count)s categories already, the most there can be. Stop watching "
                "one first.",
                count=MAX_WATCHED,
            )
        session.add(
            CategoryWatch(user_id=guardian.user_id, category_id=category.id, created_at=clock.now())
        )
    elif not watching and row is not None:
        session.delete(row)
    session.commit()
    return watching


def watched_ids(session: Session, user_id: int) -> list[int]:
    query = select(CategoryWatch.category_id).where(col(CategoryWatch.user_id) == user_id)
    return list(session.exec(query).all())


def watchers(session: Session, category_id: int, *, since_before: object) -> list[int]:
    """Who watched ``category_id`` when ``since_before`` happened (a question's event): someone
    who started watching later has seen the list already."""
    query = select(CategoryWatch.user_id).where(
        col(CategoryWatch.category_id) == category_id,
        col(CategoryWatch.created_at) <= since_before,
    )
    return list(session.exec(query).all())
