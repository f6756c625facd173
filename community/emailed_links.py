"""Links mailed to a member that work once and for a limited time: choosing a new password
(community.password_reset) and confirming an address (community.email_confirmation). Only the
token's digest is stored; each kind says in its own words why a dead link does not work."""

from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from community.clock import as_utc
from community.models import EmailConfirmation, PasswordResetToken, User
from community.security import new_link_token, token_digest

Link = TypeVar("Link", PasswordResetToken, EmailConfirmation)


def working(session: Session, kind: type[Link], token: str, *, now: datetime) -> Link | None:
    """The row of the link ``token`` opens, unless there is none, it was used or it expired."""
    query = select(kind).where(col(kind.token_hash) == token_digest(token))
    link = session.exec(query).first()
    if link is None or link.used_at is not None or as_utc(link.expires_at) <= now:
        return None
    return link


def issue(
    session: Session,
    kind: type[Link],
    *,
    user: User,
    at: datetime,
    valid_for: timedelta,
    **fields: Any,
) -> str:
    """A new link of ``kind`` for ``user``, working for ``valid_for`` from ``at`` (the moment
    it was asked for, not sent: a worker that was down does not stretch it); the plain token,
    which only the message carries. The caller commits."""
    assert user.id is not None
    token, digest = new_link_token()
    session.add(
        kind(
            user_id=user.id,
            token_hash=digest,
            created_at=at,
            expires_at=as_utc(at) + valid_for,
            **fields,
        )
    )
    return token
