"""Outgoing mail: over SMTP when ``PEERDESK_SMTP_URL`` names a server, else written to var/mail/
as one .eml file per message (a pickup directory: what a demo or a developer's machine reads).
Each message is plain text with an HTML alternative (community.mail_html) saying the same.

Mail goes out from the outbox worker, never from a request: a handler returns ``outbound(...)``,
so the SMTP conversation runs with no transaction open and a failure is retried with backoff.
"""

import logging
import os
import smtplib
import ssl
import uuid
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlmodel import Session

from community import events, i18n, mail_html
from community.clock import as_utc
from community.models import User
from community.settings import SMTP_SCHEMES, CommunitySettings

SMTP_TIMEOUT_SECONDS = 20

log = logging.getLogger("peerdesk.mail")


class MailNotSent(Exception):
    """The server did not take the message this time; the outbox tries again later."""


def compose(
    settings: CommunitySettings, *, to: str, subject: str, body: str, html: str, at: datetime
) -> EmailMessage:
    """A message with ``body`` as its plain text and ``html`` as the alternative to it."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(domain=urlsplit(settings.public_url).hostname)
    # Tells autoresponders ("I am on holiday") not to answer a message no person sent.
    message["Auto-Submitted"] = "auto-generated"
    # A file in the pickup directory is read as it is: its links must not be cut into
    # quoted-printable lines. Over SMTP the library's safe choice stands.
    cte = None if settings.smtp_url else "8bit"
    message.set_content(body, cte=cte)
    message.add_alternative(html, subtype="html", cte=cte)
    return message


def to_member(
    settings: CommunitySettings,
    user: User,
    *,
    subject: str,
    body: str,
    event: events.OutboxEvent,
    address: str | None = None,
    action: str | None = None,
    link: str | None = None,
    **params: object,
) -> events.Outbound:
    """A message to ``user`` (at ``address``, else their own) about ``event``: ``subject`` and
    ``body`` are msgids, in the member's language (``language_for``, with the event's
    ``language``), filled with ``params``, ``link`` and the member's and brand's names. In the
    HTML part ``link`` is clickable, and a button saying ``action`` (a msgid) where the text
    has it on a line of its own."""
    language = language_for(settings, user, event.data.get("language"))
    values = {
        "name": user.display_name,
        "username": user.username,
        "brand": settings.brand_name,
        "link": link,
        **params,
    }
    subject = i18n.gettext(language, subject) % values
    body = i18n.gettext(language, body) % values
    html = mail_html.message(
        settings, language=language, subject=subject, text=body, link=link, action=action
    )
    message = compose(
        settings,
        to=address_of(user, address),
        subject=subject,
        body=body,
        html=html,
        at=as_utc(event.created_at),
    )
    return outbound(settings, message)


def member_of(session: Session, event: events.OutboxEvent) -> User | None:
    """The member an event's message goes to (``user_id``), unless the account is gone or was
    deleted meanwhile: then no message at all."""
    user = session.get(User, event.data["user_id"])
    if user is None or user.id is None or not user.is_active:
        return None
    return user


def address_of(user: User, email: str | None = None) -> str:
    """The member's name and their address (or ``email``), for a To header."""
    return formataddr((user.display_name, email or user.email))


def language_for(settings: CommunitySettings, user: User, asked_in: object = None) -> str:
    """The language to write to ``user`` in: their own, else the one of the page they asked from
    (``asked_in``, when the message answers a request), else the community's."""
    if user.language:
        return user.language
    if isinstance(asked_in, str) and asked_in in settings.languages:
        return asked_in
    return settings.default_language


def send(settings: CommunitySettings, message: EmailMessage) -> str:
    """Hand ``message`` over; returns where it went, for the log."""
    if settings.smtp_url:
        _over_smtp(settings.smtp_url, message)
        return f"SMTP server {urlsplit(settings.smtp_url).hostname}"
    return str(_into_pickup_directory(settings.var_dir / "mail", message))


def outbound(settings: CommunitySettings, message: EmailMessage) -> events.Outbound:
    """What a consumer's handler returns to have ``message`` sent after its transaction."""

    def call() -> str:
        return send(settings, message)

    def then(_session: Session, result: Any) -> None:
        if isinstance(result, smtplib.SMTPRecipientsRefused) and _refused_for_good(result):
            # A mailbox that does not exist will not exist on the next attempt either.
            log.warning("mail %r to %s refused: %s", message["Subject"], message["To"], result)
            return
        if isinstance(result, BaseException):
            raise MailNotSent(f"{type(result).__name__}: {result}") from result
        log.debug("mail %r to %s: %s", message["Subject"], message["To"], result)

    return events.Outbound(call=call, then=then)


def _refused_for_good(refused: smtplib.SMTPRecipientsRefused) -> bool:
    return all(500 <= code < 600 for code, _reply in refused.recipients.values())


def _over_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or SMTP_SCHEMES[parts.scheme]
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls(context=context)
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def _into_pickup_directory(directory: Path, message: EmailMessage) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = parsedate_to_datetime(message["Date"]).strftime("%Y%m%dT%H%M%S")
    path = directory / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
    partial = path.with_suffix(".part")
    partial.write_bytes(bytes(message))
    os.replace(partial, path)  # a reader never sees half a message
    return path
