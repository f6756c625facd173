"""Deleting an account (GDPR art. 17): the member's personal data goes, what they wrote stays.

A support forum's answers keep helping after their author leaves, and other members' replies,
kudos and accepted solutions point at them, so (as on Stack Exchange and Discourse) the posts
stay, signed with a pseudonym (``anon_<id>``). Everything that identifies the person or that
only served them goes in one transaction: name, email address, password, language, time zone,
sessions, API tokens, pending links, followed threads and categories, bookmarks, notifications,
advocate duties, the images they uploaded that no live post shows (rows, then files once
committed), and the addresses carried by their old outbox events. The row stays (posts, kudos
and cases point at it) with ``erased_at`` set, and can never sign in again.

Members delete their own account after typing their password; an administrator deletes a
member's or moderator's (never another administrator's) after typing the username. Other parts
of the product let go of what they keep about the person through ``before_erase`` (moderation
releases their claims and closes their cases; search forgets their suggestion clicks).
"""

import json
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from community import events, posting, uploads
from community.clock import Clock
from community.db import take_write_lock
from community.errors import Conflict, Forbidden, Invalid, RateLimited
from community.events import OutboxEvent
from community.models import (
    AdvocateCategory,
    ApiToken,
    Bookmark,
    CategoryWatch,
    EmailConfirmation,
    Notification,
    PasswordResetToken,
    Post,
    Role,
    User,
    Watch,
)
from community.policy import Guardian, ensure
from community.security import rate_limiter, verify_password
from community.upload_storage import StoredName

PSEUDONYM_PREFIX = "anon_"
ATTEMPTS_PER_HOUR = 10
# Outbox events that carry an address in their payload, and the keys that hold it.
_ADDRESS_EVENTS = {"email_confirmation_requested": "email", "email_changed": "old_email"}

Cleanup = Callable[[Session, User, Guardian, datetime], None]
before_erase: list[Cleanup] = []
"""Steps of other packages, run in the erasing transaction before the account is wiped."""


def pseudonym(user_id: int) -> str:
    return f"{PSEUDONYM_PREFIX}{user_id}"


def is_reserved(username: str) -> bool:
    """Names of the ``anon_<id>`` form belong to deleted accounts; nobody may sign up as one."""
    return username.startswith(PSEUDONYM_PREFIX)


def was_erased(session: Session, username: str) -> bool:
    """Whether ``username`` is the pseudonym of a deleted account (its profile is gone)."""
    name = username.strip().lower()
    if not is_reserved(name):
        return False
    query = select(User.erased_at).where(col(User.username) == name)
    return session.exec(query).first() is not None


def erase(
    session: Session,
    guardian: Guardian,
    user: User,
    *,
    password: str = "",
    confirm_username: str = "",
    delete_posts: bool = False,
    clock: Clock,
) -> User:
    """Wipe ``user``'s personal data and close the account. A member proves it is them with
    ``password``; an administrator acting on someone else types their username, and may have
    every post of theirs deleted first (a spammer's)."""
    ensure(guardian.can_erase_account(user))
    assert user.id is not None
    if guardian.user is not None and guardian.user.id == user.id:
        _check_password(user, password)
    elif confirm_username.strip().lower() != user.username:
        raise Invalid(
            "Type the username %(username)s to confirm.",
            field="confirm_username",
            username=user.username,
        )
    if delete_posts:
        ensure(
            guardian.can_moderate() and guardian.user_id != user.id,
            "Only an administrator deletes someone's posts with their account.",
        )
        _delete_posts(session, guardian, user.id, clock=clock)
    session.rollback()
    take_write_lock(session)  # the last-administrator check and the wipe see the same accounts
    session.refresh(user)
    if user.erased_at is not None:
        raise Invalid("This account was deleted already.")
    if user.role == Role.admin and _other_admins(session, user) == 0:
        raise Forbidden(
            "You are the community's only administrator. Make someone else an administrator "
            "before deleting your account."
        )
    now = clock.now()
    for cleanup in before_erase:
        cleanup(session, user, guardian, now)
    unused_images = _forget(session, user.id)
    _scrub_outbox(session, user.id)
    _wipe(user, now)
    session.add(user)
    by_id = guardian.user.id if guardian.user is not None else None
    role = user.role
    events.record(session, "account_erased", at=now, user_id=user.id, by_id=by_id, role=role)
    session.commit()
    uploads.remove_files(session, unused_images)
    return user


def _delete_posts(session: Session, guardian: Guardian, user_id: int, *, clock: Clock) -> int:
    """Every live post of the member, as a moderator deletes them one by one (each with its
    counts, events and audit entry): replies first, then questions, which take their threads
    along. Each deletion is whole on its own; the account is wiped after the last."""
    query = (
        select(Post)
        .where(col(Post.author_id) == user_id, col(Post.deleted_at).is_(None))
        .order_by(col(Post.post_number) == 1, col(Post.id))
    )
    deleted = 0
    for post in session.exec(query).all():
        try:
            posting.delete_post(session, guardian, post, clock=clock)
        except Conflict:
            continue  # deleted meanwhile by someone else
        deleted += 1
    return deleted


def _check_password(user: User, password: str) -> None:
    if not rate_limiter.allow(f"erase:{user.id}", limit=ATTEMPTS_PER_HOUR, window_seconds=3600):
        raise RateLimited("Too many attempts. Please try again in an hour.")
    if not verify_password(user.password_hash, password):
        raise Invalid("Your password is not correct.", field="password")


def _other_admins(session: Session, user: User) -> int:
    """Active administrators besides ``user``, locked (PostgreSQL; SQLite's write lock is
    taken already): two of the last two deleting themselves at once leave one."""
    query = select(User.id).where(
        col(User.role) == Role.admin,
        col(User.is_active).is_(True),
    )
    admins = session.exec(query.order_by(col(User.id)).with_for_update()).all()
    return len([admin_id for admin_id in admins if admin_id != user.id])


def _forget(session: Session, user_id: int) -> list[StoredName]:
    """Rows that only served the member: they mean nothing once nobody can sign in. Their
    uploads that no live post shows go too: the names of the files to delete after commit."""
    for table in (
        ApiToken,
        PasswordResetToken,
        EmailConfirmation,
        Watch,
        Notification,
        AdvocateCategory,
        Bookmark,
        CategoryWatch,
    ):
        session.execute(delete(table).where(col(table.user_id) == user_id))
    return uploads.forget_unused(session, user_id)


def _scrub_outbox(session: Session, user_id: int) -> None:
    """Old events keep their payload for the record; the addresses in them go."""
    rows = session.exec(select(OutboxEvent).where(col(OutboxEvent.name).in_(_ADDRESS_EVENTS)))
    for event in rows:
        data = event.data
        key = _ADDRESS_EVENTS[event.name]
        if data.get("user_id") == user_id and key in data:
            data[key] = None
            event.payload = json.dumps(data, default=str, sort_keys=True)
            session.add(event)


def _wipe(user: User, now: datetime) -> None:
    assert user.id is not None
    name = pseudonym(user.id)
    user.username = name
    user.display_name = name
    # A reserved domain (RFC 2606): unique like the column wants, and never deliverable.
    user.email = f"{name}@erased.invalid"
    user.email_verified_at = None
    user.email_notifications = False
    user.password_hash = "!"  # no Argon2 hash: nothing verifies against it
    user.session_epoch += 1
    user.language = None
    user.time_zone = None
    user.suspension_reason = None
    user.advocate_since = None
    user.is_active = False
    user.erased_at = now
