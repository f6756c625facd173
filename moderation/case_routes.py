"""Pages of private cases: the customer's /cases, the brand's /mod/cases, the webhook log.

A case that the reader may not see answers 404 exactly like one that does not exist; an anonymous
reader is sent to log in. Forms work without JavaScript (303 after POST and a flash message saying
what was done, the page again with the error otherwise); htmx posts of a message get the
conversation partial back, with the message out of band.
"""

from typing import Annotated, Any, NamedTuple
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from community import params, posting, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import Conflict, Forbidden, Invalid, NotFound
from community.i18n import N_, Label
from community.models import Thread, User
from community.params import MAX_ID, FormStr
from community.policy import Guardian, ensure, ensure_signed_in
from moderation import cases, customer_context, webhooks
from moderation.models import CasePriority, CaseStatus, SupportCase

router = APIRouter()

CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]
Filter = Annotated[str, Query(max_length=20)]


def _ensure_brand(guardian: Guardian) -> None:
    ensure_signed_in(guardian)
    ensure(cases.is_brand(guardian), "Only moderators can manage cases.")


# The customer's side ------------------------------------------------------------------------


@router.get("/cases")
def my_cases(
    request: Request, session: SessionDep, guardian: GuardianDep, cursor: Filter = ""
) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request, "/cases")
    page = cases.list_cases(session, guardian, own=True, cursor=cursor)
    return web.render(request, "moderation/cases_customer_list.html", page=page, cursor=cursor)


@router.get("/cases/{case_id}")
def my_case(
    request: Request, case_id: CaseId, session: SessionDep, guardian: GuardianDep
) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request, f"/cases/{case_id}")
    case = cases.get_case(session, guardian, case_id)
    if guardian.user_id != case.customer_id:  # a moderator: the brand's view of it
        return web.redirect(f"/mod/cases/{case.id}")
    return _render_customer_case(request, session, guardian, case)


@router.post("/cases/{case_id}/messages")
def customer_reply(
    request: Request,
    case_id: CaseId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    body: FormStr = "",
) -> Response:
    case = cases.get_case(session, guardian, case_id)
    if guardian.user_id != case.customer_id:
        raise NotFound("This case does not exist.")
    try:
        cases.add_message(session, guardian, case, body=body, clock=clock)
    except (Invalid, Forbidden) as exc:
        return _render_customer_case(
            request,
            session,
            guardian,
            case,
            status_code=exc.status_code,
            body=body,
            error=web.error_message(request, exc),
        )
    sent = N_("Message sent.")
    if web.is_htmx(request):
        conversation = _render_conversation(
            request, session, guardian, case, action=_customer_action(case)
        )
        # The reply may have reopened the case: the header's status is outside the swap.
        status = _fragment(
            request, "moderation/_case_status.html", case=case, customer=True, oob=True
        )
        return web.with_flash(request, web.with_out_of_band(conversation, status), sent)
    web.flash(request, sent)
    return web.redirect(f"/cases/{case.id}#case-conversation")


# The brand's side ---------------------------------------------------------------------------


@router.get("/mod/cases")
def brand_cases(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    status: Filter = "",
    assignee: Filter = "",
    mine: Filter = "",
    cursor: Filter = "",
) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request, "/mod/cases")
    _ensure_brand(guardian)
    status = status if status in CaseStatus.__members__ else ""
    assignee_id = params.parse_number(assignee)
    page = cases.list_cases(
        session,
        guardian,
        status=status,
        assignee_id=assignee_id,
        mine=bool(mine),
        cursor=cursor,
    )
    ids = {c.customer_id for c in page.items} | {c.assignee_id for c in page.items if c.assignee_id}
    filters = {"status": status, "assignee": str(assignee_id or ""), "mine": "1" if mine else ""}
    return web.render(
        request,
        "moderation/cases.html",
        page=page,
        people=cases.people(session, ids),
        moderators=cases.moderators(session),
        statuses=list(CaseStatus),
        filters=filters,
        query="&".join(f"{k}={quote(v)}" for k, v in filters.items() if v),
        cursor=cursor,
    )


@router.get("/mod/cases/new")
def new_case_page(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    post_id: Annotated[int, Query(ge=1, le=MAX_ID)],
) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request, f"/mod/cases/new?post_id={post_id}")
    _ensure_brand(guardian)
    post = posting.get_post(session, guardian, post_id)
    thread = session.get(Thread, post.thread_id)
    assert thread is not None
    values = {"subject": thread.title, "priority": CasePriority.normal, "body": ""}
    return _render_new(request, session, guardian, post.id, values=values, errors={})


