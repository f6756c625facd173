"""How a refusal reaches the reader: JSON for the API, a flash for htmx, else the error page.

main.py's exception handlers and the CSRF middleware both answer through ``respond``. Neither can
count on a route's dependencies having said who is reading (an unknown address has no route; the
middleware answers before any route), so ``respond`` finds out itself when they have not: the
page then speaks the reader's language and shows their own navigation.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from community import deps, web
from community.i18n import N_

SAFE_METHODS = ("GET", "HEAD")

# What is wrong with a part of an API address, by pydantic's error type; ``ctx`` fills them in.
PATH_PROBLEMS = {
    "int_parsing": N_("%(name)s in the URL must be a whole number, not “%(value)s”."),
    "greater_than_equal": N_("%(name)s in the URL must be at least %(ge)s."),
    "less_than_equal": N_("%(name)s in the URL must be at most %(le)s."),
}
OTHER_PATH_PROBLEM = N_("%(name)s in the URL is not valid: %(reason)s")
SHOWN_VALUE_CHARS = 40

Problem = Mapping[str, Any]  # one of RequestValidationError.errors()


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def is_page_visit(request: Request) -> bool:
    """A person opening a page (not a form, not htmx, not a program), who can be sent elsewhere."""
    return request.method in SAFE_METHODS and not web.is_htmx(request) and not wants_json(request)


def respond(
    request: Request,
    status: int,
    message: Callable[[Request], str],
    *,
    back: str | None = None,
    **extra: Any,
) -> Response:
    """The refusal, worded by ``message`` once the reader (and so their language) is known.
    ``back`` is a page of this site the error page links to; ``extra`` goes in the JSON."""
    if wants_json(request):
        return JSONResponse({"detail": message(request), **extra}, status_code=status)
    if hasattr(request.state, "guardian"):
        return _page(request, status, message(request), back)
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        _identify(request, session)
        return _page(request, status, message(request), back)


def referring_page(request: Request) -> str | None:
    """The page of this site the request came from (its Referer), if it did."""
    parts = urlsplit(request.headers.get("referer", ""))
    if parts.netloc != request.url.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith("//") or "\\" in parts.path:  # as a link: another site
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def names_a_missing_page(request: Request, problems: Sequence[Problem]) -> bool:
    """A page address with a part that cannot name anything (/t/abc, /t/0) leads nowhere, like
    /t/999999. The API instead says what is wrong with its URL (``describe``)."""
    return not request.url.path.startswith("/api/") and any(map(_in_path, problems))


def field_name(problem: Problem) -> str:
    location = tuple(problem.get("loc", ()))
    # Drop only the leading "body" location: a field may itself be named "body".
    return ".".join(str(part) for part in (location[1:] if location[:1] == ("body",) else location))


def describe(reader: Request, problems: Sequence[Problem]) -> str:
    """The request's problems for ``reader``: each part of the URL in words, then the fields."""
    _ = web.translator(reader)
    parts = [_path_problem(_, problem) for problem in problems if _in_path(problem)]
    others = [p for p in problems if not _in_path(p)]
    if others:
        summary = _("Some fields are missing or invalid.")
        details = "; ".join(f"{field_name(p)}: {p.get('msg', 'invalid')}" for p in others)
        parts.append(f"{summary} {details}")
    return " ".join(parts)


def _identify(request: Request, session: Session) -> None:
    """What the route's GuardianDep would have done: request.state's reader and language."""
    request.state.db = session  # the navigation's slots read through it
    clock = deps.get_clock(request)
    user = deps.get_current_user(request, session, clock)
    deps.get_guardian(request, user, session, request.app.state.settings, clock)


def _page(request: Request, status: int, message: str, back: str | None) -> Response:
    if web.is_htmx(request):
        # A refused htmx action says why at the top of the page and leaves the rest as it was,
        # the form and what was typed in it included (base.html swaps 4xx answers; a route that
        # re-renders its own form with the error keeps its own target).
        response = web.render(request, "errors/_flash.html", status_code=status, message=message)
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return web.render(
        request,
        "errors/error.html",
        status_code=status,
        status=status,
        message=message,
        back=back,
    )


def _in_path(problem: Problem) -> bool:
    return tuple(problem.get("loc", ()))[:1] == ("path",)


def _path_problem(_: Callable[[str], str], problem: Problem) -> str:
    value = str(problem.get("input", ""))
    params = {
        **problem.get("ctx", {}),
        "name": str(problem["loc"][-1]),
        "value": value[:SHOWN_VALUE_CHARS] + ("…" if len(value) > SHOWN_VALUE_CHARS else ""),
        "reason": problem.get("msg", ""),
    }
    message = PATH_PROBLEMS.get(problem.get("type", ""), OTHER_PATH_PROBLEM)
    return _(message) % params
