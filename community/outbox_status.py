"""How the outbox's consumers are doing, for the operator (``peerdesk outbox``) and the admins'
page (moderation.outbox_health): what waits, what fails and is being retried, and what was parked
after ``events.MAX_ATTEMPTS``, with the latest errors; and putting parked deliveries back once the
cause is fixed (an SMTP password, a CRM address). Reads only unfinished deliveries (the partial
index ix_outbox_delivery_pending)."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import case, func, update
from sqlmodel import Session, col, select

from community.clock import as_utc
from community.events import OutboxDelivery, OutboxEvent

RECENT_FAILURES = 5


@dataclass(frozen=True)
class ConsumerStatus:
    consumer: str
    waiting: int  # due or scheduled, never failed
    retrying: int  # failed at least once, to be tried again
    parked: int  # given up on until an operator puts it back
    oldest: datetime | None  # the oldest unfinished, not parked delivery's event

    @property
    def troubled(self) -> bool:
        """Something of this consumer failed and is not delivered yet."""
        return self.retrying > 0 or self.parked > 0


@dataclass(frozen=True)
class Failure:
    consumer: str
    event_id: int
    event_name: str
    attempts: int
    parked: bool
    error: str
    event_at: datetime  # when the event happened
    retry_at: datetime | None  # the next attempt, None while parked
    parked_at: datetime | None


def status(session: Session, *, consumer: str | None = None) -> list[ConsumerStatus]:
    """Each consumer with unfinished deliveries (or only ``consumer``), by name."""
    delivery = OutboxDelivery
    failed = col(delivery.attempts) > 0
    parked = col(delivery.parked_at).is_not(None)
    query = (
        sa.select(
            col(delivery.consumer),
            func.sum(case((~failed & ~parked, 1), else_=0)),
            func.sum(case((failed & ~parked, 1), else_=0)),
            func.sum(case((parked, 1), else_=0)),
            func.min(case((~parked, col(OutboxEvent.created_at)), else_=None)),
        )
        .join(OutboxEvent, col(OutboxEvent.id) == col(delivery.event_id))
        .where(col(delivery.done_at).is_(None))
        .group_by(col(delivery.consumer))
        .order_by(col(delivery.consumer))
    )
    if consumer is not None:
        query = query.where(col(delivery.consumer) == consumer)
    return [
        ConsumerStatus(name, int(waiting), int(retrying), int(stuck), _aware(oldest))
        for name, waiting, retrying, stuck, oldest in session.execute(query).all()
    ]


def _aware(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def recent_failures(session: Session, *, limit: int = RECENT_FAILURES) -> list[Failure]:
    """The latest unfinished deliveries that have failed, newest event first."""
    query = (
        select(OutboxDelivery, col(OutboxEvent.name), col(OutboxEvent.created_at))
        .join(OutboxEvent, col(OutboxEvent.id) == col(OutboxDelivery.event_id))
        .where(col(OutboxDelivery.done_at).is_(None), col(OutboxDelivery.attempts) > 0)
        .order_by(col(OutboxDelivery.event_id).desc())
        .limit(limit)
    )
    return [
        Failure(
            consumer=row.consumer,
            event_id=row.event_id,
            event_name=name,
            attempts=row.attempts,
            parked=row.parked_at is not None,
            error=row.last_error or "",
            event_at=as_utc(event_at),
            retry_at=as_utc(row.available_at) if row.parked_at is None else None,
            parked_at=_aware(row.parked_at),
        )
        for row, name, event_at in session.execute(query).all()
    ]


def retry_parked(session: Session, *, now: datetime, consumer: str | None = None) -> int:
    """Put the parked deliveries (of ``consumer``, or all) back in line and commit; returns how
    many."""
    moved = put_back_parked(session, now=now, consumer=consumer)
    session.commit()
    return moved


def put_back_parked(session: Session, *, now: datetime, consumer: str | None = None) -> int:
    """Make the parked deliveries (of ``consumer``, or all) due now, with a fresh count of
    attempts, in the caller's transaction (an admin's retry commits it with its audit entry);
    returns how many."""
    query = (
        update(OutboxDelivery)
        .where(col(OutboxDelivery.done_at).is_(None), col(OutboxDelivery.parked_at).is_not(None))
        .values(parked_at=None, attempts=0, available_at=now)
    )
    if consumer is not None:
        query = query.where(col(OutboxDelivery.consumer) == consumer)
    moved = session.execute(query).rowcount  # type: ignore[attr-defined]
    return int(moved)
