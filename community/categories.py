"""Categories: admins create and edit them. A category has a description in each language of the
community (Italian and English); readers see the one in their language (Category.description_in).
"""

import re

from sqlmodel import Session, select

from community import events, textrules
from community.clock import Clock
from community.errors import Conflict, Invalid
from community.models import Category
from community.policy import Guardian, ensure

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
MAX_NAME_CHARS = 80
MAX_DESCRIPTION_CHARS = 500


def create_category(
    session: Session,
    guardian: Guardian,
    *,
    slug: str,
    name: str,
    description_it: str = "",
    description_en: str = "",
    position: int = 0,
    clock: Clock,
) -> Category:
    ensure(guardian.can_manage_categories(), "Only administrators can manage categories.")
    category = Category(
        slug=_valid_slug(session, slug),
        name=_valid_name(name),
        description_it=_valid_description(description_it, field="description_it"),
        description_en=_valid_description(description_en, field="description_en"),
        position=position,
    )
    session.add(category)
    session.flush()
    events.record(
        session,
        "category_created",
        at=clock.now(),
        category_id=category.id,
        by_id=guardian.user.id if guardian.user else None,
        after=_fields(category),
    )
    session.commit()
    return category


def update_category(
    session: Session,
    guardian: Guardian,
    category: Category,
    *,
    slug: str | None = None,
    name: str | None = None,
    description_it: str | None = None,
    description_en: str | None = None,
    position: int | None = None,
    clock: Clock,
) -> Category:
    """Change the given fields; ``None`` leaves a field as it is."""
    ensure(guardian.can_manage_categories(), "Only administrators can manage categories.")
    before = _fields(category)
    if slug is not None and slug != category.slug:
        category.slug = _valid_slug(session, slug)
    if name is not None:
        category.name = _valid_name(name)
    if description_it is not None:
        category.description_it = _valid_description(description_it, field="description_it")
    if description_en is not None:
        category.description_en = _valid_description(description_en, field="description_en")
    if position is not None:
        category.position = position
    session.add(category)
    events.record(
        session,
        "category_updated",
        at=clock.now(),
        category_id=category.id,
        by_id=guardian.user.id if guardian.user else None,
        before=before,
        after=_fields(category),
    )
    session.commit()
    return category


def _fields(category: Category) -> dict[str, object]:
    """What an admin sets on a category, as its events carry it (moderation's audit log)."""
    return {
        "slug": category.slug,
        "name": category.name,
        "description_it": category.description_it,
        "description_en": category.description_en,
        "position": category.position,
    }


def _valid_slug(session: Session, slug: str) -> str:
    slug = slug.strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise Invalid(
            "A category's address uses lower-case letters, digits and dashes, at most 60.",
            field="slug",
        )
    if session.exec(select(Category.id).where(Category.slug == slug)).first() is not None:
        raise Conflict("A category with this address already exists.", field="slug")
    return slug


def _valid_name(name: str) -> str:
    name = " ".join(textrules.reject_control_characters(name, field="name").split())
    if not name:
        raise Invalid("A category needs a name.", field="name")
    if len(name) > MAX_NAME_CHARS:
        raise Invalid(
            "A category name can have at most %(count)s characters.",
            field="name",
            count=MAX_NAME_CHARS,
        )
    return name


def _valid_description(description: str, *, field: str) -> str:
    description = textrules.reject_control_characters(
        description, field=field, multiline=True
    ).strip()
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise Invalid(
            "A category description can have at most %(count)s characters.",
            field=field,
            count=MAX_DESCRIPTION_CHARS,
        )
    return description
