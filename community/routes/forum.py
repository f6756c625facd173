"""The thread page and everything done on it: ask, read, reply, edit, delete, kudos, solutions.

Forms work with JavaScript off (303 after POST, the form again with its errors otherwise); htmx
requests get the partials the page itself includes, plus out-of-band swaps for what else changed.
"""

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from community import duplicates, kudos, listing, params, posting, solutions, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import Conflict, Invalid, RateLimited
from community.i18n import N_
from community.models import Category, Post, Thread, User, Watch
from community.params import FormStr, PageQuery, PostId, ThreadId
from community.policy import Guardian, ensure, ensure_signed_in

router = APIRouter()

# What the reply form shows again when a reply is refused.
ReplyState = tuple[str, str]
ReplyQuery = Annotated[str, Query(max_length=20_000)]
EDIT_SAVED = N_("Edit saved.")


# Ask a question -------------------------------------------------------------------------------


@router.get("/t/new")
def new_thread_page(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    category: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    if not guardian.is_authenticated:
        next_path = "/t/new" + (f"?category={quote(category)}" if category else "")
        return web.login_redirect(request, next_path)
    guardian.ensure_not_suspended()
    ensure(guardian.can_create_thread(), "Your account cannot start threads.")
    values = {"category": category, "title": "", "body": "", "tags": ""}
    return _render_new_thread(request, session, values=values, errors={})


@router.post("/t/new")
def create_thread(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    category: FormStr = "",
    title: FormStr = "",
    body: FormStr = "",
    tags: FormStr = "",
) -> Response:
    ensure_signed_in(guardian)
    values = {"category": category, "title": title, "body": body, "tags": tags}
    # Check every field first, so the form shows all its problems at once.
    errors = _field_errors(
        request,
        lambda: posting.category_by_slug(session, category),
        lambda: posting.validate_title(title),
        lambda: posting.validate_question(body),
        lambda: posting.normalize_tags([tags]),
    )
    if errors:
        return _render_new_thread(request, session, values=values, errors=errors, status_code=422)
    try:
        thread = posting.create_thread(
            session,
            guardian,
            category=posting.category_by_slug(session, category),
            title=title,
            body=body,
            tags=[tags],
            clock=clock,
        )
    except (Invalid, RateLimited) as exc:
        return _render_new_thread(
            request,
            session,
            values=values,
            errors=web.form_errors(request, exc),
            status_code=exc.status_code,
        )
    return web.redirect(f"/t/{thread.id}")


# Read -----------------------------------------------------------------------------------------


@router.get("/t/{thread_id}")
def thread_page(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    page: PageQuery = 1,
    reply: ReplyQuery = "",
) -> Response:
    """``reply`` pre-fills the reply box (a canned reply picked without JavaScript)."""
    thread = posting.get_thread(session, guardian, thread_id)
    if thread.merged_into_id is not None:  # merged: its posts live on in the other thread
        return RedirectResponse(f"/t/{thread.merged_into_id}", status_code=301)
    view = posting.load_thread_page(session, guardian, thread, page=page)
    if not web.is_htmx(request):
        posting.record_view(session, thread)
    return _render_thread(request, session, guardian, view, reply=(reply, ""))


@router.get("/t/{thread_id}/{slug}")
def thread_page_with_slug(
    request: Request,
    thread_id: ThreadId,
    slug: Annotated[str, Path(max_length=200)],  # noqa: ARG001 (decoration only)
    session: SessionDep,
    guardian: GuardianDep,
    page: PageQuery = 1,
) -> Response:
    """Pretty URLs (/t/12/my-fibre-drops): the slug is decoration, the id decides."""
    return thread_page(request, thread_id, session, guardian, page)


@router.get("/p/{post_id}")
def post_link(post_id: PostId, session: SessionDep, guardian: GuardianDep) -> Response:
    """A stable link to one post: the page of its thread that shows it."""
    return web.redirect(posting.post_url(posting.get_post(session, guardian, post_id)))


# Reply ----------------------------------------------------------------------------------------


@router.post("/t/{thread_id}/posts")
def reply(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    body: FormStr = "",
    page: FormStr = "",
    confirm: FormStr = "",
) -> Response:
    thread = posting.get_thread(session, guardian, thread_id)
    try:
        post = posting.reply_to_thread(
            session, guardian, thread, body=body, clock=clock, confirmed=bool(confirm)
        )
    except (Invalid, RateLimited, Conflict) as exc:
        message = web.error_message(request, exc)
        # A reply check asks first (e.g. "Claimed by X — reply anyway?"): the form asks to confirm.
        ask = exc.field == "confirm"
        if web.is_htmx(request):
            return web.render(
                request,
                "community/_reply_form.html",
                status_code=exc.status_code,
                thread=thread,
                page=page,
                reply_body=body,
                reply_error=message,
                reply_confirm=ask,
            )
        view = posting.load_thread_page(session, guardian, thread, page=None)
        return _render_thread(
            request,
            session,
            guardian,
            view,
            status_code=exc.status_code,
            reply=(body, message),
            reply_confirm=ask,
        )
    if not web.is_htmx(request):
        return web.redirect(posting.post_url(post))
    if str(posting.page_of(post.post_number)) != (page or "1"):
        return Response(status_code=204, headers={"HX-Redirect": posting.post_url(post)})
    session.refresh(thread)
    form = _fragment(request, "community/_reply_form.html", thread=thread, page=page)
    new_post = _post_fragment(request, session, guardian, thread, post)
    return HTMLResponse(
        form + f'<div hx-swap-oob="beforeend:#replies">{new_post}</div>',
        headers={"HX-Trigger": "post-created"},
    )


# Edit and history -----------------------------------------------------------------------------


@router.get("/p/{post_id}/edit")
def edit_page(
    request: Request, post_id: PostId, session: SessionDep, guardian: GuardianDep
) -> Response:
    post = posting.get_post(session, guardian, post_id)
    if not guardian.is_authenticated:
        return web.login_redirect(request, f"/p/{post_id}/edit")
    thread = _thread(session, post)
    ensure(_may_edit(guardian, post, thread), "You can only edit your own posts.")
    values = {"body": post.body, "title": thread.title, "tags": thread.tags}
    return _render_edit(request, session, post, thread, values=values, errors={})


@router.post("/p/{post_id}/edit")
def edit(
    request: Request,
    post_id: PostId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    body: FormStr = "",
    title: FormStr = "",
    tags: FormStr = "",
) -> Response:
    post = posting.get_post(session, guardian, post_id)
    ensure_signed_in(guardian)
    thread = _thread(session, post)
    ensure(_may_edit(guardian, post, thread), "You can only edit your own posts.")
    if not guardian.can_edit_post(post):
        body = post.body  # title and tags only: the text stays the author's
    values = {"body": body, "title": title, "tags": tags}
    checks: list[Callable[[], object]] = [lambda: posting.validate_edit(post, body)]
    if post.is_question:
        checks += [lambda: posting.validate_title(title), lambda: posting.normalize_tags([tags])]
    errors = _field_errors(request, *checks)
    if not errors:
        try:
            posting.edit_post(
                session,
                guardian,
                post,
                body=body,
                title=title if post.is_question else None,
                tags=[tags] if post.is_question else None,
                clock=clock,
            )
        except Invalid as exc:
            errors = web.form_errors(request, exc)
    if errors:
        return _render_edit(
            request, session, post, thread, values=values, errors=errors, status_code=422
        )
    web.flash(request, EDIT_SAVED)
    return web.redirect(posting.post_url(post))


@router.get("/p/{post_id}/revisions")
def revisions_page(
    request: Request, post_id: PostId, session: SessionDep, guardian: GuardianDep
) -> Response:
    post = posting.get_post(session, guardian, post_id)
    versions = posting.post_versions(session, guardian, post)
    return web.render(
        request,
        "community/revisions.html",
        post=post,
        thread=_thread(session, post),
        versions=versions,
        post_url=posting.post_url(post),
    )


# Delete ---------------------------------------------------------------------------------------


@router.post("/p/{post_id}/delete")
def delete(
    request: Request, post_id: PostId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> Response:
    post = posting.get_post(session, guardian, post_id)
    posting.delete_post(session, guardian, post, clock=clock)
    thread = _thread(session, post)
    session.refresh(thread)
    if post.is_question:
        # The thread is gone for everyone but moderators.
        target = (
            f"/t/{thread.id}" if guardian.can_see_thread(thread) else _category_url(session, thread)
        )
        if web.is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return web.redirect(target)
    if not web.is_htmx(request):
        return web.redirect(posting.post_url(post))
    return HTMLResponse(
        _post_fragment(request, session, guardian, thread, post)
        + _solution_fragments(request, session, guardian, thread, oob=True)
    )


# Kudos ----------------------------------------------------------------------------------------


@router.post("/p/{post_id}/kudos")
def toggle_kudos(
    request: Request, post_id: PostId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> Response:
    post = posting.get_post(session, guardian, post_id)
    kudos.toggle_kudos(session, guardian, post, clock=clock)
    if not web.is_htmx(request):
        return web.redirect(posting.post_url(post))
    session.refresh(post)
    item = posting.post_view(session, guardian, post)
    thread = _thread(session, post)
    session.refresh(thread)
    return HTMLResponse(
        _fragment(request, "community/_kudos_button.html", item=item)
        # the thread header's total changes with it
        + _fragment(request, "community/_thread_kudos.html", thread=thread, oob=True)
    )


# Solutions ------------------------------------------------------------------------------------


@router.post("/t/{thread_id}/solution")
def accept_solution(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    post_id: FormStr = "",
) -> Response:
    thread = posting.get_thread(session, guardian, thread_id)
    number = params.parse_number(post_id)
    if number is None:
        raise Invalid("Choose the reply that solved the thread.", field="post_id")
    post = posting.get_post(session, guardian, number)
    previous = solutions.solution_post_id(session, thread)
    solutions.accept_solution(session, guardian, thread, post, clock=clock)
    return _after_solution_change(request, session, guardian, thread, changed=[previous, post.id])


@router.post("/t/{thread_id}/solution/delete")
def unmark_solution(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> Response:
    thread = posting.get_thread(session, guardian, thread_id)
    previous = solutions.solution_post_id(session, thread)
    solutions.unmark_solution(session, guardian, thread, clock=clock)
    return _after_solution_change(request, session, guardian, thread, changed=[previous])


# Duplicates -----------------------------------------------------------------------------------


@router.post("/t/{thread_id}/duplicate")
def mark_duplicate(
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    original: FormStr = "",
) -> Response:
    thread = posting.get_thread(session, guardian, thread_id)
    target = posting.get_thread(session, guardian, duplicates.parse_reference(original))
    duplicates.mark_duplicate(session, guardian, thread, target, clock=clock)
    return web.redirect(f"/t/{thread.id}")


@router.post("/t/{thread_id}/duplicate/delete")
def unmark_duplicate(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> Response:
    thread = posting.get_thread(session, guardian, thread_id)
    duplicates.unmark_duplicate(session, guardian, thread, clock=clock)
    return web.redirect(f"/t/{thread.id}")


# Helpers --------------------------------------------------------------------------------------


def _render_thread(
    request: Request,
    session: Session,
    guardian: Guardian,
    view: posting.ThreadPage,
    *,
    status_code: int = 200,
    reply: ReplyState = ("", ""),
    reply_confirm: bool = False,
) -> Response:
    thread = view.thread
    return web.render(
        request,
        "community/thread.html",
        status_code=status_code,
        view=view,
        thread=thread,
        page=view.page,
        solution=view.solution,
        watching=_is_watching(session, guardian, thread),
        # For the moderator tools' "move to" menu (templates/moderation/_thread_tools.html).
        categories=listing.list_categories(session) if guardian.can_moderate() else [],
        reply_body=reply[0],
        reply_error=reply[1],
        reply_confirm=reply_confirm,
        duplicate_of=_duplicate_of(session, guardian, thread),
    )


def _duplicate_of(session: Session, guardian: Guardian, thread: Thread) -> Thread | None:
    """The thread this one duplicates, when the reader may see it."""
    if thread.duplicate_of_id is None:
        return None
    original = session.get(Thread, thread.duplicate_of_id)
    if original is None or original.is_deleted or not guardian.can_see_thread(original):
        return None
    return original


def _render_new_thread(
    request: Request,
    session: Session,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "community/new_thread.html",
        status_code=status_code,
        categories=listing.list_categories(session),
        values=values,
        errors=errors,
    )


def _may_edit(guardian: Guardian, post: Post, thread: Thread) -> bool:
    return guardian.can_edit_post(post) or guardian.can_edit_title_and_tags(post, thread)


def _render_edit(
    request: Request,
    session: Session,
    post: Post,
    thread: Thread,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return web.render(
        request,
        "community/edit_post.html",
        status_code=status_code,
        post=post,
        author=session.get(User, post.author_id),
        thread=thread,
        values=values,
        errors=errors,
        post_url=posting.post_url(post),
    )


def _after_solution_change(
    request: Request,
    session: Session,
    guardian: Guardian,
    thread: Thread,
    *,
    changed: list[int | None],
) -> Response:
    if not web.is_htmx(request):
        return web.redirect(f"/t/{thread.id}#solution-box")
    session.refresh(thread)
    parts = [_solution_fragments(request, session, guardian, thread, oob=False)]
    for post_id in dict.fromkeys(changed):
        post = session.get(Post, post_id) if post_id is not None else None
        if post is not None:
            parts.append(_post_fragment(request, session, guardian, thread, post, oob=True))
    return HTMLResponse("".join(parts))


def _solution_fragments(
    request: Request, session: Session, guardian: Guardian, thread: Thread, *, oob: bool
) -> str:
    """The solution box and the thread's solved chip (the chip always out of band)."""
    post_id = solutions.solution_post_id(session, thread)
    post = session.get(Post, post_id) if post_id is not None else None
    solution = posting.post_view(session, guardian, post) if post is not None else None
    box = _fragment(request, "community/_solution.html", thread=thread, solution=solution, oob=oob)
    status = _fragment(request, "community/_thread_status.html", thread=thread, oob=True)
    return box + status


def _post_fragment(
    request: Request,
    session: Session,
    guardian: Guardian,
    thread: Thread,
    post: Post,
    *,
    oob: bool = False,
) -> str:
    item = posting.post_view(session, guardian, post)
    return _fragment(request, "community/_post.html", item=item, thread=thread, oob=oob)


def _fragment(request: Request, name: str, **context: Any) -> str:
    return bytes(web.render(request, name, **context).body).decode()


def _thread(session: Session, post: Post) -> Thread:
    thread = session.get(Thread, post.thread_id)
    assert thread is not None
    return thread


def _is_watching(session: Session, guardian: Guardian, thread: Thread) -> bool:
    """For the watch button (community/_watch_button.html, owned by notifications)."""
    if guardian.user is None:
        return False
    watch = session.get(Watch, (guardian.user.id, thread.id))
    return watch is not None and watch.watching


def _category_url(session: Session, thread: Thread) -> str:
    category = session.get(Category, thread.category_id)
    return f"/c/{category.slug}" if category is not None else "/"


def _field_errors(request: Request, *checks: Callable[[], object]) -> dict[str, str]:
    """Run each check; the first problem of each field, translated."""
    errors: dict[str, str] = {}
    for check in checks:
        try:
            check()
        except Invalid as exc:
            errors.setdefault(exc.field or web.FORM_ERROR, web.error_message(request, exc))
    return errors
