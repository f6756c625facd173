"""How a refusal reaches the reader: JSON for the API, a flash for htmx, else the error page.

main.py's exception handlers and the CSRF middleware both answer through ``respond``. Neither can
count on a route's dependencies having said who is reading (an unknown address has no route; the
middleware answers before any route), so ``respond`` finds out itself when they have not: the
page then speaks the reader's language and shows their own navigation.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from community import deps, web


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


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
