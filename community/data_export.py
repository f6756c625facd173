"""A member's copy of their data (GDPR, art. 15 and 20), from the settings page: one JSON file.

It holds what the community keeps about them and what they wrote: the account, every post (also
those hidden or deleted, which the community still keeps), the threads they started, kudos given,
badges, reputation history, bookmarks (with their notes), watched threads, notifications, the
images they uploaded (their addresses) and API tokens (their names, never the secrets). Other
parts of the product add their own sections (``add_section``): moderation adds the member's
private cases, without the brand's internal notes.
What other members wrote is not in it, nor what moderators recorded about the member beyond what
the member can see.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from community import uploads
from community.errors import RateLimited
from community.models import (
    ApiToken,
    BadgeAward,
    Bookmark,
    CategoryWatch,
    Kudos,
    Notification,
    Post,
    ReputationEntry,
    Thread,
    User,
    Watch,
)
from community.policy import Guardian, ensure
from community.security import rate_limiter

FORMAT = "peerdesk-member-data/1"
EXPORTS_PER_HOUR = 5

Section = Callable[[Session, User], list[dict[str, Any]]]
_sections: dict[str, Section] = {}


def add_section(name: str, provider: Section) -> None:
    """Another part of the product adds what it keeps about a member under ``name``."""
    _sections[name] = provider


def export(session: Session, guardian: Guardian, user: User, *, now: datetime) -> dict[str, Any]:
    ensure(guardian.can_edit_account(user))
    if not rate_limiter.allow(f"export:{user.id}", limit=EXPORTS_PER_HOUR, window_seconds=3600):
        raise RateLimited("You asked for your data several times already. Try again in an hour.")
    data: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": now.isoformat(),
        "account": _account(user),
        "threads": _threads(session, user),
        "posts": _posts(session, user),
        "kudos_given": _rows(session, Kudos, Kudos.user_id == user.id, "post_id", "created_at"),
        "badges": _rows(
            session, BadgeAward, BadgeAward.user_id == user.id, "badge", "post_id", "awarded_at"
        ),
        "reputation": _rows(
            session,
            ReputationEntry,
            ReputationEntry.user_id == user.id,
            "points",
            "reason",
            "post_id",
            "created_at",
        ),
        "bookmarks": _rows(
            session, Bookmark, Bookmark.user_id == user.id, "post_id", "note", "created_at"
        ),
        "watching": _rows(
            session, Watch, Watch.user_id == user.id, "thread_id", "watching", "created_at"
        ),
        "watched_categories": _rows(
            session,
            CategoryWatch,
            CategoryWatch.user_id == user.id,
            "category_id",
            "created_at",
        ),
        "notifications": _rows(
            session,
            Notification,
            Notification.user_id == user.id,
            "kind",
            "thread_id",
            "post_id",
            "created_at",
            "read_at",
        ),
        "uploads": _uploads(session, user),
        "api_tokens": _rows(
            session,
            ApiToken,
            ApiToken.user_id == user.id,
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "revoked_at",
        ),
    }
    for name, provider in _sections.items():
        data[name] = provider(session, user)
    return data


def _account(user: User) -> dict[str, Any]:
    return {
        name: _plain(getattr(user, name))
        for name in (
            "username",
            "email",
            "email_verified_at",
            "display_name",
            "role",
            "language",
            "time_zone",
            "created_at",
            "email_notifications",
            "suspended_until",
            "suspension_reason",
            "reputation",
            "thread_count",
            "answer_count",
            "solution_count",
            "kudos_received",
            "advocate_since",
        )
    }


def _threads(session: Session, user: User) -> list[dict[str, Any]]:
    threads = session.exec(
        select(Thread).where(col(Thread.author_id) == user.id).order_by(col(Thread.id))
    )
    return [
        {
            "id": thread.id,
            "title": thread.title,
            "tags": thread.tags.split(),
            "created_at": _plain(thread.created_at),
            "deleted_at": _plain(thread.deleted_at),
            "hidden": thread.hidden_at is not None,
        }
        for thread in threads
    ]


def _posts(session: Session, user: User) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Post, col(Thread.title))
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .where(col(Post.author_id) == user.id)
        .order_by(col(Post.id))
    )
    return [
        {
            "id": post.id,
            "thread_id": post.thread_id,
            "thread_title": title,
            "is_question": post.is_question,
            "body": post.body,
            "created_at": _plain(post.created_at),
            "edited_at": _plain(post.edited_at),
            "deleted_at": _plain(post.deleted_at),
            "hidden": post.hidden_at is not None,
            "kudos": post.kudos_count,
        }
        for post, title in rows
    ]


def _uploads(session: Session, user: User) -> list[dict[str, Any]]:
    assert user.id is not None
    return [
        {
            "url": uploads.name_of(upload).url,
            "filename": upload.original_filename,
            "content_type": upload.content_type,
            "bytes": upload.byte_size,
            "width": upload.width,
            "height": upload.height,
            "created_at": _plain(upload.created_at),
        }
        for upload in uploads.list_for(session, user.id)
    ]


def _rows(session: Session, table: Any, where: Any, *fields: str) -> list[dict[str, Any]]:
    found = session.exec(select(table).where(where).order_by(*table.__table__.primary_key))
    return [{name: _plain(getattr(row, name)) for name in fields} for row in found]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
