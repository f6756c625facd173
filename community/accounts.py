"""Accounts: sign up, log in, profile and password changes, roles and personal API tokens.

Each service is one transaction that records its outbox event. Sessions themselves (the cookie)
belong to the routes; the services only say who the user is and when old sessions stop counting.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select, update

from community import account_erasure, events, i18n, profile_counts, textrules
from community.clock import Clock
from community.errors import Conflict, Invalid, NotFound, Problems, RateLimited
from community.models import ApiToken, Post, Role, Thread, User
from community.policy import Guardian, ensure, ensure_signed_in
from community.security import (
    hash_password,
    needs_rehash,
    new_api_token,
    rate_limiter,
    verify_password,
)
from community.settings import get_settings

USERNAME_PATTERN = re.compile(r"^[a-z0-9_]{3,30}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024
MAX_DISPLAY_NAME_CHARS = 60
MAX_TOKEN_NAME_CHARS = 60
# Invisible characters that reorder or hide text: a display name must look like what it is.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
# Touching last_used_at on every request would make every API call a write.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
RECENT_POSTS = 10
# Verifying against this when no account matches keeps "no such user" as slow as "wrong password".
_DUMMY_HASH: list[str] = []


# Validation ------------------------------------------------------------------------------------


def normalize_username(raw: str) -> str:
    username = raw.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise Invalid(
            "Usernames have 3 to 30 characters: letters a-z, digits and underscores.",
            field="username",
        )
    return username


def _unreserved(username: str) -> str:
    if account_erasure.is_reserved(username):
        raise Invalid(
            "Usernames starting with %(prefix)s are kept for deleted accounts.",
            field="username",
            prefix=account_erasure.PSEUDONYM_PREFIX,
        )
    return username


def normalize_email(raw: str) -> str:
    email = textrules.reject_control_characters(raw, field="email").strip().lower()
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        raise Invalid("Enter a valid email address, like name@example.com.", field="email")
    return email


def normalize_display_name(raw: str) -> str:
    textrules.reject_control_characters(raw, field="display_name")
    if any(ch in _BIDI_CONTROLS for ch in raw):
        raise Invalid(
            "The display name contains invisible control characters.", field="display_name"
        )
    name = " ".join(raw.split())
    if not name:
        raise Invalid("Choose a display name.", field="display_name")
    if len(name) > MAX_DISPLAY_NAME_CHARS:
        raise Invalid(
            "The display name can have at most %(count)s characters.",
            field="display_name",
            count=MAX_DISPLAY_NAME_CHARS,
        )
    return name


def validate_password(password: str, *, username: str, field: str = "password") -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise Invalid(
            "The password needs at least %(count)s characters.",
            field=field,
            count=MIN_PASSWORD_CHARS,
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise Invalid(
            "The password can have at most %(count)s characters.",
            field=field,
            count=MAX_PASSWORD_CHARS,
        )
    if password.strip().lower() == username.lower():
        raise Invalid("The password must not be your username.", field=field)
    return password


def normalize_language(raw: str | None) -> str | None:
    """A supported language code, or None for "automatic" (browser, then instance default)."""
    value = (raw or "").strip().lower()
    if value in ("", "auto", "automatic"):
        return None
    if value not in get_settings().languages:
        raise Invalid("Choose one of the offered languages.", field="language")
    return value


def normalize_time_zone(raw: str | None) -> str | None:
    """An IANA time zone name, or None for the community's (settings.time_zone)."""
    value = (raw or "").strip()
    if not value:
        return None
    if not i18n.is_time_zone(value):
        raise Invalid("Choose a time zone from the list, such as Europe/Rome.", field="time_zone")
    return value


# Sign up and log in ----------------------------------------------------------------------------


