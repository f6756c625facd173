"""Account pages: sign up, log in and out, settings with API tokens, language, public profiles."""

import json
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from community import account_erasure, accounts, data_export, i18n, profiles, web
from community.deps import SESSION_EPOCH_KEY, SESSION_USER_KEY, ClockDep, GuardianDep, SessionDep
from community.errors import DomainError, NotAuthenticated
from community.i18n import N_
from community.models import ApiToken, User
from community.params import BeforeQuery, FormStr, TokenId
from community.policy import Guardian
from community.web import CSRF_SESSION_KEY

router = APIRouter()

SESSION_LANGUAGE_KEY = "lang"


# Helpers shared by the account pages -----------------------------------------------------------


def safe_next(raw: str | None, default: str = "/") -> str:
    """A same-site path to go back to; anything that could leave the site gives ``default``."""
    if not raw or not raw.startswith("/") or raw.startswith("//"):
        return default
    if "\\" in raw or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    return raw


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def start_session(request: Request, user: User) -> None:
    """Signs ``user`` in on this browser, with a fresh CSRF token."""
    request.session.pop(CSRF_SESSION_KEY, None)
    request.session[SESSION_USER_KEY] = user.id
    request.session[SESSION_EPOCH_KEY] = user.session_epoch


def signed_in_user(guardian: Guardian) -> User:
    if guardian.user is None:
        raise NotAuthenticated("Please log in first.")
    return guardian.user


# Sign up ---------------------------------------------------------------------------------------


@router.get("/signup")
def signup_page(request: Request, guardian: GuardianDep, next: str = "/") -> Response:
    if guardian.is_authenticated:
        return web.redirect(safe_next(next))
    return _render_signup(request, values={}, errors={}, next_path=safe_next(next))


@router.post("/signup")
def signup(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    username: FormStr = "",
    email: FormStr = "",
    display_name: FormStr = "",
    password: FormStr = "",
    next: FormStr = "/",
) -> Response:
    next_path = safe_next(next)
    try:
        user = accounts.sign_up(
            session,
            guardian,
            username=username,
            email=email,
            display_name=display_name,
            password=password,
            language=request.session.get(SESSION_LANGUAGE_KEY),
            client_ip=client_ip(request),
            clock=clock,
            page_language=web.language_of(request),
        )
    except DomainError as exc:
        values = {"username": username, "email": email, "display_name": display_name}
        return _render_signup(
            request,
            values=values,
            errors=web.form_errors(request, exc),
            next_path=next_path,
            status_code=exc.status_code,
        )
    start_session(request, user)
    web.flash(
        request,
        N_("Welcome! We have sent a link to %(email)s: open it to confirm your address."),
        email=user.email,
    )
    return web.redirect(next_path)


def _render_signup(
    request: Request,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    next_path: str,
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "community/signup.html",
        status_code=status_code,
        values=values,
        errors=errors,
        next_path=next_path,
        min_password=accounts.MIN_PASSWORD_CHARS,
    )


# Log in and out --------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, guardian: GuardianDep, next: str = "/") -> Response:
    if guardian.is_authenticated:
        return web.redirect(safe_next(next))
    return _render_login(request, username="", errors={}, next_path=safe_next(next))


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    _guardian: GuardianDep,
    username: FormStr = "",
    password: FormStr = "",
    next: FormStr = "/",
) -> Response:
    next_path = safe_next(next)
    try:
        user = accounts.authenticate(
            session, login=username, password=password, client_ip=client_ip(request)
        )
    except DomainError as exc:
        return _render_login(
            request,
            username=username,
            errors=web.form_errors(request, exc),
            next_path=next_path,
            status_code=exc.status_code,
        )
    start_session(request, user)
    return web.redirect(next_path)


def _render_login(
    request: Request,
    *,
    username: str,
    errors: dict[str, str],
    next_path: str,
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "community/login.html",
        status_code=status_code,
        values={"username": username},
        errors=errors,
        next_path=next_path,
    )


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return web.redirect("/")


# Language --------------------------------------------------------------------------------------


@router.post("/language")
def choose_language(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    language: FormStr = "",
    next: FormStr = "/",
) -> Response:
    if guardian.user is not None:
        accounts.set_language(session, guardian, guardian.user, language=language, clock=clock)
    else:
        chosen = accounts.normalize_language(language)
        if chosen is None:
            request.session.pop(SESSION_LANGUAGE_KEY, None)
        else:
            request.session[SESSION_LANGUAGE_KEY] = chosen
    return web.redirect(safe_next(next))


# Settings --------------------------------------------------------------------------------------


@router.get("/settings")
def settings_page(
    request: Request, session: SessionDep, guardian: GuardianDep, saved: str = ""
) -> Response:
    if guardian.user is None:
        return web.login_redirect(request, "/settings")
    return render_settings(request, session, guardian, saved=saved)


@router.post("/settings/profile")
def update_profile(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    display_name: FormStr = "",
    language: FormStr = "",
    time_zone: FormStr = "",
) -> Response:
    user = signed_in_user(guardian)
    try:
        accounts.update_profile(
            session,
            guardian,
            user,
            display_name=display_name,
            language=language,
            time_zone=time_zone,
            clock=clock,
        )
    except DomainError as exc:
        return render_settings(
            request,
            session,
            guardian,
            errors=web.form_errors(request, exc),
            values={"display_name": display_name, "language": language, "time_zone": time_zone},
            status_code=exc.status_code,
        )
    return web.redirect("/settings?saved=profile")


