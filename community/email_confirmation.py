"""Confirmed e-mail addresses: a new member confirms theirs from a link, and a member who changes
theirs keeps the old one until the new one is confirmed the same way.

Notifications go only to a confirmed address (community.notification_mail); a reset link goes to
the account's address whatever its state, as it is the only way back in. Like a reset link, a
confirmation link is made by the ``mail`` consumer and only its SHA-256 is kept; it works once and
for ``CONFIRM_VALID_DAYS``. Changing the address uses up every open link of the account (a link to
the old address must not bring it back) and tells the old address what happened.
"""

from datetime import timedelta

from sqlmodel import Session, col, update

from community import emailed_links, events, mailer
from community.accounts import ensure_free, normalize_email
from community.clock import Clock
from community.errors import Conflict, DomainError, Invalid, RateLimited
from community.i18n import N_
from community.models import EmailConfirmation, User
from community.policy import Guardian, ensure
from community.security import rate_limiter, verify_password
from community.settings import get_settings

CONFIRM_PATH = "/email/confirm/"
CONFIRM_VALID_DAYS = 7
REQUESTS_PER_HOUR = 5

CONFIRM_SUBJECT = N_("Confirm your email address for %(brand)s")
CONFIRM_BODY = N_(
    "Hello %(name)s,\n\n"
    "to confirm that %(email)s is your address on %(brand)s, open this link within "
    "%(days)s days:\n\n"
    "%(link)s\n\n"
    "If you did not ask for it, ignore this email: nothing changes."
)
CONFIRM_ACTION = N_("Confirm your email address")  # the HTML part's button
CHANGED_SUBJECT = N_("Your %(brand)s email address was changed")
CHANGED_BODY = N_(
    "Hello %(name)s,\n\n"
    "the email address of your account %(username)s on %(brand)s is now %(email)s. Emails from "
    "%(brand)s no longer come to this address.\n\n"
    "If you did not change it, someone else may be using your account: ask for a new password "
    "at %(link)s and write to the community's moderators."
)


class LinkExpired(DomainError):
    status_code = 410


def ask_again(session: Session, guardian: Guardian, user: User, *, clock: Clock) -> None:
    """Send the link that confirms the member's current address once more."""
    ensure(guardian.can_edit_account(user))
    if user.email_verified_at is not None:
        raise Invalid("Your email address is confirmed already.")
    _limit(user)
    events.record(
        session, "email_confirmation_requested", at=clock.now(), user_id=user.id, email=user.email
    )
    session.commit()


def ask_to_change(
    session: Session,
    guardian: Guardian,
    user: User,
    *,
    new_email: str,
    password: str,
    clock: Clock,
) -> str:
    """Send a link to ``new_email``; the account's address changes when it is opened. Returns the
    address, normalised."""
    ensure(guardian.can_edit_account(user))
    if not verify_password(user.password_hash, password):
        raise Invalid("Your current password is not correct.", field="password")
    _limit(
        user, field="email"
    )  # before the address is looked up: no probing which addresses have accounts
    email = normalize_email(new_email)
    if email == user.email:
        raise Invalid("This is your email address already.", field="email")
    ensure_free(session, username=None, email=email)
    events.record(
        session, "email_confirmation_requested", at=clock.now(), user_id=user.id, email=email
    )
    session.commit()
    return email


def _limit(user: User, *, field: str | None = None) -> None:
    if not rate_limiter.allow(
        f"confirm:user:{user.id}", limit=REQUESTS_PER_HOUR, window_seconds=3600
    ):
        raise RateLimited("Too many confirmation emails. Please try again in an hour.", field=field)


def open_link(session: Session, token: str, *, clock: Clock) -> EmailConfirmation:
    """The link's row, while it still works."""
    link = emailed_links.working(session, EmailConfirmation, token, now=clock.now())
    if link is None:
        raise LinkExpired(
            N_(
                "This confirmation link has expired or has already been used. Your settings "
                "can send a new one."
            )
        )
    return link


def confirm(session: Session, token: str, *, clock: Clock) -> User:
    """Confirm the link's address, which becomes the account's if it was not already."""
    link = open_link(session, token, clock=clock)
    user = session.get(User, link.user_id)
    assert user is not None and user.id is not None
    now = clock.now()
    old_email = user.email
    if link.email != old_email:
        try:
            ensure_free(session, username=None, email=link.email)
        except Conflict:
            raise Conflict(
                "Another account has taken %(email)s since you asked. Choose another address.",
                email=link.email,
            ) from None
        user.email = link.email
        # A link still open for the old address must not bring it back.
        session.exec(
            update(EmailConfirmation)
            .where(
                col(EmailConfirmation.user_id) == user.id,
                col(EmailConfirmation.used_at).is_(None),
            )
            .values(used_at=now)
        )
        events.record(session, "email_changed", at=now, user_id=user.id, old_email=old_email)
    link.used_at = now
    user.email_verified_at = now
    session.add_all([link, user])
    events.record(session, "user_updated", at=now, user_id=user.id)
    session.commit()
    return user


# The messages (community.mail_consumer sends them) ----------------------------------------------


def send_link(session: Session, event: events.OutboxEvent) -> events.Outbound | None:
    """The link for the address a member signed up with, or asked to change to."""
    user = mailer.member_of(session, event)
    if user is None:
        return None
    email = event.data.get("email", user.email)
    if event.name == "user_signed_up" and user.email_verified_at is not None:
        return None  # an administrator created by the operator, who vouched for the address
    token = emailed_links.issue(
        session,
        EmailConfirmation,
        user=user,
        at=event.created_at,
        valid_for=timedelta(days=CONFIRM_VALID_DAYS),
        email=email,
    )
    settings = get_settings()
    return mailer.to_member(
        settings,
        user,
        subject=CONFIRM_SUBJECT,
        body=CONFIRM_BODY,
        event=event,
        action=CONFIRM_ACTION,
        address=email,
        email=email,
        days=CONFIRM_VALID_DAYS,
        link=f"{settings.public_url}{CONFIRM_PATH}{token}",
    )


def send_change_notice(session: Session, event: events.OutboxEvent) -> events.Outbound | None:
    """Tell the old address that the account's address changed."""
    user = mailer.member_of(session, event)
    if user is None:
        return None
    settings = get_settings()
    return mailer.to_member(
        settings,
        user,
        subject=CHANGED_SUBJECT,
        body=CHANGED_BODY,
        event=event,
        address=event.data["old_email"],
        email=user.email,
        link=f"{settings.public_url}/password/forgot",
    )
