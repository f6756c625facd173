"""Forgotten passwords: a member asks for a link by e-mail, and the link lets them choose a new
password once, within ``password_reset_valid_minutes``.

Asking never says whether an account exists (the same answer either way). The request only records
an event; the outbox's ``mail`` consumer makes the token and sends it, so the link exists in the
member's inbox and nowhere else: the database keeps its SHA-256. Setting a new password uses up
every open link of the account and signs out every session, and the member is told by e-mail that
their password changed, whichever way it was changed.
"""

from datetime import timedelta

from sqlmodel import Session, col, update

from community import emailed_links, events, i18n, mailer
from community.accounts import find_by_login, validate_password
from community.clock import Clock, as_utc
from community.errors import DomainError, Invalid, RateLimited
from community.i18n import N_
from community.models import PasswordResetToken, User
from community.security import hash_password, rate_limiter
from community.settings import get_settings

RESET_PATH = "/password/reset/"

LINK_SUBJECT = N_("Choose a new password for %(brand)s")
LINK_BODY = N_(
    "Hello %(name)s,\n\n"
    "someone asked to reset the password of your account %(username)s on %(brand)s. "
    "To choose a new password, open this link within %(minutes)s minutes:\n\n"
    "%(link)s\n\n"
    "The link works once. If you did not ask for it, ignore this email: your password stays "
    "as it is."
)
LINK_ACTION = N_("Choose a new password")  # the HTML part's button
NOTICE_SUBJECT = N_("Your %(brand)s password was changed")
NOTICE_BODY = N_(
    "Hello %(name)s,\n\n"
    "the password of your account %(username)s on %(brand)s was changed on %(when)s, and "
    "every other browser signed in to the account was signed out.\n\n"
    "If you did not change it, someone else knows your password: ask for a new one now at "
    "%(link)s"
)


class LinkExpired(DomainError):
    status_code = 410


def request_link(
    session: Session, *, login: str, client_ip: str, clock: Clock, language: str | None = None
) -> None:
    """Send a reset link to the account with this username or e-mail address, if there is one,
    in ``language`` (the page's) unless the member chose their own."""
    settings = get_settings()
    login = login.strip().lower()
    if not login:
        raise Invalid("Enter your username or email address.", field="login")
    limit = settings.password_reset_limit_per_hour
    allowed_ip = rate_limiter.allow(f"reset:ip:{client_ip}", limit=limit, window_seconds=3600)
    allowed_login = rate_limiter.allow(f"reset:login:{login}", limit=limit, window_seconds=3600)
    if not (allowed_ip and allowed_login):
        raise RateLimited("Too many requests for a new password. Please try again in an hour.")
    user = find_by_login(session, login)
    if user is None or not user.is_active:
        return
    events.record(
        session, "password_reset_requested", at=clock.now(), user_id=user.id, language=language
    )
    session.commit()


def open_link(session: Session, token: str, *, clock: Clock) -> PasswordResetToken:
    """The link's row, while it still works."""
    link = emailed_links.working(session, PasswordResetToken, token, now=clock.now())
    if link is None:
        raise LinkExpired(
            N_(
                "This link to choose a new password has expired or has already been used. "
                "Ask for a new one below."
            )
        )
    user = session.get(User, link.user_id)
    if user is None or not user.is_active:
        raise LinkExpired(N_("This account can no longer sign in."))
    return link


def choose_password(
    session: Session,
    token: str,
    *,
    new_password: str,
    new_password_confirm: str,
    clock: Clock,
    language: str | None = None,
) -> User:
    """Set the account's new password from a working link; returns the member, to sign them in."""
    link = open_link(session, token, clock=clock)
    user = session.get(User, link.user_id)
    assert user is not None and user.id is not None
    validate_password(new_password, username=user.username, field="new_password")
    if new_password_confirm != new_password:
        raise Invalid("The two new passwords do not match.", field="new_password_confirm")
    now = clock.now()
    user.password_hash = hash_password(new_password)
    user.session_epoch += 1
    session.add(user)
    session.exec(
        update(PasswordResetToken)
        .where(
            col(PasswordResetToken.user_id) == user.id, col(PasswordResetToken.used_at).is_(None)
        )
        .values(used_at=now)
    )
    events.record(
        session, "password_changed", at=now, user_id=user.id, through="reset", language=language
    )
    session.commit()
    return user


# The messages (community.mail_consumer sends them) ----------------------------------------


def send_link(session: Session, event: events.OutboxEvent) -> events.Outbound | None:
    user = mailer.member_of(session, event)
    if user is None:
        return None
    settings = get_settings()
    token = emailed_links.issue(
        session,
        PasswordResetToken,
        user=user,
        at=event.created_at,
        valid_for=timedelta(minutes=settings.password_reset_valid_minutes),
    )
    return mailer.to_member(
        settings,
        user,
        subject=LINK_SUBJECT,
        body=LINK_BODY,
        event=event,
        action=LINK_ACTION,
        minutes=settings.password_reset_valid_minutes,
        link=f"{settings.public_url}{RESET_PATH}{token}",
    )


def send_change_notice(session: Session, event: events.OutboxEvent) -> events.Outbound | None:
    user = mailer.member_of(session, event)
    if user is None:
        return None
    settings = get_settings()
    language = mailer.language_for(settings, user, event.data.get("language"))
    zone = i18n.zone(user.time_zone, settings.time_zone)
    return mailer.to_member(
        settings,
        user,
        subject=NOTICE_SUBJECT,
        body=NOTICE_BODY,
        event=event,
        when=i18n.format_when(as_utc(event.created_at), language, zone),
        link=f"{settings.public_url}/password/forgot",
    )