@router.post("/mod/cases")
def open_case(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    post_id: FormStr = "",
    subject: FormStr = "",
    priority: FormStr = "",
    body: FormStr = "",
) -> Response:
    _ensure_brand(guardian)
    number = params.parse_number(post_id)
    if number is None:
        raise Invalid("Choose the post to take private.", field="post_id")
    post = posting.get_post(session, guardian, number)
    try:
        case = cases.open_case(
            session, guardian, post, subject=subject, priority=priority, body=body, clock=clock
        )
    except (Invalid, Conflict) as exc:
        values = {"subject": subject, "priority": priority, "body": body}
        return _render_new(
            request,
            session,
            guardian,
            post.id,
            values=values,
            errors=web.form_errors(request, exc),
            status_code=exc.status_code,
        )
    return web.redirect(f"/mod/cases/{case.id}")


@router.get("/mod/cases/{case_id}")
def brand_case(
    request: Request, case_id: CaseId, session: SessionDep, guardian: GuardianDep
) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request, f"/mod/cases/{case_id}")
    _ensure_brand(guardian)
    case = cases.get_case(session, guardian, case_id)
    return _render_brand_case(request, session, guardian, case)


@router.post("/mod/cases/{case_id}/messages")
def brand_message(
    request: Request,
    case_id: CaseId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    body: FormStr = "",
    internal: FormStr = "",
) -> Response:
    _ensure_brand(guardian)
    case = cases.get_case(session, guardian, case_id)
    try:
        cases.add_message(session, guardian, case, body=body, internal=bool(internal), clock=clock)
    except (Invalid, Conflict) as exc:
        return _render_brand_case(
            request,
            session,
            guardian,
            case,
            status_code=exc.status_code,
            body=body,
            internal=bool(internal),
            error=web.error_message(request, exc),
        )
    sent = N_("Internal note added.") if internal else N_("Message sent to the customer.")
    if web.is_htmx(request):
        conversation = _render_conversation(
            request, session, guardian, case, action=_brand_action(case)
        )
        return web.with_flash(request, conversation, sent)
    web.flash(request, sent)
    return web.redirect(f"/mod/cases/{case.id}#case-conversation")


@router.post("/mod/cases/{case_id}")
def update_case(
    request: Request,
    case_id: CaseId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    status: FormStr = "",
    priority: FormStr = "",
    assignee: FormStr = "",
) -> Response:
    _ensure_brand(guardian)
    case = cases.get_case(session, guardian, case_id)
    before = _CaseFields(case.status, case.priority, case.assignee_id)
    try:
        cases.update_case(
            session,
            guardian,
            case,
            status=status,
            priority=priority,
            assignee_id=cases.parse_assignee(assignee),
            clock=clock,
        )
    except Invalid as exc:
        session.refresh(case)
        return _render_brand_case(
            request,
            session,
            guardian,
            case,
            status_code=exc.status_code,
            update_errors=web.form_errors(request, exc),
        )
    _flash_changes(request, session, before, case)
    return web.redirect(f"/mod/cases/{case.id}")


class _CaseFields(NamedTuple):
    status: str
    priority: str
    assignee_id: int | None


def _flash_changes(
    request: Request, session: Session, before: _CaseFields, case: SupportCase
) -> None:
    """One message per field the update changed ("Status set to Resolved.")."""
    if case.status != before.status:
        status = Label(cases.STATUS_LABELS[CaseStatus(case.status)])
        web.flash(request, N_("Status set to %(status)s."), status=status)
    if case.priority != before.priority:
        priority = Label(cases.PRIORITY_LABELS[CasePriority(case.priority)])
        web.flash(request, N_("Priority set to %(priority)s."), priority=priority)
    if case.assignee_id != before.assignee_id:
        assignee = session.get(User, case.assignee_id) if case.assignee_id else None
        if assignee is None:
            web.flash(request, N_("Case unassigned."))
        else:
            web.flash(request, N_("Case assigned to %(name)s."), name=assignee.display_name)
    if _CaseFields(case.status, case.priority, case.assignee_id) == before:
        web.flash(request, N_("Nothing changed."))


@router.get("/mod/webhooks")
def webhook_log(request: Request, session: SessionDep, guardian: GuardianDep) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request, "/mod/webhooks")
    ensure(guardian.is_admin, "Only admins can see the webhook log.")
    return web.render(
        request,
        "moderation/webhooks.html",
        deliveries=webhooks.recent_deliveries(session),
        configured=bool(webhooks.get_settings().url),
    )


# Rendering ------------------------------------------------------------------------------------


def _brand_action(case: SupportCase) -> str | None:
    return None if case.status == CaseStatus.closed else f"/mod/cases/{case.id}/messages"


def _customer_action(case: SupportCase) -> str | None:
    return None if case.status == CaseStatus.closed else f"/cases/{case.id}/messages"


def _render_customer_case(
    request: Request,
    session: Session,
    guardian: Guardian,
    case: SupportCase,
    *,
    status_code: int = 200,
    body: str = "",
    error: str = "",
) -> Response:
    return web.render(
        request,
        "moderation/cases_customer_detail.html",
        status_code=status_code,
        case=case,
        thread=session.get(Thread, case.thread_id) if case.thread_id else None,
        timeline=cases.timeline(session, guardian, case),
        action=_customer_action(case),
        body=body,
        error=error,
    )


