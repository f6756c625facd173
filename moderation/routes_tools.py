"""Pages and forms of the moderator tools (moderation.tools) and the admin's audit log browser.

The thread page and each post carry the tools' forms (templates/moderation/_thread_tools.html,
_post_tools.html); a form posts here and is answered with a 303 back to the thread and a flash
message saying what was done, or, when it is refused, with the tools page showing the message
next to its field (422). Hiding a thread and merging one need their form's "confirm" box ticked:
the box is ``required`` in the browser, and checked here for a browser that ignores it. Hiding and
unhiding a post with htmx swaps the post in place. Members get 403 everywhere; anonymous readers
are sent to log in (pages) or get 401 (forms).
"""

import re
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from community import account_erasure, listing, params, posting, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import Forbidden, Invalid, NotFound
from community.i18n import N_
from community.models import Post, Thread, User
from community.params import MAX_ID, FormStr, PostId, ThreadId
from community.policy import Guardian, ensure
from moderation import audit, audit_changes, tools

router = APIRouter()

Username = Annotated[str, Path(max_length=30)]
_THREAD_REF = re.compile(r"^(?:.*/t/)?#?(\d{1,10})(?:[/?#].*)?$")


# --- Threads ------------------------------------------------------------------------------------


@router.get("/mod/threads/{thread_id}")
def thread_tools_page(
    request: Request, thread_id: ThreadId, session: SessionDep, guardian: GuardianDep
) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request)
    thread = tools.get_thread(session, guardian, thread_id)
    return _render_thread_tools(request, session, thread, values={}, errors={})


@router.post("/mod/threads/{thread_id}/hide")
def hide_thread(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    confirm: FormStr = "",
) -> Response:
    thread = tools.get_thread(session, guardian, thread_id)
    if not confirm:
        refusal = Invalid("Tick the box to confirm hiding the thread.", field="hide_confirm")
        return _render_thread_tools(
            request,
            session,
            thread,
            values={},
            errors=web.form_errors(request, refusal),
            status_code=422,
        )
    tools.hide_thread(session, guardian, thread, clock=clock)
    web.flash(request, N_("Thread hidden."))
    return web.redirect(f"/t/{thread.id}")


