"""Canned replies: the brand's voice as templates moderators insert into the reply box.

A template's body may name ``{customer_name}`` (the asker's display name) and ``{thread_title}``;
any other ``{name}`` (braces around nothing, or around letters, digits, ``_`` and ``.`` only) is
refused when the template is saved, so a typo never reaches a customer. Braces around anything
else (spaces, a price in euro, some JSON) or a lone brace are ordinary text. The values go in as
plain text (community.markdown.escape): a display name or a title never turns the brand's reply
into a link, an image or emphasis. Every change is audited (there is no outbox event: nothing
downstream reacts to templates).
"""

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from community import markdown, posting, textrules
from community.clock import Clock, as_utc
from community.errors import Conflict, Invalid, NotFound, Problems
from community.models import Role, Thread, User
from community.policy import Guardian, ensure, ensure_signed_in
from community.settings import get_settings
from moderation import audit
from moderation.models import CannedReply

PLACEHOLDERS = ("customer_name", "thread_title")
PLACEHOLDER = re.compile(r"\{([\w.]*)\}")
MAX_TITLE = 100


@dataclass(frozen=True)
class CannedDraft:
    """What the form sends, checked: a title, a body and a language (None: any)."""

    title: str
    body: str
    language: str | None


def check_placeholders(body: str) -> None:
    for match in PLACEHOLDER.finditer(body):
        if match.group(1) not in PLACEHOLDERS:
            raise Invalid(
                "Unknown placeholder {%(name)s}: use {customer_name} or {thread_title}.",
                field="body",
                name=match.group(1)[:40],
            )


def validate(title: str, body: str, language: str) -> CannedDraft:
    """The form's fields as stored; Invalid carrying every field's problem (errors.Problems)."""
    problems = Problems()
    clean_title = problems.check(lambda: _valid_title(title))
    clean_body = problems.check(lambda: _valid_body(body))
    clean_language = problems.check(lambda: _valid_language(language))
    problems.raise_any()
    assert clean_title is not None and clean_body is not None
    return CannedDraft(title=clean_title, body=clean_body, language=clean_language or None)


def _valid_title(title: str) -> str:
    textrules.reject_control_characters(title, field="title")
    title = " ".join(title.split())
    if not title:
        raise Invalid("Give the template a title.", field="title")
    if len(title) > MAX_TITLE:
        raise Invalid(
            "The title can have at most %(count)s characters.", field="title", count=MAX_TITLE
        )
    return title


def _valid_body(body: str) -> str:
    body = posting.validate_body(body)
    check_placeholders(body)
    return body


def _valid_language(language: str) -> str:
    """A community language's code, or "" for a template in any language."""
    language = language.strip().lower()
    if language and language not in get_settings().languages:
        raise Invalid("Choose one of the community's languages.", field="language")
    return language


def _ensure_moderator(guardian: Guardian) -> None:
    ensure_signed_in(guardian)
    ensure(guardian.can_moderate(), "Only moderators can use canned replies.")


def _state(reply: CannedReply) -> dict[str, str | None]:
    return {"title": reply.title, "body": reply.body, "language": reply.language}


def list_replies(
    session: Session, guardian: Guardian, *, language: str | None = None
) -> list[CannedReply]:
    """Every template by title; with ``language``, that language's (and language-free) first."""
    _ensure_moderator(guardian)
    replies = list(session.exec(select(CannedReply).order_by(col(CannedReply.title))))
    if language:
        replies.sort(key=lambda r: r.language not in (None, language))
    return replies


def get_reply(session: Session, guardian: Guardian, reply_id: int) -> CannedReply:
    _ensure_moderator(guardian)
    reply = session.get(CannedReply, reply_id)
    if reply is None:
        raise NotFound("This canned reply does not exist.")
    return reply


