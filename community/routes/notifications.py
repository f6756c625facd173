"""Notification pages, the header's unread badge, and the watch buttons of threads and
categories."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from community import category_watching, listing, notifications, posting, watching, web
from community.deps import ClockDep, GuardianDep, SessionDep, get_guardian
from community.errors import Conflict
from community.params import FormStr, NotificationId, ThreadId

router = APIRouter()
web.templates.env.globals["notification_texts"] = notifications.TEXTS

CursorQuery = Annotated[str | None, Query(max_length=200)]


@router.get("/notifications")
def notifications_page(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    unread: bool = False,
    cursor: CursorQuery = None,
) -> Response:
    if guardian.user is None:
        return web.login_redirect(request)
    page = notifications.list_notifications(
        session, guardian, unread_only=unread, cursor=cursor or None
    )
    return web.render(
        request, "community/notifications.html", page=page, unread_only=unread, cursor=cursor
    )


@router.get("/notifications/unread", dependencies=[Depends(get_guardian)])
def unread_badge(request: Request) -> Response:
    """The header badge alone, polled by htmx; get_guardian has counted the unread ones."""
    return web.render(request, "community/_unread_badge.html")


@router.post("/notifications/read-all")
def read_all(session: SessionDep, guardian: GuardianDep, clock: ClockDep) -> Response:
    notifications.mark_all_read(session, guardian, clock=clock)
    return web.redirect("/notifications")


@router.post("/notifications/{notification_id}/read")
def read_one(
    request: Request,
    notification_id: NotificationId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    stay: FormStr = "",
) -> Response:
    """Marks one read; without htmx, goes on to what it is about (or back to the list)."""
    notification = notifications.get_notification(session, guardian, notification_id)
    notifications.mark_read(session, guardian, notification, clock=clock)
    item = notifications.load_item(session, notification, guardian)
    if web.is_htmx(request):
        # The badge in this response (out of band) must not show the count from before.
        request.state.unread_count = notifications.unread_count(session, guardian)
        return web.render(request, "community/_notification.html", item=item, badge_oob=True)
    return web.redirect("/notifications" if stay else item.target_url)


@router.post("/t/{thread_id}/watch")
def watch_thread(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    watch: FormStr = "",
) -> Response:
    """Sets watching on ("1") or off ("0") as the button says, so a double submit is harmless;
    with no value it toggles."""
    if guardian.user is None and not web.is_htmx(request):
        return web.login_redirect(request, f"/t/{thread_id}")
    thread = posting.get_thread(session, guardian, thread_id)
    if watch in ("0", "1"):
        state = watching.set_watching(session, guardian, thread, watching=watch == "1", clock=clock)
    else:
        state = watching.toggle(session, guardian, thread, clock=clock)
    if web.is_htmx(request):
        return web.render(
            request, "community/_watch_button.html", thread=thread, watching=state.watching
        )
    return web.redirect(f"/t/{thread_id}")


@router.post("/c/{slug}/watch")
def watch_category(
    request: Request,
    slug: str,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    watch: FormStr = "",
) -> Response:
    """Watching on ("1") or off ("0"), as the button says: a double submit is harmless."""
    if guardian.user is None and not web.is_htmx(request):
        return web.login_redirect(request, f"/c/{slug}")
    category = listing.get_category(session, slug)
    try:
        state = category_watching.set_watching(
            session, guardian, category, watching=watch != "0", clock=clock
        )
    except Conflict as exc:
        if not web.is_htmx(request):
            raise
        return web.render(
            request,
            "community/_category_watch_button.html",
            status_code=exc.status_code,
            category=category,
            category_watching=False,
            watch_error=web.error_message(request, exc),
        )
    if web.is_htmx(request):
        return web.render(
            request,
            "community/_category_watch_button.html",
            category=category,
            category_watching=state,
        )
    return web.redirect(f"/c/{slug}")
