"""The signed-in user's notifications and the threads and categories they watch, in JSON.

Someone else's notification answers 404, exactly like one that does not exist.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import Session

from community import category_watching, listing, notifications, posting
from community import watching as watch_service
from community.clock import Clock
from community.deps import ClockDep, GuardianDep, SessionDep
from community.params import NotificationId, ThreadId
from community.policy import Guardian, ensure_signed_in
from community.schemas import (
    AuthorRef,
    CategoryWatchPublic,
    NotificationList,
    NotificationPublic,
    NotificationsRead,
    WatchPublic,
)

router = APIRouter(tags=["notifications"])


@router.get("/notifications", response_model=NotificationList)
def list_notifications(
    session: SessionDep,
    guardian: GuardianDep,
    unread: Annotated[bool, Query(description="Only the unread ones.")] = False,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = notifications.PAGE_SIZE,
) -> NotificationList:
    """Your notifications, newest first."""
    page = notifications.list_notifications(
        session, guardian, unread_only=unread, cursor=cursor or None, limit=limit
    )
    return NotificationList(
        items=[_public(item) for item in page.items],
        next_cursor=page.next_cursor,
        unread_count=notifications.unread_count(session, guardian),
    )


@router.post("/notifications/read-all", response_model=NotificationsRead)
def read_all(session: SessionDep, guardian: GuardianDep, clock: ClockDep) -> NotificationsRead:
    """Mark all your notifications read."""
    marked = notifications.mark_all_read(session, guardian, clock=clock)
    return NotificationsRead(marked=marked, unread_count=0)


@router.post("/notifications/{notification_id}/read", response_model=NotificationPublic)
def read_one(
    notification_id: NotificationId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> NotificationPublic:
    """Mark one of your notifications read (again is fine)."""
    notification = notifications.get_notification(session, guardian, notification_id)
    notifications.mark_read(session, guardian, notification, clock=clock)
    return _public(notifications.load_item(session, notification, guardian))


@router.post("/threads/{thread_id}/watch", response_model=WatchPublic)
def watch_thread(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> WatchPublic:
    """Get a notification for every new reply in the thread."""
    return _watch(session, guardian, thread_id, watching=True, clock=clock)


@router.delete("/threads/{thread_id}/watch", response_model=WatchPublic)
def unwatch_thread(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> WatchPublic:
    """Stop the reply notifications of the thread, even after you reply to it again."""
    return _watch(session, guardian, thread_id, watching=False, clock=clock)


def _watch(
    session: Session, guardian: Guardian, thread_id: int, *, watching: bool, clock: Clock
) -> WatchPublic:
    ensure_signed_in(guardian)
    thread = posting.get_thread(session, guardian, thread_id)
    watch = watch_service.set_watching(session, guardian, thread, watching=watching, clock=clock)
    return WatchPublic(thread_id=thread_id, watching=watch.watching)


@router.post("/categories/{slug}/watch", response_model=CategoryWatchPublic)
def watch_category(
    slug: str, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> CategoryWatchPublic:
    """Get a notification for every new question in the category."""
    return _watch_category(session, guardian, slug, watching=True, clock=clock)


@router.delete("/categories/{slug}/watch", response_model=CategoryWatchPublic)
def unwatch_category(
    slug: str, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> CategoryWatchPublic:
    """Stop the new-question notifications of the category."""
    return _watch_category(session, guardian, slug, watching=False, clock=clock)


def _watch_category(
    session: Session, guardian: Guardian, slug: str, *, watching: bool, clock: Clock
) -> CategoryWatchPublic:
    ensure_signed_in(guardian)
    category = listing.get_category(session, slug)
    state = category_watching.set_watching(
        session, guardian, category, watching=watching, clock=clock
    )
    return CategoryWatchPublic(category=category.slug, watching=state)


def _public(item: notifications.NotificationItem) -> NotificationPublic:
    n = item.notification
    assert n.id is not None
    actor = item.actor
    return NotificationPublic(
        id=n.id,
        kind=n.kind,
        actor=AuthorRef.of(actor) if actor is not None and actor.id is not None else None,
        thread_id=n.thread_id,
        post_id=n.post_id,
        thread_title=None if item.is_gone or item.thread is None else item.thread.title,
        badge=item.badge,
        flag_outcome=item.flag_outcome,
        flag_kind=item.flag_kind,
        post_number=item.post_number,
        post_author=AuthorRef.of(item.post_author) if item.post_author is not None else None,
        post_excerpt=item.post_excerpt or None,
        created_at=n.created_at,
        read=n.read_at is not None,
    )