def create_reply(
    session: Session, guardian: Guardian, *, title: str, body: str, language: str, clock: Clock
) -> CannedReply:
    _ensure_moderator(guardian)
    draft = validate(title, body, language)
    now = clock.now()
    reply = CannedReply(
        title=draft.title,
        body=draft.body,
        language=draft.language,
        created_by_id=guardian.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(reply)
    session.flush()
    assert reply.id is not None
    audit.record(
        session,
        actor_id=guardian.user_id,
        action="canned_reply_created",
        target_type="canned_reply",
        target_id=reply.id,
        before={},
        after=_state(reply),
        now=now,
    )
    session.commit()
    return reply


def update_reply(
    session: Session,
    guardian: Guardian,
    reply: CannedReply,
    *,
    title: str,
    body: str,
    language: str,
    clock: Clock,
    seen: str | None = None,
) -> CannedReply:
    """Save the moderator's version. ``seen``: the ``version`` of the template their form showed;
    when someone saved it since, a conflict (their save would silently undo the other's)."""
    _ensure_moderator(guardian)
    if seen is not None and seen != version(reply):
        raise Conflict(
            "Someone else saved this template while you were editing it. Your text is kept "
            "below and theirs is shown under it: merge them and save again."
        )
    draft = validate(title, body, language)
    before = _state(reply)
    reply.title, reply.body, reply.language = draft.title, draft.body, draft.language
    if _state(reply) == before:
        return reply
    now = clock.now()
    reply.updated_at = now
    session.add(reply)
    assert reply.id is not None
    audit.record(
        session,
        actor_id=guardian.user_id,
        action="canned_reply_updated",
        target_type="canned_reply",
        target_id=reply.id,
        before=before,
        after=_state(reply),
        now=now,
    )
    session.commit()
    return reply


def delete_reply(session: Session, guardian: Guardian, reply: CannedReply, *, clock: Clock) -> None:
    """Gone from the menu; the audit entry keeps its last text."""
    _ensure_moderator(guardian)
    assert reply.id is not None
    audit.record(
        session,
        actor_id=guardian.user_id,
        action="canned_reply_deleted",
        target_type="canned_reply",
        target_id=reply.id,
        before=_state(reply),
        after={},
        now=clock.now(),
    )
    session.delete(reply)
    session.commit()


def version(reply: CannedReply) -> str:
    """What an edit form carries to tell a stale save (moderation.canned.update_reply)."""
    return as_utc(reply.updated_at).isoformat()


def fill(session: Session, guardian: Guardian, reply: CannedReply, thread: Thread) -> str:
    """The template's text for ``thread``: its placeholders replaced, nothing else touched."""
    _ensure_moderator(guardian)
    asker = session.get(User, thread.author_id)
    values = {
        "customer_name": markdown.escape(asker.display_name) if asker is not None else "",
        "thread_title": markdown.escape(thread.title),
    }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), reply.body)


# The demo community's templates (``peerdesk seed``), in the brand's two languages: without them
# the canned-reply menu of a fresh demo is empty.
DEMO_REPLIES: tuple[CannedDraft, ...] = (
    CannedDraft(
        "Benvenuto, ce ne occupiamo noi",
        "Ciao {customer_name}, sono del team Connettia: grazie per averci segnalato "
        "«{thread_title}». Stiamo verificando e ti aggiorniamo qui entro la giornata.",
        "it",
    ),
    CannedDraft(
        "Verifica in privato",
        "Ciao {customer_name}, per controllare la tua linea ci servono i dati del contratto. "
        "Ti abbiamo scritto in privato: trovi il messaggio in «I tuoi casi». Per sicurezza, non "
        "pubblicare qui i tuoi dati personali.",
        "it",
    ),
    CannedDraft(
        "Hai risolto?",
        "Ciao {customer_name}, hai risolto? Se una delle risposte ti è stata utile, accettala "
        "come soluzione: così chi ha lo stesso problema la trova subito.",
        "it",
    ),
    CannedDraft(
        "Welcome, we're on it",
        "Hi {customer_name}, this is the Connettia team: thanks for reporting “{thread_title}”. "
        "We are looking into it and will update you here today.",
        "en",
    ),
    CannedDraft(
        "Checking privately",
        "Hi {customer_name}, to check your line we need your contract details. We have written "
        "to you privately: you will find the message under “Your cases”. To stay safe, please "
        "don't post personal details here.",
        "en",
    ),
    CannedDraft(
        "Is it solved?",
        "Hi {customer_name}, is it solved? If one of the answers helped, accept it as the "
        "solution: that way anyone with the same problem finds it straight away.",
        "en",
    ),
)


def install_demo() -> None:
    """``peerdesk seed`` also writes the demo's canned replies (``seed_demo``)."""
    from community.seed import loader

    if seed_demo not in loader.after_seed:
        loader.after_seed.append(seed_demo)


def seed_demo(session: Session) -> int:
    """The demo's canned replies, by the first staff member, when there are none yet (and staff
    to write them). Commits; returns how many rows were added."""
    if session.exec(select(CannedReply.id).limit(1)).first() is not None:
        return 0
    author = session.exec(
        select(User)
        .where(col(User.role).in_([Role.moderator, Role.admin]))
        .order_by(col(User.role) == Role.admin, col(User.id))
    ).first()
    if author is None or author.id is None:
        return 0
    session.add_all(
        CannedReply(
            title=draft.title,
            body=draft.body,
            language=draft.language,
            created_by_id=author.id,
            created_at=author.created_at,
            updated_at=author.created_at,
        )
        for draft in DEMO_REPLIES
    )
    session.commit()
    return len(DEMO_REPLIES)
