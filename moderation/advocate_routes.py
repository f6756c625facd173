"""Advocate pages: /mod/advocates (moderators: nominate, change categories, revoke, contribution
over a date range) and /advocate (advocates: threads that need a peer answer).

Forms work without JavaScript (303 after POST, and a flash message says what was done); errors
re-render the page next to the field.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from community import listing, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import Conflict, Invalid, NotFound
from community.i18n import N_
from community.params import FormStr
from community.policy import Guardian
from moderation import advocates

router = APIRouter()

Username = Annotated[str, Path(min_length=1, max_length=31)]
DayQuery = Annotated[str, Query(max_length=10)]
CategoryChoice = Annotated[list[str] | None, Form()]


def _page(
    request: Request,
    session: Session,
    guardian: Guardian,
    *,
    now: Any,
    start: str = "",
    end: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    row_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    advocates.ensure_moderator(guardian)
    range_errors: dict[str, str] = {}
    try:
        window = advocates.parse_range(start, end, now=now)
    except Invalid as exc:
        range_errors = web.form_errors(request, exc)
        window = advocates.parse_range("", "", now=now)
        status_code = 422
    rows = advocates.contributions(session, guardian, window=window)
    return web.render(
        request,
        "moderation/advocates.html",
        status_code=status_code,
        rows=rows,
        window=window,
        start=start or window.first_day.isoformat(),
        end=end or window.last_day.isoformat(),
        categories=listing.list_categories(session),
        errors=errors or {},
        range_errors=range_errors,
        row_errors=row_errors or {},
        values=values or {},
    )


@router.get("/mod/advocates")
def advocates_page(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    start: DayQuery = "",
    end: DayQuery = "",
) -> Response:
    return _page(request, session, guardian, now=clock.now(), start=start, end=end)


@router.post("/mod/advocates")
def nominate(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    username: FormStr = "",
    categories: CategoryChoice = None,
) -> Response:
    advocates.ensure_moderator(guardian)
    chosen = categories or []
    values = {"username": username, "categories": chosen}
    try:
        member = advocates.get_member(session, guardian, username)
        ids = advocates.parse_category_ids(session, chosen)
        advocates.nominate(session, guardian, member, category_ids=ids, clock=clock)
    except (Invalid, NotFound, Conflict) as exc:
        errors = {exc.field or "username": web.error_message(request, exc)}
        return _page(
            request,
            session,
            guardian,
            now=clock.now(),
            errors=errors,
            values=values,
            status_code=exc.status_code if not isinstance(exc, Invalid) else 422,
        )
    web.flash(request, N_("%(username)s is now an advocate."), username=member.username)
    return web.redirect("/mod/advocates")


@router.post("/mod/advocates/{username}/categories")
def change_categories(
    request: Request,
    username: Username,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    categories: CategoryChoice = None,
) -> Response:
    member = advocates.get_member(session, guardian, username)
    try:
        ids = advocates.parse_category_ids(session, categories or [])
        advocates.set_categories(session, guardian, member, category_ids=ids, clock=clock)
    except Invalid as exc:
        return _page(
            request,
            session,
            guardian,
            now=clock.now(),
            row_errors={member.username: web.error_message(request, exc)},
            status_code=422,
        )
    web.flash(request, N_("Categories of %(username)s saved."), username=member.username)
    return web.redirect("/mod/advocates")


@router.post("/mod/advocates/{username}/revoke")
def revoke(
    request: Request,
    username: Username,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> Response:
    member = advocates.get_member(session, guardian, username)
    advocates.revoke(session, guardian, member, clock=clock)
    web.flash(request, N_("%(username)s is no longer an advocate."), username=member.username)
    return web.redirect("/mod/advocates")


@router.get("/advocate")
def needs_answer_page(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    page = advocates.needs_answer(session, guardian, now=clock.now(), cursor=cursor or None)
    if web.is_htmx(request) and cursor:
        return web.render(request, "moderation/_advocate_threads.html", page=page)
    return web.render(request, "moderation/advocate.html", page=page)
