"""The form that moves every thread of a category to another (moderation.bulk_move), on the
category's edit page: the page is community's (admins only), so the form reaches it through the
``category_threads`` slot and posts here.

A move is answered with a 303 back to the edit page, where the delete is now offered, and a flash
message saying how many threads went where. A refused one (no target, the same category, one
deleted meanwhile, the box not ticked) shows the edit page again with the message next to its
field and the choices kept (422). Like the page, the form is for admins: others get 403, and
anonymous readers 401.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from community import categories, listing, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import Invalid, NotFound
from community.i18n import N_, Plural
from community.models import Category
from community.params import FormStr
from community.policy import Guardian
from community.routes import categories as category_pages
from moderation import bulk_move

router = APIRouter()

TARGET = "move_to"
CONFIRM = "move_confirm"
NOTHING_LEFT = N_("There were no threads left to move.")


@router.post("/mod/categories/{category_slug}/move-threads")
def move_threads(
    request: Request,
    category_slug: str,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    to: FormStr = "",
    confirm: FormStr = "",
) -> Response:
    source = categories.get_for_admin(session, guardian, category_slug)
    errors: dict[str, str] = {}
    if not confirm:
        unticked = Invalid("Tick the box to confirm moving the threads.", field=CONFIRM)
        errors[CONFIRM] = web.error_message(request, unticked)
    try:
        if not to.strip():
            raise Invalid("Choose the category to move the threads to.", field=TARGET)
        target = bulk_move.find_category(session, to)
        if not errors:
            moved = bulk_move.move_all_threads(session, guardian, source, target, clock=clock)
            _confirm(request, moved, target)
            return web.redirect(f"{category_pages.LIST_URL}/{source.slug}/edit")
    except (Invalid, NotFound) as exc:
        session.rollback()
        errors[TARGET] = web.error_message(request, exc)
    # Refused: every problem is named by its field, and nothing moved.
    values = {**category_pages.values_of(source), TARGET: to, CONFIRM: confirm}
    return category_pages.render_edit(
        request, session, source, values=values, errors=errors, status_code=422
    )


def _confirm(request: Request, moved: int, target: Category) -> None:
    if not moved:  # another admin moved them first
        web.flash(request, NOTHING_LEFT)
        return
    done = Plural(
        "Moved %(num)s thread to %(category)s.", "Moved %(num)s threads to %(category)s.", moved
    )
    web.flash(request, done, category=target.name)


def move_form(request: Request, context: dict[str, Any]) -> str:
    """In the edit page's delete section, while threads keep the category: move them all."""
    session: Session | None = getattr(request.state, "db", None)
    guardian: Guardian | None = getattr(request.state, "guardian", None)
    category, threads = context.get("category"), context.get("threads")
    if session is None or guardian is None or not guardian.can_moderate():
        return ""
    if not isinstance(category, Category) or not isinstance(threads, int) or not threads:
        return ""
    others = [c for c in listing.list_categories(session) if c.id != category.id]
    page = web.render(
        request,
        "moderation/_move_all_threads.html",
        category=category,
        threads=threads,
        others=others,
        values=context.get("values") or {},
        errors=context.get("errors") or {},
    )
    return bytes(page.body).decode()


def register_slots() -> None:
    web.add_slot("category_threads", "moderation.bulk_move", move_form)