def sign_up(
    session: Session,
    guardian: Guardian,
    *,
    username: str,
    email: str,
    display_name: str,
    password: str,
    client_ip: str,
    clock: Clock,
    language: str | None = None,
    page_language: str | None = None,
) -> User:
    """A new member account. Limited per client address to slow down mass registration. The
    link that confirms the address goes out in ``language``, else ``page_language``."""
    settings = get_settings()
    # Every attempt counts here, refused ones too: the form says when a name or address is
    # taken, so this bounds how many can be tried.
    if not rate_limiter.allow(
        f"signup-try:{client_ip}", limit=settings.signup_attempts_per_hour, window_seconds=3600
    ):
        raise RateLimited("Too many sign-ups from your network. Please try again in an hour.")
    problems = Problems()
    clean_username = problems.check(lambda: _unreserved(normalize_username(username)))
    clean_email = problems.check(lambda: normalize_email(email))
    clean_name = problems.check(lambda: normalize_display_name(display_name))
    problems.check(lambda: validate_password(password, username=clean_username or username))
    problems.check(lambda: ensure_free(session, username=clean_username, email=clean_email))
    problems.raise_any()
    assert clean_username is not None and clean_email is not None and clean_name is not None
    username, email, display_name = clean_username, clean_email, clean_name
    if not rate_limiter.allow(
        f"signup:{client_ip}", limit=settings.signup_limit_per_hour, window_seconds=3600
    ):
        raise RateLimited("Too many sign-ups from your network. Please try again in an hour.")
    return _create_user(
        session,
        username=username,
        email=email,
        display_name=display_name,
        password=password,
        role=Role.member,
        language=language,
        by_id=guardian.user.id if guardian.user else None,
        clock=clock,
        confirmed=False,
        page_language=page_language,
    )


def create_admin(
    session: Session,
    guardian: Guardian,
    *,
    username: str,
    email: str,
    password: str,
    clock: Clock,
) -> User:
    """An administrator account, for the operator (``peerdesk create-admin``)."""
    ensure(guardian.can_create_admin())
    username = normalize_username(username)
    email = normalize_email(email)
    validate_password(password, username=username)
    return _create_user(
        session,
        username=username,
        email=email,
        display_name=username,
        password=password,
        role=Role.admin,
        language=None,
        by_id=guardian.user.id if guardian.user else None,
        clock=clock,
        confirmed=True,
    )


def _create_user(
    session: Session,
    *,
    username: str,
    email: str,
    display_name: str,
    password: str,
    role: Role,
    language: str | None,
    by_id: int | None,
    clock: Clock,
    confirmed: bool,
    page_language: str | None = None,
) -> User:
    """A member's account; ``confirmed`` when whoever creates it vouches for the address (an
    operator making an administrator), else a link will ask the member to confirm it."""
    ensure_free(session, username=username, email=email)
    now = clock.now()
    user = User(
        username=username,
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        language=language,
        created_at=now,
        email_verified_at=now if confirmed else None,
    )
    session.add(user)
    try:
        session.flush()
        assert user.id is not None
        events.record(session, "user_signed_up", at=now, user_id=user.id, language=page_language)
        if role != Role.member:
            events.record(
                session, "user_role_changed", at=now, user_id=user.id, role=role, by_id=by_id
            )
        session.commit()
    except IntegrityError:
        # Someone took the name between our check and the insert.
        session.rollback()
        ensure_free(session, username=username, email=email)
        raise
    return user


def ensure_free(session: Session, *, username: str | None, email: str | None) -> None:
    """Refuses a username or an email address (None: not checked) that an account holds."""
    wanted = [
        *([col(User.username) == username] if username is not None else []),
        *([col(User.email) == email] if email is not None else []),
    ]
    if not wanted:
        return
    taken = session.exec(select(User).where(or_(*wanted))).all()
    problems = Problems()
    if any(user.username == username for user in taken):
        problems.add(Conflict("This username is already taken.", field="username"))
    if any(user.email == email for user in taken):
        problems.add(Conflict("An account with this email address already exists.", field="email"))
    problems.raise_any()


def find_by_login(session: Session, login: str) -> User | None:
    """The account a login form names: by email address if it has an @, else by username
    (``login`` already stripped and lower-cased)."""
    column = col(User.email) if "@" in login else col(User.username)
    return session.exec(select(User).where(column == login)).first()


