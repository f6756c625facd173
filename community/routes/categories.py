"""The administrators' category editor: /admin/categories lists them, with a form to create one
and one to edit each (name, address, a description per language, position). The edit page also
deletes an empty category once its box is ticked, or says why it cannot."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from community import categories, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import Conflict, Invalid
from community.i18n import N_
from community.models import Category
from community.params import FormStr

router = APIRouter()

LIST_URL = "/admin/categories"
SAVED = N_("Category saved.")
DELETED = N_("Category “%(name)s” deleted.")


def _category_form(
    name: FormStr = "",
    slug: FormStr = "",
    description_it: FormStr = "",
    description_en: FormStr = "",
    position: FormStr = "",
) -> dict[str, str]:
    """The fields of the new and edit forms, as typed (the service validates them)."""
    return {
        "name": name,
        "slug": slug,
        "description_it": description_it,
        "description_en": description_en,
        "position": position,
    }


CategoryForm = Annotated[dict[str, str], Depends(_category_form)]


@router.get(LIST_URL)
def category_list(request: Request, session: SessionDep, guardian: GuardianDep) -> Response:
    return web.render(
        request,
        "community/categories_admin.html",
        categories=categories.for_admin(session, guardian),
    )


@router.get(LIST_URL + "/new")
def new_category_page(request: Request, guardian: GuardianDep) -> Response:
    categories.ensure_can_manage(guardian)
    return _render_form(request, values={"position": "0"}, errors={})


@router.post(LIST_URL + "/new")
def create_category(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    values: CategoryForm,
) -> Response:
    try:
        categories.create_category(session, guardian, **values, clock=clock)
    except (Invalid, Conflict) as exc:
        errors = web.form_errors(request, exc)
        return _render_form(request, values=values, errors=errors, status_code=422)
    web.flash(request, SAVED)
    return web.redirect(LIST_URL)


@router.get(LIST_URL + "/{category_slug}/edit")
def edit_category_page(
    request: Request, category_slug: str, session: SessionDep, guardian: GuardianDep
) -> Response:
    category = categories.get_for_admin(session, guardian, category_slug)
    return render_edit(request, session, category, values=values_of(category), errors={})


@router.post(LIST_URL + "/{category_slug}/edit")
def update_category(
    request: Request,
    category_slug: str,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    values: CategoryForm,
) -> Response:
    category = categories.get_for_admin(session, guardian, category_slug)
    try:
        categories.update_category(session, guardian, category, **values, clock=clock)
    except (Invalid, Conflict) as exc:
        errors = web.form_errors(request, exc)
        return render_edit(
            request, session, category, values=values, errors=errors, status_code=422
        )
    web.flash(request, SAVED)
    return web.redirect(LIST_URL)


@router.post(LIST_URL + "/{category_slug}/delete")
def delete_category(
    request: Request,
    category_slug: str,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    confirm: FormStr = "",
) -> Response:
    category = categories.get_for_admin(session, guardian, category_slug)
    values = values_of(category)
    if not confirm:
        unticked = Invalid("Tick the box to confirm deleting the category.", field="confirm")
        errors = web.form_errors(request, unticked)
        return render_edit(
            request, session, category, values=values, errors=errors, status_code=422
        )
    try:
        categories.delete_category(session, guardian, category, clock=clock)
    except Conflict as exc:
        # Said in the page's delete section, where the delete form was.
        errors = {"delete": web.error_message(request, exc)}
        return render_edit(
            request, session, category, values=values, errors=errors, status_code=409
        )
    web.flash(request, DELETED, name=category.name)
    return web.redirect(LIST_URL)


def values_of(category: Category) -> dict[str, str]:
    return {
        "name": category.name,
        "slug": category.slug,
        "description_it": category.description_it,
        "description_en": category.description_en,
        "position": str(category.position),
    }


def render_edit(
    request: Request,
    session: Session,
    category: Category,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    """The edit form, and below it either the delete form or why the category cannot go (with
    what other packages put in the ``category_threads`` slot: moderation shows it again with the
    errors of its form there)."""
    refusal = categories.refusal_to_delete(session, category)
    return _render_form(
        request,
        values=values,
        errors=errors,
        status_code=status_code,
        category=category,
        delete_refusal=web.error_message(request, refusal) if refusal else None,
        threads=categories.thread_count(session, category),
    )


def _render_form(
    request: Request,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    category: Category | None = None,
    **context: object,
) -> Response:
    """The form for a new category (``category`` None) or for editing ``category``."""
    return web.render(
        request,
        "community/category_form.html",
        status_code=status_code,
        category=category,
        values=values,
        errors=errors,
        max_name=categories.MAX_NAME_CHARS,
        max_description=categories.MAX_DESCRIPTION_CHARS,
        max_position=categories.MAX_POSITION,
        **context,
    )
