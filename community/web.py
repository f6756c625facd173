"""Templates and the helpers every HTML route shares: render, redirects, flash messages, htmx
detection."""

import secrets
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from community import i18n, ranks
from community.errors import DomainError
from community.settings import PROJECT_ROOT, get_settings

CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
FORM_ERROR = "form"
FLASH_SESSION_KEY = "flash"
FLASH_TEMPLATE = "community/_flash_status.html"

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")
templates.env.add_extension("jinja2.ext.i18n")
templates.env.policies["ext.i18n.trimmed"] = True

# Slots: named places in community's templates that other packages fill without community
# importing them. main.py registers a provider per slot; a template writes
# ``{{ slot("thread_head", thread=thread) }}`` and gets every provider's HTML, in order.
SlotProvider = Callable[[Request, dict[str, Any]], str]
_slots: dict[str, dict[str, SlotProvider]] = {}


def add_slot(slot: str, key: str, provider: SlotProvider) -> None:
    """Register (or replace: create_app runs once per test) ``provider`` under ``key``."""
    _slots.setdefault(slot, {})[key] = provider


@pass_context
def _slot(context: Context, slot: str, **values: Any) -> Markup:
    request = context.get("request")
    if request is None:
        return Markup("")
    return Markup("".join(provider(request, values) for provider in _slots.get(slot, {}).values()))


templates.env.globals["slot"] = _slot


def nav_item(request: Request, url: str, label: str) -> Markup:
    """A site-nav entry, marked as the current page when the reader is at ``url`` or under it
    ("/" only at the home page itself)."""
    path = request.url.path
    here = path == url or (url != "/" and path.startswith(url.rstrip("/") + "/"))
    current = ' aria-current="page"' if here else ""
    return Markup('<li><a href="{}"{}>{}</a></li>').format(url, Markup(current), label)


@pass_context
def _nav_item(context: Context, url: str, label: str) -> Markup:
    return nav_item(context["request"], url, label)


templates.env.globals["nav_item"] = _nav_item


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return str(token)


def language_of(request: Request) -> str:
    language = getattr(request.state, "language", None)
    if language:
        return str(language)
    settings = get_settings()
    return i18n.negotiate(
        user_language=None,
        accept_language=request.headers.get("accept-language"),
        supported=settings.languages,
        default=settings.default_language,
    )


def time_zone_of(request: Request) -> ZoneInfo:
    """The reader's time zone (set with the guardian), else the community's."""
    found = getattr(request.state, "time_zone", None)
    return found if isinstance(found, ZoneInfo) else ZoneInfo(get_settings().time_zone)