def authenticate(session: Session, *, login: str, password: str, client_ip: str) -> User:
    """The active user with this username or email and password; one message for every miss."""
    settings = get_settings()
    login = login.strip().lower()
    allowed_ip = rate_limiter.allow(
        f"login:ip:{client_ip}", limit=settings.login_limit_per_15min, window_seconds=900
    )
    allowed_name = rate_limiter.allow(
        f"login:user:{login}", limit=settings.login_limit_per_15min, window_seconds=900
    )
    if not (allowed_ip and allowed_name):
        raise RateLimited("Too many login attempts. Please wait 15 minutes and try again.")
    user = find_by_login(session, login)
    if user is None:
        verify_password(_dummy_hash(), password)
        raise Invalid("Wrong username, email or password.")
    if not verify_password(user.password_hash, password) or not user.is_active:
        raise Invalid("Wrong username, email or password.")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
        session.commit()
    return user


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password("peerdesk-no-such-user"))
    return _DUMMY_HASH[0]


# Settings --------------------------------------------------------------------------------------


def update_profile(
    session: Session,
    guardian: Guardian,
    user: User,
    *,
    display_name: str,
    language: str | None,
    time_zone: str | None,
    clock: Clock,
) -> User:
    ensure(guardian.can_edit_account(user))
    problems = Problems()
    display_name = problems.check(lambda: normalize_display_name(display_name)) or ""
    language = problems.check(lambda: normalize_language(language))
    time_zone = problems.check(lambda: normalize_time_zone(time_zone))
    problems.raise_any()
    user.display_name = display_name
    user.language = language
    user.time_zone = time_zone
    session.add(user)
    assert user.id is not None
    events.record(session, "user_updated", at=clock.now(), user_id=user.id)
    session.commit()
    return user


def set_language(
    session: Session, guardian: Guardian, user: User, *, language: str | None, clock: Clock
) -> User:
    ensure(guardian.can_edit_account(user))
    user.language = normalize_language(language)
    session.add(user)
    assert user.id is not None
    events.record(session, "user_updated", at=clock.now(), user_id=user.id)
    session.commit()
    return user


def change_password(
    session: Session,
    guardian: Guardian,
    user: User,
    *,
    current_password: str,
    new_password: str,
    new_password_confirm: str,
    clock: Clock,
    language: str | None = None,
) -> User:
    """Sets a new password and moves the session epoch on, which signs out every other session.
    The member is told by e-mail, in ``language`` (the page's) unless they chose their own.

    The caller keeps its own session alive by storing the new ``user.session_epoch``.
    """
    ensure(guardian.can_edit_account(user))
    if not verify_password(user.password_hash, current_password):
        raise Invalid("Your current password is not correct.", field="current_password")
    validate_password(new_password, username=user.username, field="new_password")
    if new_password == current_password:
        raise Invalid("Choose a password different from the current one.", field="new_password")
    if new_password_confirm != new_password:
        raise Invalid("The two new passwords do not match.", field="new_password_confirm")
    user.password_hash = hash_password(new_password)
    user.session_epoch += 1
    session.add(user)
    assert user.id is not None
    events.record(session, "user_updated", at=clock.now(), user_id=user.id)
    events.record(
        session,
        "password_changed",
        at=clock.now(),
        user_id=user.id,
        through="settings",
        language=language,
    )
    session.commit()
    return user


# Roles -----------------------------------------------------------------------------------------


def grant_moderator(session: Session, guardian: Guardian, user: User, *, clock: Clock) -> User:
    ensure(guardian.can_change_role(user))
    if user.role == Role.admin:
        raise Invalid("%(username)s is an administrator already.", username=user.username)
    return _set_role(session, guardian, user, Role.moderator, clock=clock)


def revoke_moderator(session: Session, guardian: Guardian, user: User, *, clock: Clock) -> User:
    ensure(guardian.can_change_role(user))
    if user.role == Role.admin:
        raise Invalid("%(username)s is an administrator, not a moderator.", username=user.username)
    return _set_role(session, guardian, user, Role.member, clock=clock)


