"""Notifications by e-mail, for a member who has not seen them on the site in time.

A notification of a kind worth an e-mail (``MAILED_KINDS``: an answer, a mention, an accepted
answer, the brand writing in a private case, a held post let through) waits
``email_delay_minutes``. If it is still unread then, and the member has not turned e-mail off,
it goes out in one message with the member's other notifications due at that moment; either way
the mailer is done with it (``mail_done_at``). The worker's idle step (``queue_due``) makes that
decision and records one ``notifications_to_mail`` event per member; the ``mail`` consumer sends
each one with no transaction open, and retries a server that is down.

Every message carries a link that turns these e-mails off without signing in.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import text
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from community import events, i18n, mail_html, mailer, notifications
from community.clock import Clock, as_utc
from community.db import take_write_lock
from community.errors import NotFound
from community.i18n import N_
from community.models import MAIL_DUE, MAILED_KINDS, Notification, NotificationKind, User
from community.policy import Guardian, ensure
from community.settings import CommunitySettings, get_settings

BATCH = 200
UNSUBSCRIBE_PATH = "/email/off/"

assert set(MAILED_KINDS) <= set(notifications.TEXTS)

GREETING = N_("Hello %(name)s,")
INTRO = N_("here is what happened on %(brand)s since you last looked:")
FOOTER = N_(
    "You get this email because you had not seen these notifications on the site. "
    "All your notifications: %(notifications)s\n"
    "To stop these emails: %(off)s"
)
OPEN_THREAD = N_("Open the thread")
OPEN_CASE = N_("Open the case")
CASE_KINDS = notifications.CASE_KINDS | {NotificationKind.case_reply}


# Deciding what goes out (the worker's idle step) -----------------------------------------------


def _due(before: datetime, limit: int) -> SelectOfScalar[Notification]:
    return (
        select(Notification)
        # The very text of the ix_notification_mail_due index's condition: a planner uses a
        # partial index only for a query that repeats it (SQLite: word for word, no parameters).
        .where(text(MAIL_DUE))
        .where(col(Notification.created_at) <= before)
        .order_by(col(Notification.created_at), col(Notification.id))
        .limit(limit)
    )


def queue_due(session: Session, now: datetime) -> int:
    """Decide about up to ``BATCH`` notifications whose wait is over; returns how many."""
    before = now - timedelta(minutes=get_settings().email_delay_minutes)
    if session.exec(_due(before, 1)).first() is None:
        return 0  # the usual answer, from the index alone and without the write lock
    session.rollback()
    take_write_lock(session)  # two workers must not both mail the same notifications
    query = _due(before, BATCH)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    due = list(session.exec(query))
    members = {
        user.id: user
        for user in session.exec(select(User).where(col(User.id).in_({n.user_id for n in due})))
    }
    mail: dict[int, list[int]] = defaultdict(list)
    for notification in due:
        notification.mail_done_at = now
        session.add(notification)
        member = members.get(notification.user_id)
        if notification.read_at is None and member is not None and _wants_mail(member):
            assert notification.id is not None
            mail[notification.user_id].append(notification.id)
    for user_id, ids in mail.items():
        events.record(session, "notifications_to_mail", at=now, user_id=user_id, ids=ids)
    return len(due)


def _wants_mail(user: User) -> bool:
    return user.is_active and user.email_notifications and user.email_verified_at is not None


# Sending (the mail consumer) ---------------------------------------------------------------------


def send(session: Session, event: events.OutboxEvent) -> events.Outbound | None:
    """One message with the member's notifications of ``event``, unless by now they have read
    them, turned e-mail off, or lost sight of what they were about."""
    user = session.get(User, event.data["user_id"])
    if user is None or not _wants_mail(user):
        return None
    unread = session.exec(
        select(Notification)
        .where(
            col(Notification.id).in_(event.data["ids"]),
            col(Notification.user_id) == user.id,
            col(Notification.read_at).is_(None),
        )
        .order_by(col(Notification.created_at), col(Notification.id))
    )
    guardian = Guardian(user)
    items = [notifications.load_item(session, n, guardian) for n in unread]
    items = [item for item in items if _still_there(item)]
    if not items:
        return None
    settings = get_settings()
    language = mailer.language_for(settings, user)
    lines = [describe(item, language) for item in items]
    links = [f"{settings.public_url}{item.target_url}" for item in items]
    greeting = i18n.gettext(language, GREETING) % {"name": user.display_name}
    intro = i18n.gettext(language, INTRO) % {"brand": settings.brand_name}
    everything = f"{settings.public_url}/notifications"
    off = unsubscribe_url(settings, user)
    footer = i18n.gettext(language, FOOTER) % {"notifications": everything, "off": off}
    body = "\n".join(
        [
            greeting,
            "",
            intro,
            "",
            *(f"- {line}\n  {link}" for line, link in zip(lines, links, strict=True)),
            "",
            "-- ",
            footer,
        ]
    )
    subject = lines[0] if len(lines) == 1 else _count_subject(settings, language, len(lines))
    html = mail_html.render(
        "mail/notifications.html",
        settings=settings,
        language=language,
        subject=subject,
        greeting=greeting,
        intro=intro,
        items=[
            DigestItem(text=line, action=_open(item, link, language))
            for line, item, link in zip(lines, items, links, strict=True)
        ],
        footer=[mail_html.paragraph(footer, links=[everything, off])],
    )
    message = mailer.compose(
        settings,
        to=mailer.address_of(user),
        subject=subject,
        body=body,
        html=html,
        at=as_utc(event.created_at),
    )
    message["List-Unsubscribe"] = f"<{off}>"
    return mailer.outbound(settings, message)


@dataclass(frozen=True)
class DigestItem:
    """One notification in the HTML part: what happened, and the button to it."""

    text: str
    action: mail_html.Action


def _open(item: notifications.NotificationItem, link: str, language: str) -> mail_html.Action:
    about_a_case = item.notification.kind in CASE_KINDS
    return mail_html.Action(
        i18n.gettext(language, OPEN_CASE if about_a_case else OPEN_THREAD), link
    )


def _still_there(item: notifications.NotificationItem) -> bool:
    """Not deleted, and not hidden from the member since (a reply hidden as spam is not news)."""
    return not item.is_gone and not (item.post is not None and item.post.is_hidden)


def describe(item: notifications.NotificationItem, language: str) -> str:
    actor = item.actor.display_name if item.actor else i18n.gettext(language, "Someone")
    thread = item.thread.title if item.thread else ""
    return i18n.gettext(language, notifications.TEXTS[item.notification.kind]) % {
        "actor": actor,
        "thread": thread,
    }


def _count_subject(settings: CommunitySettings, language: str, count: int) -> str:
    message = i18n.Plural(
        "%(num)s new notification on %(brand)s", "%(num)s new notifications on %(brand)s", count
    )
    return i18n.translate(language, message) % {
        "num": i18n.format_number(count, language),
        "brand": settings.brand_name,
    }


# Turning e-mail off from a message -------------------------------------------------------------


def _signer(settings: CommunitySettings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.session_secret(), salt="email-notifications-off")


def unsubscribe_url(settings: CommunitySettings, user: User) -> str:
    return f"{settings.public_url}{UNSUBSCRIBE_PATH}{_signer(settings).dumps(user.id)}"


def member_of_link(session: Session, token: str) -> User:
    """The member a "stop these emails" link was made for."""
    try:
        user_id = _signer(get_settings()).loads(token)
    except BadSignature:
        user_id = None
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise NotFound("This link is not one of ours, or it was cut short. Copy all of it.")
    return user


def choose(session: Session, guardian: Guardian, user: User, *, on: bool, clock: Clock) -> User:
    """The member's own choice, from their settings."""
    ensure(guardian.can_edit_account(user))
    return set_email_notifications(session, user, on=on, clock=clock)


def set_email_notifications(session: Session, user: User, *, on: bool, clock: Clock) -> User:
    """Whether ``user`` gets notification e-mails; the caller has checked who may say so."""
    user.email_notifications = on
    session.add(user)
    assert user.id is not None
    events.record(session, "user_updated", at=clock.now(), user_id=user.id)
    session.commit()
    return user