def translator(request: Request) -> Callable[[str], str]:
    language = language_of(request)
    return lambda message: i18n.gettext(language, message)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(request: Request, name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    if status_code >= 400 and request.method != "GET":
        drop_flashes(request)  # a refused form: no earlier "Thread moved." above its error
    language = language_of(request)
    settings = get_settings()
    context.setdefault("guardian", getattr(request.state, "guardian", None))
    context.update(
        request=request,
        language=language,
        languages=i18n.LANGUAGE_NAMES,
        gettext=lambda message, **kw: _interpolate(i18n.gettext(language, message), kw),
        ngettext=lambda s, p, n, **kw: _interpolate(
            i18n.ngettext(language, s, p, n), {"num": n, **kw}
        ),
        csrf_token=csrf_token(request),
        settings=settings,
        unread_count=getattr(request.state, "unread_count", 0),
        now=getattr(request.state, "now", None),
    )
    context["_"] = context["gettext"]
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _interpolate(message: str, params: dict[str, Any]) -> str:
    return message % params if params else message


def _translate(request: Request, message: str, params: Mapping[str, object]) -> str:
    """``message`` (a msgid, or an ``i18n.Plural``) in the reader's language, with ``params``
    filled in: an ``i18n.Label`` is translated too, a datetime written as the reader writes
    dates."""
    language = language_of(request)
    text = i18n.translate(language, message)
    if isinstance(message, i18n.Plural):
        params = {"num": i18n.format_number(message.num, language), **params}
    if not params:
        return text
    zone = time_zone_of(request)
    return text % {key: _localized(value, language, zone) for key, value in params.items()}


def _localized(value: object, language: str, zone: ZoneInfo) -> object:
    if isinstance(value, i18n.Label):
        return i18n.gettext(language, value)
    if isinstance(value, datetime):
        return i18n.format_when(value, language, zone)
    return value


def error_message(request: Request, exc: DomainError) -> str:
    """The error in the reader's language, with its parameters filled in."""
    return _translate(request, exc.message, exc.params)


def form_errors(request: Request, exc: DomainError) -> dict[str, str]:
    """The error keyed by the form field it belongs to (``form`` when it is about the whole),
    with the problems of other fields that came with it (errors.Problems)."""
    found: dict[str, str] = {}
    for problem in (exc, *exc.also):
        found.setdefault(problem.field or FORM_ERROR, error_message(request, problem))
    return found


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


FlashParam = str | int | datetime


def flash(request: Request, message: str, **params: FlashParam) -> None:
    """Confirm an action ("Thread locked.") on the next page this browser loads, once: call it
    before a 303. ``message`` is a msgid marked with ``N_``, translated now for the reader."""
    pending = list(request.session.get(FLASH_SESSION_KEY, []))
    request.session[FLASH_SESSION_KEY] = [*pending, _translate(request, message, params)]


def drop_flashes(request: Request) -> None:
    """Forget the confirmations no page has shown yet. Every refused form's page does (``render``):
    one left by an earlier action whose redirect was never followed (a double click, a script)
    would read as this action's success above its error."""
    request.session.pop(FLASH_SESSION_KEY, None)


def with_flash(request: Request, answer: Response, message: str, **params: FlashParam) -> Response:
    """An htmx ``answer`` that swaps in place, also carrying ``message`` out of band into the
    page's flash area; nothing waits in the session to show up on a later page. The answer keeps
    its status and headers."""
    confirmation = render(
        request, FLASH_TEMPLATE, flash_messages=[_translate(request, message, params)], oob=True
    )
    return with_out_of_band(answer, bytes(confirmation.body))


def with_out_of_band(answer: Response, fragment: bytes | str) -> Response:
    """An htmx ``answer`` with ``fragment`` (markup marked ``hx-swap-oob``) after it, for a part
    of the page outside the swap; the answer keeps its status and headers."""
    extra = fragment.encode() if isinstance(fragment, str) else fragment
    answer.body = bytes(answer.body) + extra
    answer.headers["content-length"] = str(len(answer.body))
    return answer


@pass_context
def _pop_flashes(context: Context) -> list[str]:
    """The confirmations waiting for this page (base.html asks once), taken out of the session."""
    request: Request = context["request"]
    return [str(message) for message in request.session.pop(FLASH_SESSION_KEY, [])]


templates.env.globals["pop_flashes"] = _pop_flashes


def _here(request: Request) -> str:
    """The address that shows this page again, for the language switch: the page itself, or for
    a form shown again with its errors (its address takes only POST) the page the form was on."""
    if request.method == "GET":
        return _path_and_query(request.url)
    referer = urlsplit(request.headers.get("referer", ""))
    return _path_and_query(referer) if referer.netloc == request.url.netloc else "/"


def _path_and_query(url: Any) -> str:
    """A URL's path with its query, if any: an address on this site (a URL or a urlsplit)."""
    path = url.path or "/"
    return f"{path}?{url.query}" if url.query else path


templates.env.globals["here"] = _here


def login_redirect(request: Request, next_path: str | None = None) -> RedirectResponse:
    """To the login page, which sends the person to ``next_path`` once they are in (by default
    back to the page they asked for)."""
    if next_path is None:
        next_path = _path_and_query(request.url)
    return redirect(f"/login?next={quote(next_path, safe='/')}")


def _zone(context: Context) -> ZoneInfo:
    return time_zone_of(context["request"])


@pass_context
def _when(context: Context, value: datetime | None) -> str:
    """A moment with its time of day in the reader's time zone (i18n.format_when), for plain
    text and tooltips."""
    if value is None:
        return ""
    return i18n.format_when(value, context.get("language", "it"), _zone(context))


@pass_context
def _ago(context: Context, value: datetime | None) -> Markup:
    """Recent activity: "3 days ago", with the moment itself in the tooltip."""
    if value is None:
        return Markup("")
    now = context.get("now")
    language = context.get("language", "it")
    moment = i18n.format_when(value, language, _zone(context))
    # "now" is taken before the request writes, so a fresh row may look a moment in the future.
    label = i18n.format_ago(min(value, now), now, language) if now else moment
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        value.isoformat(), moment, label
    )


@pass_context
def _day(context: Context, value: date | None) -> str:
    """The date alone ("Jan 15, 2026"; "15 gen 2026"), for when the time of day is noise."""
    if value is None:
        return ""
    return i18n.format_day(value, context.get("language", "it"), _zone(context))


@pass_context
def _month(context: Context, value: date) -> str:
    return i18n.format_month(value, context.get("language", "it"))


@pass_context
def _number(context: Context, value: int | float) -> str:
    return i18n.format_number(value, context.get("language", "it"))


@pass_context
def _duration(context: Context, value: float | timedelta | None, coarse: bool = False) -> str:
    """A duration (seconds, or a timedelta) in words, "—" when nothing was measured; ``coarse``
    for a wait still running (see i18n.format_duration)."""
    if value is None:
        return "—"
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    return i18n.format_duration(seconds, context.get("language", "it"), coarse=coarse)


templates.env.filters["when"] = _when
templates.env.filters["ago"] = _ago
templates.env.filters["number"] = _number
templates.env.filters["day"] = _day
templates.env.filters["month"] = _month
templates.env.filters["duration"] = _duration
# Rank chips next to names (templates/macros/people.html): ``user.reputation|rank``.
templates.env.filters["rank"] = lambda reputation: ranks.rank_for(int(reputation or 0)).value
templates.env.globals["rank_labels"] = {rank.value: label for rank, label in ranks.LABELS.items()}