def _set_role(
    session: Session, guardian: Guardian, user: User, role: Role, *, clock: Clock
) -> User:
    if user.role == role:
        return user
    previous = user.role
    user.role = role
    session.add(user)
    assert user.id is not None
    by_id = guardian.user.id if guardian.user else None
    events.record(
        session,
        "user_role_changed",
        at=clock.now(),
        user_id=user.id,
        role=role,
        previous_role=previous,
        by_id=by_id,
    )
    session.commit()
    return user


# Lookups and profile ---------------------------------------------------------------------------


def get_user_by_username(session: Session, username: str) -> User:
    query = select(User).where(col(User.username) == username.strip().lower())
    user = session.exec(query).first()
    if user is None or not user.is_active:
        raise NotFound("There is no member called %(username)s.", username=username[:40])
    return user


@dataclass(frozen=True)
class RecentPost:
    post: Post
    thread: Thread


def recent_posts(session: Session, user: User, *, limit: int = RECENT_POSTS) -> list[RecentPost]:
    """The user's latest visible posts (questions and answers) with their threads: their
    questions among them are ``User.thread_count`` (community.profile_counts)."""
    query = (
        select(Post, Thread)
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        # A public page: nothing hidden by moderation, whoever looks.
        .where(col(Post.author_id) == user.id, *profile_counts.SHOWN)
        .order_by(col(Post.created_at).desc(), col(Post.id).desc())
        .limit(limit)
    )
    return [RecentPost(post=post, thread=thread) for post, thread in session.exec(query)]


# API tokens ------------------------------------------------------------------------------------


def create_api_token(
    session: Session, guardian: Guardian, *, name: str, clock: Clock
) -> tuple[ApiToken, str]:
    """A new personal token; the plain token is returned once and only its digest is kept."""
    ensure_signed_in(guardian)
    name = " ".join(textrules.reject_control_characters(name, field="name").split())
    if not name:
        raise Invalid("Give the token a name, so you can recognise it later.", field="name")
    if len(name) > MAX_TOKEN_NAME_CHARS:
        raise Invalid(
            "The token name can have at most %(count)s characters.",
            field="name",
            count=MAX_TOKEN_NAME_CHARS,
        )
    token, digest = new_api_token()
    now = clock.now()
    api_token = ApiToken(
        user_id=guardian.user_id,
        name=name,
        token_hash=digest,
        prefix=token[:12],
        created_at=now,
    )
    session.add(api_token)
    session.flush()
    events.record(
        session, "api_token_created", at=now, user_id=guardian.user_id, token_id=api_token.id
    )
    session.commit()
    return api_token, token


def list_api_tokens(session: Session, guardian: Guardian) -> list[ApiToken]:
    ensure_signed_in(guardian)
    query = (
        select(ApiToken)
        .where(col(ApiToken.user_id) == guardian.user_id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    )
    return list(session.exec(query))


def revoke_api_token(session: Session, guardian: Guardian, token_id: int, *, clock: Clock) -> None:
    ensure_signed_in(guardian)
    api_token = session.get(ApiToken, token_id)
    if api_token is None or api_token.user_id != guardian.user_id or api_token.revoked_at:
        raise NotFound("This token does not exist or was already revoked.")
    now = clock.now()
    api_token.revoked_at = now
    session.add(api_token)
    events.record(session, "api_token_revoked", at=now, user_id=guardian.user_id, token_id=token_id)
    session.commit()


def touch_api_token(session: Session, api_token: ApiToken, *, now: datetime) -> None:
    """Remember when a token was last used, writing at most once a minute per token."""
    last = api_token.last_used_at
    if last is not None and now - last < TOKEN_TOUCH_INTERVAL:
        return
    session.exec(update(ApiToken).where(col(ApiToken.id) == api_token.id).values(last_used_at=now))
    session.commit()
    api_token.last_used_at = now
