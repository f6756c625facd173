"""Deflection tracking for the similar-thread suggestions: shown, opened, posted anyway.

An asking session is a random token kept in the browser session (``SESSION_KEY``) while a signed-in
customer types a question. Each distinct set of suggestions shown is an impression; opening one
goes through ``/s/click/<token>/<thread id>`` (a click); and when that customer then creates a
thread, the ``suggestions`` outbox consumer ties it to their latest impression of the last hour
(posted anyway). Once a token has led to a question, the next asking starts a new token.
"""

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from community import account_erasure, events
from community.clock import Clock
from community.events import OutboxEvent
from community.models import User
from community.policy import Guardian
from search.models import SuggestionEvent, SuggestionKind

CONSUMER = "suggestions"
SESSION_KEY = "ask_token"
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,40}")
POSTED_WITHIN = timedelta(hours=1)


def new_token() -> str:
    return secrets.token_urlsafe(18)


def is_token(value: str | None) -> bool:
    return value is not None and TOKEN_RE.fullmatch(value) is not None


def _events(session: Session, token: str, kind: SuggestionKind) -> list[SuggestionEvent]:
    return list(
        session.exec(
            select(SuggestionEvent)
            .where(col(SuggestionEvent.token) == token, col(SuggestionEvent.kind) == kind.value)
            .order_by(col(SuggestionEvent.id))
        )
    )


def asking_token(session: Session, current: str | None) -> str:
    """The token of this asking session: ``current`` unless a question was already posted with
    it (or it is not a token at all), in which case a new one."""
    if current is None or not is_token(current):
        return new_token()
    if _events(session, current, SuggestionKind.posted):
        return new_token()
    return current


def record_impression(
    session: Session, guardian: Guardian, *, token: str, thread_ids: list[int], clock: Clock
) -> None:
    """Suggestions ``thread_ids`` (in the order shown) were shown to the asker; the same set
    shown again in the same asking session is not counted twice."""
    if not thread_ids or not is_token(token) or not guardian.is_authenticated:
        return
    shown = ",".join(str(thread_id) for thread_id in thread_ids)
    earlier = _events(session, token, SuggestionKind.impression)
    if earlier and earlier[-1].shown == shown:
        return
    session.add(
        SuggestionEvent(
            kind=SuggestionKind.impression.value,
            token=token,
            user_id=guardian.user_id,
            shown=shown,
            created_at=clock.now(),
        )
    )
    session.commit()


def record_click(session: Session, *, token: str, thread_id: int, clock: Clock) -> bool:
    """The suggestion ``thread_id`` shown under ``token`` was opened. False (nothing recorded)
    unless that thread was actually suggested in that asking session."""
    if not is_token(token):
        return False
    impressions = _events(session, token, SuggestionKind.impression)
    shown = [i for i in impressions if str(thread_id) in (i.shown or "").split(",")]
    if not shown:
        return False
    session.add(
        SuggestionEvent(
            kind=SuggestionKind.click.value,
            token=token,
            user_id=shown[-1].user_id,
            thread_id=thread_id,
            created_at=clock.now(),
        )
    )
    session.commit()
    return True


def _on_thread_created(session: Session, event: OutboxEvent) -> None:
    """The asker posted anyway: tie the new thread to their latest impression of the last hour."""
    author_id = event.data.get("author_id")
    if author_id is None or event.thread_id is None:
        return
    latest = session.exec(
        select(SuggestionEvent)
        .where(
            col(SuggestionEvent.user_id) == author_id,
            col(SuggestionEvent.kind) == SuggestionKind.impression.value,
            col(SuggestionEvent.created_at) >= event.created_at - POSTED_WITHIN,
            col(SuggestionEvent.created_at) <= event.created_at,
        )
        .order_by(col(SuggestionEvent.created_at).desc(), col(SuggestionEvent.id).desc())
        .limit(1)
    ).first()
    if latest is None or _events(session, latest.token, SuggestionKind.posted):
        return  # never saw suggestions, or that asking session already led to a question
    session.add(
        SuggestionEvent(
            kind=SuggestionKind.posted.value,
            token=latest.token,
            user_id=author_id,
            thread_id=event.thread_id,
            created_at=event.created_at,
        )
    )


def consumer() -> events.Consumer:
    """Records "posted anyway" when someone who was shown suggestions creates a thread."""
    return events.Consumer(name=CONSUMER, handlers={"thread_created": _on_thread_created})


def forget_member(session: Session, user: User, guardian: Guardian, now: datetime) -> None:  # noqa: ARG001
    """A deleted account's suggestion events stay in the deflection figures, unattributed."""
    session.execute(
        update(SuggestionEvent).where(col(SuggestionEvent.user_id) == user.id).values(user_id=None)
    )


def install() -> None:
    """Register ``forget_member`` with account deletion (main.configure_consumers calls this)."""
    if forget_member not in account_erasure.before_erase:
        account_erasure.before_erase.append(forget_member)
