"""Forgotten passwords: ask for a link by e-mail, then choose a new password from it."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from community import accounts, password_reset, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import DomainError
from community.i18n import N_
from community.params import FormStr
from community.routes.accounts import client_ip, start_session

router = APIRouter()

# The link's token is in the address of the page that opens it: no other site may see it.
PRIVATE_ADDRESS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@router.get("/password/forgot")
def forgot_page(request: Request, _guardian: GuardianDep) -> Response:
    return _render_forgot(request, login="", errors={})


@router.post("/password/forgot")
def ask_for_link(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    _guardian: GuardianDep,
    login: FormStr = "",
) -> Response:
    try:
        password_reset.request_link(
            session,
            login=login,
            client_ip=client_ip(request),
            clock=clock,
            language=web.language_of(request),
        )
    except DomainError as exc:
        return _render_forgot(
            request, login=login, errors=web.form_errors(request, exc), status_code=exc.status_code
        )
    return web.render(request, "community/password_link_sent.html", login=login.strip())


@router.get("/password/reset/{token}")
def choose_password_page(
    request: Request, token: str, session: SessionDep, clock: ClockDep, _guardian: GuardianDep
) -> Response:
    try:
        password_reset.open_link(session, token, clock=clock)
    except DomainError as exc:
        return _dead_link(request, exc)
    return _render_choose(request, token=token, errors={})


@router.post("/password/reset/{token}")
def choose_password(
    request: Request,
    token: str,
    session: SessionDep,
    clock: ClockDep,
    _guardian: GuardianDep,
    new_password: FormStr = "",
    new_password_confirm: FormStr = "",
) -> Response:
    try:
        user = password_reset.choose_password(
            session,
            token,
            new_password=new_password,
            new_password_confirm=new_password_confirm,
            clock=clock,
            language=web.language_of(request),
        )
    except password_reset.LinkExpired as exc:
        return _dead_link(request, exc)
    except DomainError as exc:
        return _render_choose(
            request, token=token, errors=web.form_errors(request, exc), status_code=exc.status_code
        )
    start_session(request, user)  # whoever was signed in on this browser, it is this member now
    web.flash(request, N_("Your new password is set, and you are logged in."))
    return web.redirect("/")


def _render_forgot(
    request: Request, *, login: str, errors: dict[str, str], status_code: int = 200
) -> Response:
    return web.render(
        request,
        "community/password_forgot.html",
        status_code=status_code,
        values={"login": login},
        errors=errors,
    )


def _dead_link(request: Request, exc: DomainError) -> Response:
    answer = _render_forgot(
        request, login="", errors=web.form_errors(request, exc), status_code=exc.status_code
    )
    answer.headers.update(PRIVATE_ADDRESS)
    return answer


def _render_choose(
    request: Request, *, token: str, errors: dict[str, str], status_code: int = 200
) -> Response:
    answer = web.render(
        request,
        "community/password_choose.html",
        status_code=status_code,
        token=token,
        errors=errors,
        min_password=accounts.MIN_PASSWORD_CHARS,
    )
    answer.headers.update(PRIVATE_ADDRESS)
    return answer
