"""CSRF protection for every state-changing request that rides on the session cookie.

A pure ASGI middleware so that no route can forget it. The token lives in the signed session and
comes back in the ``X-CSRF-Token`` header (htmx, fetch) or the ``csrf_token`` form field. Requests
authenticated by ``Authorization: Bearer`` carry no ambient credentials and are exempt; so are JSON
requests from clients with no signed-in session, which the services refuse anyway. A refusal is
the site's own error page (a flash for htmx, which leaves the form and its text as they were),
in the reader's language.
"""

import hmac
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from community import error_pages, web
from community.i18n import N_
from community.web import CSRF_FIELD, CSRF_HEADER, CSRF_SESSION_KEY

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
MAX_FORM_BYTES = 1_000_000


class CSRFMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if headers.get("authorization", "").lower().startswith("bearer "):
            await self.app(scope, receive, send)
            return
        session = scope.get("session", {})
        expected = session.get(CSRF_SESSION_KEY)
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        is_form = content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        if not is_form and "uid" not in session:
            await self.app(scope, receive, send)
            return
        body = b""
        candidate = headers.get(CSRF_HEADER)
        if candidate is None and content_type == "application/x-www-form-urlencoded":
            body = await _read_body(receive)
            values = parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD)
            candidate = values[0] if values else None
        if not expected or not candidate or not hmac.compare_digest(str(expected), candidate):
            await _refuse(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive) if body else receive, send)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= MAX_FORM_BYTES:
            chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    # The error page links back to the form's page: reloading this one would post it again.
    response = await run_in_threadpool(
        error_pages.respond,
        request,
        403,
        _stale_form,
        back=error_pages.referring_page(request),
        code="csrf_failed",
    )
    await response(scope, receive, send)


def _stale_form(reader: Request) -> str:
    return web.translator(reader)(
        N_("Your session expired or the form is stale: reload the page and try again.")
    )
