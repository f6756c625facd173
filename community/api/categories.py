"""The category editor in JSON, for admins: create a category, change some of its fields, delete
an empty one."""

from fastapi import APIRouter, Depends, Request, Response

from community import categories, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.schemas import CategoryCreate, CategoryPublic, CategoryUpdate

router = APIRouter(tags=["categories"])


def _admin_only(guardian: GuardianDep) -> None:
    # Before the body is validated: whoever may not manage categories learns only that.
    categories.ensure_can_manage(guardian)


@router.post(
    "/categories",
    status_code=201,
    response_model=CategoryPublic,
    dependencies=[Depends(_admin_only)],
)
def create_category(
    request: Request,
    payload: CategoryCreate,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> CategoryPublic:
    """A new category (admins). 409 when another category has the address."""
    category = categories.create_category(
        session,
        guardian,
        name=payload.name,
        slug=payload.slug,
        description_it=payload.description_it,
        description_en=payload.description_en,
        position=payload.position,
        clock=clock,
    )
    return CategoryPublic.of(category, web.language_of(request))


@router.patch(
    "/categories/{slug}", response_model=CategoryPublic, dependencies=[Depends(_admin_only)]
)
def update_category(
    request: Request,
    slug: str,
    payload: CategoryUpdate,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> CategoryPublic:
    """Change the fields given (admins); a new slug moves the category to its new address."""
    category = categories.get_for_admin(session, guardian, slug)
    category = categories.update_category(
        session,
        guardian,
        category,
        name=payload.name,
        slug=payload.slug,
        description_it=payload.description_it,
        description_en=payload.description_en,
        position=payload.position,
        clock=clock,
    )
    return CategoryPublic.of(category, web.language_of(request))


@router.delete("/categories/{slug}", status_code=204, dependencies=[Depends(_admin_only)])
def delete_category(
    slug: str, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> Response:
    """Delete an empty category (admins). 409 while threads are in it (hidden and deleted ones
    too) or when it is the last one."""
    category = categories.get_for_admin(session, guardian, slug)
    categories.delete_category(session, guardian, category, clock=clock)
    return Response(status_code=204)
