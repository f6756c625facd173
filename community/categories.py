"""Categories: admins create, edit and delete them. A category has a description in each language
of the community (Italian and English); readers see the one in their language
(Category.description_in). Only an empty category can be deleted, and never the last one.
"""

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from community import events, listing, params, textrules
from community.clock import Clock
from community.errors import Conflict, Forbidden, Invalid, NotFound, Problems
from community.i18n import Plural
from community.models import (
    AdvocateCategory,
    Category,
    CategoryWatch,
    ReputationEntry,
    ReputationTally,
    Thread,
)
from community.policy import Guardian, ensure_signed_in

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
MAX_NAME_CHARS = 80
MAX_DESCRIPTION_CHARS = 500
MAX_POSITION = 10_000

# What other packages keep about a category, cleared in the deleting transaction before the row
# goes (the core never imports them): moderation registers its service-level target and care rows.
CategoryCleanup = Callable[[Session, Category, datetime], None]
before_delete: list[CategoryCleanup] = []


def ensure_can_manage(guardian: Guardian) -> None:
    """Admins only: anyone else is refused, and someone signed out is asked to sign in."""
    if guardian.can_manage_categories():
        return
    ensure_signed_in(guardian)
    raise Forbidden("Only administrators can manage categories.")


def for_admin(session: Session, guardian: Guardian) -> list[Category]:
    """Every category, in the editor's order: by position, then by name."""
    ensure_can_manage(guardian)
    return listing.list_categories(session)


def by_slug(session: Session, slug: str) -> Category | None:
    """The category at ``slug``, if any. An address no category can have is not looked up
    (PostgreSQL refuses a NUL, for one)."""
    if not SLUG_PATTERN.match(slug):
        return None
    return session.exec(select(Category).where(col(Category.slug) == slug)).first()


def get_for_admin(session: Session, guardian: Guardian, slug: str) -> Category:
    ensure_can_manage(guardian)
    category = by_slug(session, slug)
    if category is None:
        raise NotFound("There is no such category.")
    return category


def create_category(
    session: Session,
    guardian: Guardian,
    *,
    slug: str,
    name: str,
    description_it: str = "",
    description_en: str = "",
    position: int | str = 0,
    clock: Clock,
) -> Category:
    """``position`` may be a form's text; every field's problem is raised at once (Problems)."""
    ensure_can_manage(guardian)
    category = Category.model_validate(
        _cleaned(
            session,
            None,
            slug=slug,
            name=name,
            description_it=description_it,
            description_en=description_en,
            position=position,
        )
    )
    session.add(category)
    _flush_or_taken(session)
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
    position: int | str | None = None,
    clock: Clock,
) -> Category:
    """Change the given fields; ``None`` leaves a field as it is. Nothing changes unless every
    given field is valid."""
    ensure_can_manage(guardian)
    changes = _cleaned(
        session,
        category,
        slug=slug,
        name=name,
        description_it=description_it,
        description_en=description_en,
        position=position,
    )
    before = _fields(category)
    for field, value in changes.items():
        setattr(category, field, value)
    if _fields(category) == before:
        return category  # nothing to record: the audit log lists changes
    session.add(category)
    _flush_or_taken(session)
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


def delete_category(
    session: Session, guardian: Guardian, category: Category, *, clock: Clock
) -> None:
    """Delete an empty category (``refusal_to_delete`` says when it may not be). Threads merged
    away from it, the community's rows that name it and, through ``before_delete``, other
    packages' rows go in the same transaction."""
    ensure_can_manage(guardian)
    # Every category, locked: two admins deleting the last two at once, or a thread started here
    # meanwhile, wait for this transaction instead of slipping past the checks.
    ids = session.exec(select(Category.id).order_by(col(Category.id)).with_for_update()).all()
    if category.id not in ids:
        raise NotFound("There is no such category.")
    refusal = refusal_to_delete(session, category)
    if refusal is not None:
        raise refusal
    now = clock.now()
    _carry_merged_away(session, category)
    _forget(session, category)
    for cleanup in before_delete:
        cleanup(session, category, now)
    before = _fields(category)
    session.delete(category)
    events.record(
        session,
        "category_deleted",
        at=now,
        category_id=category.id,
        by_id=guardian.user.id if guardian.user else None,
        before=before,
    )
    session.commit()


def hold_against_delete(session: Session, *held: Category) -> None:
    """Keep the ``held`` categories from being deleted until this transaction ends, for a thread
    about to name one (PostgreSQL: a delete under way is waited for); one deleted meanwhile is a
    problem with the form's category field. Key-share locks let other posters update the
    counters meanwhile; they are taken in the order of ids, as the delete takes its own, so the
    two never wait for each other."""
    ids = sorted({category.id for category in held if category.id is not None})
    query = (
        select(col(Category.id))
        .where(col(Category.id).in_(ids))
        .order_by(col(Category.id))
        .with_for_update(read=True, key_share=True)
    )
    if len(session.exec(query).all()) < len(ids):
        raise Invalid("This category no longer exists. Choose another one.", field="category")


