"""Care team pages: the listening queue, claims, one-click corrections, flags, service levels.

Moderators only, except flagging a post (members) and the claim chip (everyone sees it on the
thread page). Forms work without JavaScript (303 after POST; resolving flags and saving a service
level then say so in a flash message); htmx gets the partial back, with that message out of band.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import pass_context
from jinja2.runtime import Context
from sqlmodel import Session

from community import listing, posting, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import Conflict, Invalid, NotAuthenticated, RateLimited
from community.i18n import N_
from community.models import Category, Post, Thread, User
from community.params import MAX_ID, FormStr, PostId, ThreadId
from community.policy import Guardian, ensure, ensure_signed_in
from community.routes import accounts
from moderation import approvals, care, claims, flags, queue, service_levels
from moderation.models import CareThread, FlagKind, FlagStatus
from moderation.settings import get_settings

router = APIRouter()

FilterQuery = Annotated[str, Query(max_length=60)]
CursorQuery = Annotated[str, Query(max_length=200)]
CategoryId = Annotated[int, Path(ge=1, le=MAX_ID)]
STALE_FILTERS = ("category", "assignee")
FLAGS_RESOLVED = {
    FlagStatus.upheld: N_("Flags upheld."),
    FlagStatus.dismissed: N_("Flags dismissed."),
}


# The queue ---------------------------------------------------------------------------------------


@router.get("/mod/queue")
def queue_page(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    category: FilterQuery = "",
    reason: FilterQuery = "",
    language: FilterQuery = "",
    assignee: FilterQuery = "",
    cursor: CursorQuery = "",
) -> Response:
    _ensure_queue(guardian)
    filters = queue.parse_filters(
        category=category, reason=reason, language=language, assignee=assignee
    )
    errors: dict[str, str] = {}
    try:
        page = queue.load_queue(
            session, guardian, filters=filters, now=clock.now(), cursor=cursor or None
        )
    except Invalid as exc:
        # A category deleted or a moderator demoted since the filter was chosen (a bookmark, an
        # open tab): the queue page says so next to that filter instead of an error page.
        if exc.field not in STALE_FILTERS:
            raise
        errors = web.form_errors(request, exc)
        page = queue.QueuePage(rows=[], next_cursor=None, filters=filters)
    context = _queue_context(session, page, cursor=cursor, now=clock.now())
    status = 422 if errors else 200
    if web.is_htmx(request):
        return web.render(request, "moderation/_queue_rows.html", status_code=status, **context)
    return web.render(
        request, "moderation/queue.html", status_code=status, errors=errors, **context
    )


def _queue_context(
    session: Session, page: queue.QueuePage, *, cursor: str, now: datetime
) -> dict[str, Any]:
    return {
        "page": page,
        "filters": page.filters,
        "cursor": cursor,
        "categories": listing.list_categories(session),
        "moderators": queue.moderators(session, now=now),
        "reasons": list(queue.Reason),
        "reason_labels": queue.REASON_LABELS,
        "priority_labels": queue.PRIORITY_LABELS,
        "refresh_seconds": get_settings().queue_refresh_seconds,
        "self_url": _queue_url(page.filters.query_string(cursor=cursor)),
    }


def _queue_url(query: str) -> str:
    """The queue with these filters: its polling URL and where a no-JS row action comes back."""
    return f"/mod/queue?{query}" if query else "/mod/queue"


def _row_response(
    request: Request, session: Session, thread: Thread, *, queue_url: str, now: datetime
) -> Response:
    row = session.get(CareThread, thread.id)
    rows = queue.describe(session, [row], now=now) if row is not None else []
    if not rows or not row or not row.in_queue:
        return HTMLResponse("")  # it left the queue: the row goes
    return web.render(
        request,
        "moderation/_queue_row.html",
        row=rows[0],
        moderators=queue.moderators(session, now=now),
        priority_labels=queue.PRIORITY_LABELS,
        self_url=queue_url,
    )


def _after_action(
    request: Request,
    session: Session,
    thread: Thread,
    *,
    origin: str,
    now: datetime,
) -> Response:
    """Back to where the action was taken: the page's URL (``origin``, the queue's filters and
    cursor included) without htmx, else the row or the claim chip that changed."""
    if not web.is_htmx(request):
        return web.redirect(accounts.safe_next(origin, f"/t/{thread.id}"))
    if origin.startswith("/mod/queue"):
        queue_url = accounts.safe_next(origin, "/mod/queue")
        return _row_response(request, session, thread, queue_url=queue_url, now=now)
    return web.render(request, "moderation/_claim_chip.html", thread=thread)


# Claims ------------------------------------------------------------------------------------------


@router.post("/mod/threads/{thread_id}/claim")
def claim_thread(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    next: FormStr = "",
) -> Response:
    thread = _moderated_thread(session, guardian, thread_id)
    claims.claim(session, guardian, thread, clock=clock)
    return _after_action(request, session, thread, origin=next, now=clock.now())


@router.post("/mod/threads/{thread_id}/release")
def release_thread(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    next: FormStr = "",
) -> Response:
    thread = _moderated_thread(session, guardian, thread_id)
    claims.release(session, guardian, thread, clock=clock)
    return _after_action(request, session, thread, origin=next, now=clock.now())


@router.post("/mod/threads/{thread_id}/assign")
def assign_thread(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    moderator: FormStr = "",
    next: FormStr = "",
) -> Response:
    thread = _moderated_thread(session, guardian, thread_id)
    claims.assign(
        session, guardian, thread, to=claims.moderator_by_id(session, moderator), clock=clock
    )
    return _after_action(request, session, thread, origin=next, now=clock.now())


# Corrections and flags from the queue ------------------------------------------------------------


@router.post("/mod/threads/{thread_id}/correct")
def correct_thread(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    what: FormStr = "",
    next: FormStr = "",
) -> Response:
    thread = _moderated_thread(session, guardian, thread_id)
    queue.dismiss_signal(session, guardian, thread, what=what, now=clock.now())
    return _after_action(request, session, thread, origin=next, now=clock.now())


@router.post("/mod/threads/{thread_id}/flags")
def resolve_thread_flags(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    status: FormStr = "",
    which: Annotated[str, Query(max_length=20)] = "",
    next: FormStr = "",
) -> Response:
    """Resolve the thread's open flags: all, only members' (``which=members``) or only the
    mutual-kudos pairs (``which=mutual_kudos``)."""
    thread = _moderated_thread(session, guardian, thread_id)
    chosen = flags.parse_status(status)
    if which not in ("", "members", "mutual_kudos"):
        raise Invalid("Choose which flags to resolve.", field="which")
    open_ones = flags.open_flags(session, guardian, thread, which=which)
    flags.resolve(session, guardian, open_ones, status=chosen, clock=clock)
    care.rebuild(session, thread_id, now=clock.now())
    session.commit()
    answer = _after_action(request, session, thread, origin=next, now=clock.now())
    if web.is_htmx(request):
        return web.with_flash(request, answer, FLAGS_RESOLVED[chosen])
    web.flash(request, FLAGS_RESOLVED[chosen])
    return answer


@router.post("/mod/threads/{thread_id}/approve")
def approve_thread(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    next: FormStr = "",
) -> Response:
    """Publish the question or replies of a newcomer that wait for approval."""
    thread = _moderated_thread(session, guardian, thread_id)
    approvals.approve(session, guardian, thread, clock=clock)
    return _after_action(request, session, thread, origin=next, now=clock.now())


# Flagging a post (members) -----------------------------------------------------------------------


@router.get("/p/{post_id}/flag")
def flag_page(
    request: Request, post_id: PostId, session: SessionDep, guardian: GuardianDep
) -> Response:
    post = posting.get_post(session, guardian, post_id)
    if not guardian.is_authenticated:
        return web.login_redirect(request, f"/p/{post_id}/flag")
    thread = session.get(Thread, post.thread_id)
    assert thread is not None
    ensure(guardian.can_flag_post(post, thread), "You cannot flag this post.")
    return _render_flag(request, session, guardian, post, values={}, errors={}, full=True)


@router.post("/p/{post_id}/flag")
def flag_post(
    request: Request,
    post_id: PostId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    kind: FormStr = "",
    comment: FormStr = "",
) -> Response:
    post = posting.get_post(session, guardian, post_id)
    ensure_signed_in(guardian)
    values = {"kind": kind, "comment": comment}
    try:
        flags.raise_flag(
            session, guardian, post, kind=flags.parse_kind(kind), comment=comment, clock=clock
        )
    except (Invalid, Conflict, RateLimited) as exc:
        return _render_flag(
            request,
            session,
            guardian,
            post,
            values=values,
            errors=web.form_errors(request, exc),
            full=not web.is_htmx(request),
            status_code=exc.status_code,
        )
    if not web.is_htmx(request):
        return web.redirect(posting.post_url(post))
    return _render_flag(request, session, guardian, post, values={}, errors={}, full=False)


def _render_flag(
    request: Request,
    session: Session,
    guardian: Guardian,
    post: Post,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    full: bool,
    status_code: int = 200,
) -> Response:
    thread = session.get(Thread, post.thread_id)
    return web.render(
        request,
        "moderation/flag.html" if full else "moderation/_flag_menu.html",
        status_code=status_code,
        post=post,
        thread=thread,
        values=values,
        errors=errors,
        kinds=list(FlagKind),
        kind_labels=queue.FLAG_LABELS,
        flagged=flags.existing_flag(session, guardian, post),
        open_menu=bool(errors),
        post_url=posting.post_url(post),
    )


# Service levels (admins) -------------------------------------------------------------------------


@router.get("/mod/service-levels")
def service_levels_page(request: Request, session: SessionDep, guardian: GuardianDep) -> Response:
    _ensure_queue(guardian)
    levels = service_levels.list_levels(session, guardian)
    return web.render(
        request,
        "moderation/service_levels.html",
        levels=levels,
        errors={},
        values={},
        default_hours=get_settings().default_first_response_hours,
    )


@router.post("/mod/service-levels/{category_id}")
def set_service_level(
    request: Request,
    category_id: CategoryId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    hours: FormStr = "",
) -> Response:
    _ensure_queue(guardian)
    ensure(guardian.can_manage_service_levels(), "Only admins can change service levels.")
    category = session.get(Category, category_id)
    if category is None:
        raise Invalid("There is no such category.", field="category")
    try:
        service_levels.set_target(
            session, guardian, category, hours=service_levels.parse_hours(hours), clock=clock
        )
    except Invalid as exc:
        return web.render(
            request,
            "moderation/service_levels.html",
            status_code=422,
            levels=service_levels.list_levels(session, guardian),
            errors={category_id: web.error_message(request, exc)},
            values={category_id: hours},
            default_hours=get_settings().default_first_response_hours,
        )
    web.flash(request, N_("First-response target for %(category)s saved."), category=category.name)
    return web.redirect("/mod/service-levels")


# Helpers -----------------------------------------------------------------------------------------


def _ensure_queue(guardian: Guardian) -> None:
    if not guardian.is_authenticated:
        raise NotAuthenticated("Please log in first.")
    ensure(guardian.can_use_queue(), "Only moderators can see the queue.")


def _moderated_thread(session: Session, guardian: Guardian, thread_id: int) -> Thread:
    _ensure_queue(guardian)
    return posting.get_thread(session, guardian, thread_id)


# Template helpers (the thread page asks them; community's templates include ours if present) ----


def _request_state(context: Context) -> tuple[Session | None, Guardian | None]:
    request = context.get("request")
    session = getattr(request.state, "db", None) if request is not None else None
    return session, context.get("guardian")


@pass_context
def _thread_owner(context: Context, thread: Thread) -> User | None:
    session, _ = _request_state(context)
    return claims.owner(session, thread) if session is not None else None


@pass_context
def _claimed_by_other(context: Context, thread: Thread) -> User | None:
    session, guardian = _request_state(context)
    if session is None or guardian is None:
        return None
    return claims.claimed_by_other(session, guardian, thread)


@pass_context
def _has_flagged(context: Context, post: Post) -> bool:
    session, guardian = _request_state(context)
    if session is None or guardian is None:
        return False
    return flags.existing_flag(session, guardian, post) is not None


@pass_context
def _moderator_choices(context: Context) -> list[queue.ModeratorRef]:
    session, guardian = _request_state(context)
    if session is None:
        return []
    return queue.moderators(session, now=guardian.now if guardian is not None else None)


def _fragment(request: Request, name: str, **context: Any) -> str:
    return bytes(web.render(request, name, **context).body).decode()


def _claim_slot(request: Request, values: dict[str, Any]) -> str:
    """The thread page's claim chip (everyone), with the claim buttons for moderators."""
    return _fragment(request, "moderation/_claim_chip.html", thread=values["thread"])


def _flag_slot(request: Request, values: dict[str, Any]) -> str:
    """The post menu's "Flag" entry, for members who may flag the post."""
    guardian: Guardian | None = getattr(request.state, "guardian", None)
    post: Post = values["post"]
    thread: Thread = values["thread"]
    if guardian is None or not guardian.can_flag_post(post, thread):
        return ""
    return _fragment(request, "moderation/_flag_menu.html", post=post, open_menu=False)


def install() -> None:
    """Template helpers, the thread page's slots and the forum's reply check (main.create_app
    calls this)."""
    web.add_slot("thread_head", "care_claim", _claim_slot)
    web.add_slot("post_tools", "care_flag", _flag_slot)
    web.templates.env.globals.update(
        thread_owner=_thread_owner,
        claimed_by_other=_claimed_by_other,
        has_flagged=_has_flagged,
        moderator_choices=_moderator_choices,
        flag_kind_labels=queue.FLAG_LABELS,
    )
    claims.install()