def _render_brand_case(
    request: Request,
    session: Session,
    guardian: Guardian,
    case: SupportCase,
    *,
    status_code: int = 200,
    body: str = "",
    internal: bool = False,
    error: str = "",
    update_errors: dict[str, str] | None = None,
) -> Response:
    ids = {case.customer_id} | ({case.assignee_id} if case.assignee_id else set())
    return web.render(
        request,
        "moderation/cases_detail.html",
        status_code=status_code,
        case=case,
        thread=session.get(Thread, case.thread_id) if case.thread_id else None,
        people=cases.people(session, ids),
        moderators=cases.moderators(session),
        timeline=cases.timeline(session, guardian, case),
        status_choices=cases.status_choices(case),
        priorities=list(CasePriority),
        action=_brand_action(case),
        body=body,
        internal=internal,
        error=error,
        update_errors=update_errors or {},
    )


def _render_conversation(
    request: Request, session: Session, guardian: Guardian, case: SupportCase, *, action: str | None
) -> Response:
    session.refresh(case)
    return web.render(
        request,
        "moderation/_cases_conversation.html",
        case=case,
        timeline=cases.timeline(session, guardian, case),
        action=action,
        body="",
        error="",
    )


def _render_new(
    request: Request,
    session: Session,
    guardian: Guardian,
    post_id: int | None,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    post = posting.get_post(session, guardian, post_id or 0)
    view = posting.post_view(session, guardian, post)
    thread = session.get(Thread, post.thread_id)
    return web.render(
        request,
        "moderation/cases_new.html",
        status_code=status_code,
        item=view,
        thread=thread,
        values=values,
        errors=errors,
        priorities=list(CasePriority),
    )


# The thread page's slots (community/web.py) ---------------------------------------------------


def _fragment(request: Request, name: str, **context: Any) -> str:
    return bytes(web.render(request, name, **context).body).decode()


def own_cases_link(request: Request, values: dict[str, Any]) -> str:
    """In the site nav, for a member the brand has taken private at least once: their cases."""
    guardian = values.get("guardian")
    if not isinstance(guardian, Guardian) or guardian.user is None or cases.is_brand(guardian):
        return ""
    # A session of its own: on an error page the request's session is closed already, and
    # asking it again would open a connection nobody returns to the pool.
    with Session(request.app.state.engine) as session:
        if not cases.has_cases(session, guardian.user_id):
            return ""
    return web.nav_item(request, "/cases", web.translator(request)("Your cases"))


def thread_notice(request: Request, values: dict[str, Any]) -> str:
    """Above the question: "The <brand> team is following this up privately" (or "followed",
    once every case is resolved or closed), for everyone."""
    session: Session | None = getattr(request.state, "db", None)
    thread = values.get("thread")
    if session is None or not isinstance(thread, Thread) or thread.id is None:
        return ""
    taken = cases.thread_cases(session, thread.id)
    if not taken:
        return ""
    guardian: Guardian | None = getattr(request.state, "guardian", None)
    user_id = guardian.user.id if guardian is not None and guardian.user is not None else None
    brand = guardian is not None and cases.is_brand(guardian)
    # Only the brand sees which cases; a customer sees a link to their own, nobody else anything.
    shown = [c for c in taken if brand or c.customer_id == user_id]
    ongoing = any(c.status not in cases.SETTLED for c in taken)
    return _fragment(
        request, "moderation/_cases_notice.html", thread=thread, shown=shown, ongoing=ongoing
    )


def customer_card(request: Request, values: dict[str, Any]) -> str:
    """Above the question, for moderators: the asker's other questions and cases going."""
    session: Session | None = getattr(request.state, "db", None)
    guardian: Guardian | None = getattr(request.state, "guardian", None)
    thread = values.get("thread")
    if session is None or guardian is None or not isinstance(thread, Thread):
        return ""
    context = customer_context.for_thread(session, guardian, thread)
    if context is None:
        return ""
    return _fragment(request, "moderation/_customer_context.html", context=context)


def take_private_button(request: Request, values: dict[str, Any]) -> str:
    """In each post's tools, for moderators: escalate this post's conversation to a case."""
    guardian: Guardian | None = getattr(request.state, "guardian", None)
    post = values.get("post")
    if guardian is None or not cases.is_brand(guardian) or post is None or post.is_deleted:
        return ""
    if guardian.is_author(post):
        return ""
    return _fragment(request, "moderation/_cases_take_private.html", post=post)


def register_slots() -> None:
    web.add_slot("site_nav", "moderation.own_cases", own_cases_link)
    web.add_slot("thread_head", "moderation.cases", thread_notice)
    web.add_slot("thread_head", "moderation.customer", customer_card)
    web.add_slot("post_tools", "moderation.cases", take_private_button)