@router.post("/settings/password")
def change_password(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    current_password: FormStr = "",
    new_password: FormStr = "",
    new_password_confirm: FormStr = "",
) -> Response:
    user = signed_in_user(guardian)
    try:
        accounts.change_password(
            session,
            guardian,
            user,
            current_password=current_password,
            new_password=new_password,
            new_password_confirm=new_password_confirm,
            clock=clock,
            language=web.language_of(request),
        )
    except DomainError as exc:
        return render_settings(
            request,
            session,
            guardian,
            errors=web.form_errors(request, exc),
            status_code=exc.status_code,
        )
    # Every other session of this user is now stale; this one stays signed in.
    start_session(request, user)
    return web.redirect("/settings?saved=password")


@router.post("/settings/tokens")
def create_token(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    name: FormStr = "",
) -> Response:
    signed_in_user(guardian)
    try:
        api_token, token = accounts.create_api_token(session, guardian, name=name, clock=clock)
    except DomainError as exc:
        return _render_tokens(
            request,
            session,
            guardian,
            errors=web.form_errors(request, exc),
            token_name=name,
            status_code=exc.status_code,
        )
    # The token is shown in this response only, so it is rendered here rather than redirected to.
    return _render_tokens(request, session, guardian, new_token=(api_token, token))


@router.post("/settings/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    token_id: TokenId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> Response:
    signed_in_user(guardian)
    accounts.revoke_api_token(session, guardian, token_id, clock=clock)
    if web.is_htmx(request):
        return _render_tokens(request, session, guardian)
    return web.redirect("/settings?saved=token#api-tokens")


def _render_tokens(
    request: Request,
    session: SessionDep,
    guardian: Guardian,
    *,
    errors: dict[str, str] | None = None,
    token_name: str = "",
    new_token: tuple[ApiToken, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The token section alone for htmx, else the whole settings page around it."""
    context: dict[str, Any] = {
        "tokens": accounts.list_api_tokens(session, guardian),
        "token_errors": errors or {},
        "token_name": token_name,
        "new_token": new_token,
    }
    if web.is_htmx(request):
        return web.render(request, "community/_api_tokens.html", status_code=status_code, **context)
    return render_settings(request, session, guardian, status_code=status_code, **context)


@router.get("/settings/export")
def export_data(
    request: Request, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> Response:
    """The member's copy of their data, as a JSON file to download."""
    if guardian.user is None:
        return web.login_redirect(request, "/settings#data-settings")
    user = guardian.user
    try:
        data = data_export.export(session, guardian, user, now=clock.now())
    except DomainError as exc:
        return render_settings(
            request,
            session,
            guardian,
            errors={"export": web.error_message(request, exc)},
            status_code=exc.status_code,
        )
    name = f"{user.username}-{clock.now():%Y-%m-%d}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def render_settings(
    request: Request,
    session: SessionDep,
    guardian: Guardian,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    saved: str = "",
    status_code: int = 200,
    **context: Any,
) -> Response:
    user = signed_in_user(guardian)
    context.setdefault("tokens", accounts.list_api_tokens(session, guardian))
    context.setdefault("token_errors", {})
    context.setdefault("token_name", "")
    context.setdefault("new_token", None)
    form_values = {
        "display_name": user.display_name,
        "language": user.language or "",
        "time_zone": user.time_zone or "",
    }
    form_values.update(values or {})
    return web.render(
        request,
        "community/settings.html",
        status_code=status_code,
        user=user,
        values=form_values,
        errors=errors or {},
        saved=saved,
        min_password=accounts.MIN_PASSWORD_CHARS,
        time_zone_regions=_time_zone_regions(),
        anon_name=account_erasure.pseudonym(user.id or 0),
        **context,
    )


@lru_cache(maxsize=1)
def _time_zone_regions() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The time zones by region, for the settings' menu (built once): (("Europe",
    (("Europe/Rome", "Rome")...))...); "UTC" stands alone under its own name."""
    regions: dict[str, list[tuple[str, str]]] = {}
    for name in i18n.time_zones():
        region, _, place = name.partition("/")
        regions.setdefault(region, []).append((name, (place or region).replace("_", " ")))
    return tuple((region, tuple(zones)) for region, zones in regions.items())


# Public profile --------------------------------------------------------------------------------


@router.get("/u/{username}")
def profile(
    request: Request,
    username: str,
    session: SessionDep,
    guardian: GuardianDep,
    before: BeforeQuery = None,
) -> Response:
    if account_erasure.was_erased(session, username):
        return web.render(request, "community/profile_erased.html", status_code=410)
    user = accounts.get_user_by_username(session, username)
    history = profiles.ledger(session, guardian, user, before=before)
    if web.is_htmx(request) and before is not None:  # "older entries" swaps the history alone
        return web.render(
            request,
            "community/_reputation_history.html",
            profile=user,
            history=history,
            paged=True,
        )
    return web.render(
        request,
        "community/profile.html",
        profile=user,
        recent=accounts.recent_posts(session, user),
        is_self=guardian.user is not None and guardian.user.id == user.id,
        standing=profiles.standing(session, user),
        history=history,
        paged=before is not None,
    )
