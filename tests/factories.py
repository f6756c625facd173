"""Plain factory functions: rows made through the real services where the services exist."""

import itertools

from sqlmodel import Session

from community import posting
from community.clock import Clock
from community.models import ApiToken, Category, Post, Role, Thread, User
from community.policy import Guardian
from community.security import hash_password, new_api_token

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_user(
    session: Session,
    clock: Clock,
    *,
    username: str | None = None,
    role: Role = Role.member,
    language: str | None = None,
    password: str = PASSWORD,
    email_confirmed: bool = True,
) -> User:
    n = next(_counter)
    username = username or f"user{n}"
    user = User(
        username=username,
        email=f"{username}@example.com",
        display_name=username.capitalize(),
        password_hash=hash_password(password),
        role=role,
        language=language,
        created_at=clock.now(),
        email_verified_at=clock.now() if email_confirmed else None,
    )
    session.add(user)
    session.commit()
    return user


def make_category(session: Session, *, slug: str | None = None, position: int = 0) -> Category:
    n = next(_counter)
    slug = slug or f"category-{n}"
    category = Category(slug=slug, name=slug.replace("-", " ").title(), position=position)
    session.add(category)
    session.commit()
    return category


def make_thread(
    session: Session,
    clock: Clock,
    *,
    author: User,
    category: Category,
    title: str = "My fibre drops every evening",
    body: str = "Since Monday the connection drops around 9 pm. What can I check?",
    tags: list[str] | None = None,
) -> Thread:
    return posting.create_thread(
        session,
        Guardian(author),
        category=category,
        title=title,
        body=body,
        tags=tags or [],
        clock=clock,
    )


def make_reply(
    session: Session,
    clock: Clock,
    *,
    author: User,
    thread: Thread,
    body: str = "Restart the modem.",
) -> Post:
    return posting.reply_to_thread(session, Guardian(author), thread, body=body, clock=clock)


def set_thread(session: Session, thread: Thread, **values: object) -> Thread:
    """Kudos and solutions have their own services elsewhere; lists only read the columns."""
    for name, value in values.items():
        setattr(thread, name, value)
    session.add(thread)
    session.commit()
    return thread


def make_api_token(session: Session, clock: Clock, user: User, *, name: str = "test") -> str:
    """A personal API token of ``user``, stored as the service stores one; the plain token."""
    assert user.id is not None
    token, digest = new_api_token()
    session.add(
        ApiToken(
            user_id=user.id, name=name, token_hash=digest, prefix=token[:10], created_at=clock.now()
        )
    )
    session.commit()
    return token


def api_headers(
    session: Session, clock: Clock, user: User, *, name: str = "test"
) -> dict[str, str]:
    """The Authorization header of a new API token of ``user``."""
    return {"Authorization": f"Bearer {make_api_token(session, clock, user, name=name)}"}