def refusal_to_delete(session: Session, category: Category) -> Conflict | None:
    """Why ``category`` may not be deleted now, or None: threads still name it (``thread_count``;
    moderators move them first, to a new category if this is the only one), or it is the last
    one (a community needs one to post in)."""
    threads = thread_count(session, category)
    if threads:
        return Conflict(
            Plural(
                "This category still has %(num)s thread. Move it to another category first.",
                "This category still has %(num)s threads. Move them to another category first.",
                threads,
            )
        )
    if session.exec(select(func.count(col(Category.id)))).one() <= 1:
        return Conflict("This is the only category: the community needs one to post in.")
    return None


def thread_count(session: Session, category: Category) -> int:
    """The threads that keep ``category`` from being deleted: every one that names it, hidden,
    held and deleted ones included, but not those merged into another thread (the edit page
    shows this number)."""
    query = select(func.count(col(Thread.id))).where(
        col(Thread.category_id) == category.id, col(Thread.merged_into_id).is_(None)
    )
    return int(session.exec(query).one())


def _carry_merged_away(session: Session, category: Category) -> None:
    """A thread merged into another is only an address that leads there (it has no posts left,
    and a moderator cannot move it): it follows the thread it ended up in to its category."""
    merged = session.exec(
        select(Thread).where(
            col(Thread.category_id) == category.id, col(Thread.merged_into_id).is_not(None)
        )
    ).all()
    for thread in merged:
        into = thread
        while into.merged_into_id is not None:
            found = session.get(Thread, into.merged_into_id)
            assert found is not None  # a foreign key
            into = found
        thread.category_id = into.category_id
        session.add(thread)
    session.flush()


def _forget(session: Session, category: Category) -> None:
    """The community's own rows that name the category: advocates no longer look after it, nobody
    watches it, its reputation points stay in everyone's totals but leave its leaderboard."""
    session.execute(
        delete(AdvocateCategory).where(col(AdvocateCategory.category_id) == category.id)
    )
    session.execute(delete(CategoryWatch).where(col(CategoryWatch.category_id) == category.id))
    session.execute(
        update(ReputationEntry)
        .where(col(ReputationEntry.category_id) == category.id)
        .values(category_id=None)
    )
    session.execute(delete(ReputationTally).where(col(ReputationTally.category_id) == category.id))


def _flush_or_taken(session: Session) -> None:
    """Write the row; another admin taking the same address at the same moment is a Conflict on
    the address (the unique constraint decides), not a server error."""
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise _address_taken() from None


def _address_taken() -> Conflict:
    return Conflict("A category with this address already exists.", field="slug")


def _fields(category: Category) -> dict[str, object]:
    """What an admin sets on a category, as its events carry it (moderation's audit log)."""
    return {
        "slug": category.slug,
        "name": category.name,
        "description_it": category.description_it,
        "description_en": category.description_en,
        "position": category.position,
    }


def _cleaned(
    session: Session,
    category: Category | None,
    *,
    slug: str | None,
    name: str | None,
    description_it: str | None,
    description_en: str | None,
    position: int | str | None,
) -> dict[str, str | int]:
    """The given fields (None: not given) as they are stored, for a new category or ``category``;
    Invalid or Conflict carrying every field's problem."""
    problems = Problems()
    check = problems.check
    cleaned: dict[str, str | int | None] = {
        "name": None if name is None else check(lambda: _valid_name(name)),
        "slug": None if slug is None else check(lambda: _valid_slug(slug)),
        "description_it": None
        if description_it is None
        else check(lambda: _valid_description(description_it, field="description_it")),
        "description_en": None
        if description_en is None
        else check(lambda: _valid_description(description_en, field="description_en")),
        "position": None if position is None else check(lambda: _valid_position(position)),
    }
    # Last, so that an invalid field, not a taken address, gives the answer's status (422).
    new_slug = cleaned["slug"]
    if isinstance(new_slug, str):
        problems.check(lambda: _ensure_free(session, new_slug, category))
    problems.raise_any()
    return {field: value for field, value in cleaned.items() if value is not None}


def _valid_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise Invalid(
            "A category's address uses lower-case letters, digits and dashes, at most 60.",
            field="slug",
        )
    return slug


def _ensure_free(session: Session, slug: str, category: Category | None) -> None:
    """No other category has ``slug`` (``category`` keeping its own is fine)."""
    query = select(Category.id).where(col(Category.slug) == slug)
    if category is not None:
        query = query.where(col(Category.id) != category.id)
    if session.exec(query).first() is not None:
        raise _address_taken()


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


def _valid_position(position: int | str) -> int:
    """A whole number from 0 to MAX_POSITION; a form sends it as text."""
    if isinstance(position, str):
        number = params.parse_number(position, low=0, high=MAX_POSITION)
    else:
        number = position if 0 <= position <= MAX_POSITION else None
    if number is None:
        raise Invalid(
            "The position is a whole number from 0 to %(max)s.",
            field="position",
            max=MAX_POSITION,
        )
    return number