@router.post("/mod/threads/{thread_id}/unhide")
def unhide_thread(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> Response:
    thread = tools.get_thread(session, guardian, thread_id)
    tools.unhide_thread(session, guardian, thread, clock=clock)
    web.flash(request, N_("Thread unhidden."))
    return web.redirect(f"/t/{thread.id}")


@router.post("/mod/threads/{thread_id}/lock")
def lock_thread(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> Response:
    thread = tools.get_thread(session, guardian, thread_id)
    tools.lock_thread(session, guardian, thread, clock=clock)
    web.flash(request, N_("Thread locked."))
    return web.redirect(f"/t/{thread.id}")


@router.post("/mod/threads/{thread_id}/unlock")
def unlock_thread(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> Response:
    thread = tools.get_thread(session, guardian, thread_id)
    tools.unlock_thread(session, guardian, thread, clock=clock)
    web.flash(request, N_("Thread unlocked."))
    return web.redirect(f"/t/{thread.id}")


@router.post("/mod/threads/{thread_id}/move")
def move_thread(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    category: FormStr = "",
) -> Response:
    thread = tools.get_thread(session, guardian, thread_id)
    try:
        if not category.strip():
            raise Invalid("Choose the category to move the thread to.", field="category")
        target = tools.get_category(session, category)
        tools.move_thread(session, guardian, thread, category=target, clock=clock)
    except Invalid as exc:
        session.rollback()
        return _render_thread_tools(
            request,
            session,
            thread,
            values={"category": category},
            errors=web.form_errors(request, exc),
            status_code=422,
        )
    web.flash(request, N_("Thread moved to %(category)s."), category=target.name)
    return web.redirect(f"/t/{thread.id}")


@router.post("/mod/threads/{thread_id}/merge")
def merge_thread(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    into: FormStr = "",
    confirm: FormStr = "",
) -> Response:
    thread = tools.get_thread(session, guardian, thread_id)
    errors: dict[str, str] = {}
    if not confirm:
        unticked = Invalid("Tick the box to confirm the merge.", field="merge_confirm")
        errors = web.form_errors(request, unticked)
    try:
        target = _thread_ref(session, guardian, into)
        if not errors:
            result = tools.merge_thread(session, guardian, thread, into=target, clock=clock)
            web.flash(request, N_("Thread merged into “%(title)s”."), title=result.into.title)
            return web.redirect(f"/t/{result.into.id}")
    except (Invalid, NotFound) as exc:
        session.rollback()
        errors["into"] = web.error_message(request, exc)
    # Refused: a bad target and an unticked box are both named, and nothing was merged.
    return _render_thread_tools(
        request, session, thread, values={"into": into}, errors=errors, status_code=422
    )


def _thread_ref(session: Session, guardian: Guardian, raw: str) -> Thread:
    """A thread named by its number or its link (/t/12, https://…/t/12/slug, #12)."""
    match = _THREAD_REF.match(raw.strip())
    if match is None or not 0 < int(match.group(1)) <= MAX_ID:
        raise Invalid("Give the number or the link of the thread to merge into.", field="into")
    return tools.get_thread(session, guardian, int(match.group(1)))


def _render_thread_tools(
    request: Request,
    session: Session,
    thread: Thread,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "moderation/thread_tools.html",
        status_code=status_code,
        thread=thread,
        categories=listing.list_categories(session),
        values=values,
        errors=errors,
    )


# --- Posts --------------------------------------------------------------------------------------


@router.post("/mod/posts/{post_id}/hide")
def hide_post(
    request: Request, post_id: PostId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> Response:
    post = tools.get_post(session, guardian, post_id)
    tools.hide_post(session, guardian, post, clock=clock)
    return _after_post_change(request, session, guardian, post)


@router.post("/mod/posts/{post_id}/unhide")
def unhide_post(
    request: Request, post_id: PostId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> Response:
    post = tools.get_post(session, guardian, post_id)
    tools.unhide_post(session, guardian, post, clock=clock)
    return _after_post_change(request, session, guardian, post)


def _after_post_change(
    request: Request, session: Session, guardian: Guardian, post: Post
) -> Response:
    if not web.is_htmx(request):
        return web.redirect(posting.post_url(post))
    thread = session.get(Thread, post.thread_id)
    item = posting.post_view(session, guardian, post)
    return web.render(request, "community/_post.html", item=item, thread=thread, oob=False)


# --- Users --------------------------------------------------------------------------------------


@router.get("/mod/users/{username}")
def user_tools_page(
    request: Request, username: Username, session: SessionDep, guardian: GuardianDep
) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request)
    user = tools.get_user(session, guardian, username)
    return _render_user_tools(request, user, values={}, errors={})


@router.post("/mod/users/{username}/suspend")
def suspend_user(
    request: Request,
    username: Username,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    days: FormStr = "",
    hours: FormStr = "",
    reason: FormStr = "",
) -> Response:
    user = tools.get_user(session, guardian, username)
    ensure(guardian.can_suspend(user), "Moderators cannot suspend an admin, nor themselves.")
    values = {"days": days, "hours": hours, "reason": reason}
    try:
        duration = parse_duration(days, hours)
        tools.suspend_user(session, guardian, user, duration=duration, reason=reason, clock=clock)
    except Invalid as exc:
        session.rollback()
        return _render_user_tools(
            request, user, values=values, errors=web.form_errors(request, exc), status_code=422
        )
    assert user.suspended_until is not None
    web.flash(
        request,
        N_("User %(username)s suspended until %(until)s."),
        username=user.username,
        until=user.suspended_until,
    )
    return web.redirect(f"/u/{user.username}")


@router.post("/mod/users/{username}/unsuspend")
def unsuspend_user(
    request: Request,
    username: Username,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> Response:
    user = tools.get_user(session, guardian, username)
    tools.unsuspend_user(session, guardian, user, clock=clock)
    web.flash(request, N_("User %(username)s is no longer suspended."), username=user.username)
    return web.redirect(f"/u/{user.username}")


@router.post("/mod/users/{username}/erase")
def erase_user(
    request: Request,
    username: Username,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    confirm_username: FormStr = "",
    delete_posts: FormStr = "",
) -> Response:
    user = tools.get_user(session, guardian, username)
    ensure(
        guardian.is_admin and guardian.user_id != user.id and guardian.can_erase_account(user),
        "Administrators delete other members' accounts here, never another administrator's.",
    )
    try:
        account_erasure.erase(
            session,
            guardian,
            user,
            confirm_username=confirm_username,
            delete_posts=delete_posts == "on",
            clock=clock,
        )
    except (Invalid, Forbidden) as exc:
        session.rollback()
        errors = {
            ("erase" if key == "form" else key): message
            for key, message in web.form_errors(request, exc).items()
        }
        return _render_user_tools(
            request, user, values={}, errors=errors, status_code=exc.status_code
        )
    web.flash(
        request,
        N_("The account %(username)s has been deleted; its posts now show %(pseudonym)s."),
        username=username,
        pseudonym=user.username,
    )
    return web.redirect("/mod/audit")


def parse_duration(days: str, hours: str) -> timedelta:
    """Whole days and hours from a form; Invalid (on ``duration``) for anything else."""
    try:
        d = int(days.strip() or "0")
        h = int(hours.strip() or "0")
    except ValueError:
        raise Invalid("Give the duration in whole days and hours.", field="duration") from None
    if d < 0 or h < 0:
        raise Invalid("Give the duration in whole days and hours.", field="duration")
    # Bounded before timedelta sees them (it overflows); the service words the limit.
    days_cap = tools.MAX_SUSPENSION.days + 1
    return timedelta(days=min(d, days_cap), hours=min(h, 24 * days_cap))


def _render_user_tools(
    request: Request,
    user: User,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "moderation/user_tools.html",
        status_code=status_code,
        profile=user,
        values=values,
        errors=errors,
        anon_name=account_erasure.pseudonym(user.id or 0),
    )


# --- The audit log (admins) ---------------------------------------------------------------------


@router.get("/mod/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    actor: Annotated[str, Query(max_length=30)] = "",
    action: Annotated[str, Query(max_length=40)] = "",
    target_type: Annotated[str, Query(max_length=20)] = "",
    target_id: Annotated[str, Query(max_length=12)] = "",
    before: Annotated[str, Query(max_length=12)] = "",
) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request)
    filters = {
        "actor": actor.strip(),
        "action": action.strip(),
        "target_type": target_type.strip(),
        "target_id": target_id.strip(),
    }
    errors: dict[str, str] = {}
    target_number = params.parse_number(target_id)
    if filters["target_id"] and target_number is None:
        errors["target_id"] = web.error_message(
            request, Invalid("Give the target's number.", field="target_id")
        )
    page = tools.list_audit(
        session,
        guardian,
        actor=filters["actor"] or None,
        action=filters["action"] or None,
        target_type=filters["target_type"] or None,
        target_id=target_number,
        before_id=params.parse_number(before),
    )
    next_url = None
    if page.next_before_id is not None:
        query = {k: v for k, v in filters.items() if v}
        next_url = "/mod/audit?" + urlencode({**query, "before": page.next_before_id})
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "errors": errors,
        "actions": tools.audit_actions(session),
        "target_types": list(audit.TARGET_LABELS),
        "action_labels": audit.ACTION_LABELS,
        "target_labels": audit.TARGET_LABELS,
        "changes": audit_changes.page_changes(
            session,
            [row.entry for row in page.items],
            language=web.language_of(request),
            zone=web.time_zone_of(request),
        ),
        "next_url": next_url,
    }
    status_code = 422 if errors else 200
    return web.render(request, "moderation/audit.html", status_code=status_code, **context)
