"""Canned replies: /mod/canned to manage them, and the menu above a thread's reply box.

Picking a template in the menu POSTs the reply box's draft to /mod/canned/{id}/fill?thread_id=...
(htmx): the box comes back with the draft kept and the filled text after it. Without JavaScript
the link GETs the same URL, which answers with a page of its own holding the thread's reply form
filled in (the text never travels in a URL, so a long template is no problem).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response
from sqlmodel import Session

from community import posting, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import Conflict, Invalid
from community.i18n import N_
from community.models import Thread
from community.params import MAX_ID, FormStr
from community.policy import Guardian
from moderation import canned
from moderation.models import CannedReply

router = APIRouter()

CannedId = Annotated[int, Path(ge=1, le=MAX_ID)]
REPLY_SAVED = N_("Canned reply “%(title)s” saved.")


@router.get("/mod/canned")
def canned_page(request: Request, session: SessionDep, guardian: GuardianDep) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request, "/mod/canned")
    return _render_list(request, session, guardian, values={}, errors={})


@router.post("/mod/canned")
def create(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    title: FormStr = "",
    body: FormStr = "",
    language: FormStr = "",
) -> Response:
    try:
        reply = canned.create_reply(
            session, guardian, title=title, body=body, language=language, clock=clock
        )
    except Invalid as exc:
        values = {"title": title, "body": body, "language": language}
        return _render_list(
            request,
            session,
            guardian,
            values=values,
            errors=web.form_errors(request, exc),
            status_code=exc.status_code,
        )
    web.flash(request, REPLY_SAVED, title=reply.title)
    return web.redirect("/mod/canned")


@router.get("/mod/canned/{reply_id}/edit")
def edit_page(
    request: Request, reply_id: CannedId, session: SessionDep, guardian: GuardianDep
) -> Response:
    if not guardian.is_authenticated:
        return web.login_redirect(request, f"/mod/canned/{reply_id}/edit")
    reply = canned.get_reply(session, guardian, reply_id)
    values = {"title": reply.title, "body": reply.body, "language": reply.language or ""}
    return _render_edit(request, reply, values=values, errors={})


@router.post("/mod/canned/{reply_id}")
def update(
    request: Request,
    reply_id: CannedId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    title: FormStr = "",
    body: FormStr = "",
    language: FormStr = "",
    version: FormStr = "",
) -> Response:
    reply = canned.get_reply(session, guardian, reply_id)
    try:
        canned.update_reply(
            session,
            guardian,
            reply,
            title=title,
            body=body,
            language=language,
            clock=clock,
            seen=version or None,
        )
    except (Invalid, Conflict) as exc:
        session.refresh(reply)
        values = {"title": title, "body": body, "language": language}
        return _render_edit(
            request,
            reply,
            values=values,
            errors=web.form_errors(request, exc),
            status_code=exc.status_code,
            theirs=reply if isinstance(exc, Conflict) else None,
        )
    web.flash(request, REPLY_SAVED, title=reply.title)
    return web.redirect("/mod/canned")


@router.post("/mod/canned/{reply_id}/delete")
def delete(
    request: Request,
    reply_id: CannedId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> Response:
    reply = canned.get_reply(session, guardian, reply_id)
    canned.delete_reply(session, guardian, reply, clock=clock)
    web.flash(request, N_("Canned reply “%(title)s” deleted."), title=reply.title)
    return web.redirect("/mod/canned")


@router.get("/mod/canned/{reply_id}/fill")
def fill(
    request: Request,
    reply_id: CannedId,
    session: SessionDep,
    guardian: GuardianDep,
    thread_id: Annotated[int, Query(ge=1, le=MAX_ID)],
    format: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The template filled in for the thread: the reply box (htmx), the text (``format=text``),
    or a page with the thread's reply form filled in (a plain link)."""
    if not guardian.is_authenticated:
        return web.login_redirect(request, f"/t/{thread_id}")
    reply = canned.get_reply(session, guardian, reply_id)
    thread = posting.get_thread(session, guardian, thread_id)
    text = canned.fill(session, guardian, reply, thread)
    if format == "text":
        return PlainTextResponse(text)
    if web.is_htmx(request):
        return web.render(request, "moderation/_canned_textarea.html", reply_body=text)
    return web.render(
        request,
        "moderation/canned_reply.html",
        thread=thread,
        page=posting.page_count(thread),
        reply_body=text,
    )


@router.post("/mod/canned/{reply_id}/fill")
def fill_after_draft(
    request: Request,
    reply_id: CannedId,
    session: SessionDep,
    guardian: GuardianDep,
    thread_id: Annotated[int, Query(ge=1, le=MAX_ID)],
    body: FormStr = "",
) -> Response:
    """htmx: the reply box with the moderator's draft (``body``, what the box held) kept, and the
    filled template after it."""
    reply = canned.get_reply(session, guardian, reply_id)
    thread = posting.get_thread(session, guardian, thread_id)
    text = canned.fill(session, guardian, reply, thread)
    draft = body.rstrip()
    return web.render(
        request,
        "moderation/_canned_textarea.html",
        reply_body=f"{draft}\n\n{text}" if draft else text,
    )


def _render_list(
    request: Request,
    session: Session,
    guardian: Guardian,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "moderation/canned.html",
        status_code=status_code,
        replies=canned.list_replies(session, guardian),
        values=values,
        errors=errors,
        placeholders=canned.PLACEHOLDERS,
    )


def _render_edit(
    request: Request,
    reply: CannedReply,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    theirs: CannedReply | None = None,
) -> Response:
    """The form, carrying the version it shows; after a conflict, ``theirs`` (the template as the
    other moderator saved it) under the form, and the form carries their version, so the merged
    text saves."""
    return web.render(
        request,
        "moderation/canned_edit.html",
        status_code=status_code,
        reply=reply,
        version=canned.version(reply),
        theirs=theirs,
        values=values,
        errors=errors,
        placeholders=canned.PLACEHOLDERS,
    )


def canned_menu(request: Request, values: dict[str, Any]) -> str:
    """Above the reply box, for moderators: the templates, best-matching language first."""
    session: Session | None = getattr(request.state, "db", None)
    guardian: Guardian | None = getattr(request.state, "guardian", None)
    thread = values.get("thread")
    if session is None or guardian is None or not guardian.can_moderate():
        return ""
    if not isinstance(thread, Thread):
        return ""
    replies = canned.list_replies(session, guardian, language=thread.language)
    html = web.render(request, "moderation/_canned_menu.html", replies=replies, thread=thread)
    return bytes(html.body).decode()


def register_slots() -> None:
    web.add_slot("reply_form_top", "moderation.canned", canned_menu)
