"""The background deliveries' health in JSON, for admins (``/api/v1/admin/outbox``): the figures
of the ``/mod/outbox`` page, and putting parked deliveries back in line. Members and moderators get
403 and anonymous clients 401 before anything else is looked at.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from community import events, i18n, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.outbox_status import ConsumerStatus, Failure
from moderation import outbox_health


def _admin_only(guardian: GuardianDep) -> None:
    # Before the body is validated: whoever may not see the outbox learns only that.
    outbox_health.ensure_can_manage(guardian)


router = APIRouter(
    prefix="/api/v1/admin/outbox", tags=["admin"], dependencies=[Depends(_admin_only)]
)


class ConsumerHealthPublic(BaseModel):
    consumer: str = Field(description="The consumer's name, as `POST .../retry` takes it.")
    description: str | None = Field(description="What it delivers, in the reader's language.")
    waiting: int = Field(description="Deliveries due or scheduled that never failed.")
    retrying: int = Field(description="Deliveries that failed and will be tried again.")
    parked: int = Field(description="Deliveries given up on until an admin retries them.")
    oldest_at: datetime | None = Field(
        description="When the oldest event still in line (parked ones aside) happened."
    )
    oldest_age_seconds: int | None
    needs_attention: bool = Field(description="Something is parked or being retried.")

    @classmethod
    def of(cls, row: ConsumerStatus, *, now: datetime, language: str) -> "ConsumerHealthPublic":
        label = outbox_health.CONSUMER_LABELS.get(row.consumer)
        age = max(0, int((now - row.oldest).total_seconds())) if row.oldest else None
        return cls(
            consumer=row.consumer,
            description=i18n.gettext(language, label) if label else None,
            waiting=row.waiting,
            retrying=row.retrying,
            parked=row.parked,
            oldest_at=row.oldest,
            oldest_age_seconds=age,
            needs_attention=row.troubled,
        )


class FailurePublic(BaseModel):
    consumer: str
    event_id: int
    event_name: str
    event_at: datetime
    attempts: int
    parked: bool
    parked_at: datetime | None
    retry_at: datetime | None = Field(description="The next attempt; null while parked.")
    error: str = Field(description="The last attempt's error, as the handler raised it.")

    @classmethod
    def of(cls, failure: Failure) -> "FailurePublic":
        return cls(
            consumer=failure.consumer,
            event_id=failure.event_id,
            event_name=failure.event_name,
            event_at=failure.event_at,
            attempts=failure.attempts,
            parked=failure.parked,
            parked_at=failure.parked_at,
            retry_at=failure.retry_at,
            error=failure.error,
        )


class OutboxHealthPublic(BaseModel):
    max_attempts: int = Field(description="Failed attempts after which a delivery is parked.")
    consumers: list[ConsumerHealthPublic] = Field(
        description="Every consumer: those that need attention first, then by name."
    )
    failures: list[FailurePublic] = Field(description="The latest failures, newest event first.")


class OutboxRetry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consumer: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        description="Only this consumer's parked deliveries; every consumer's when left out.",
    )


class OutboxRetried(BaseModel):
    consumer: str | None = Field(description="null: every consumer.")
    put_back: int = Field(description="How many parked deliveries are back in line (maybe 0).")


@router.get("", response_model=OutboxHealthPublic)
def outbox_health_json(
    request: Request, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> OutboxHealthPublic:
    """Admins only: per consumer what waits, is retried or was parked, and the latest failures."""
    health = outbox_health.health(session, guardian)
    now, language = clock.now(), web.language_of(request)
    return OutboxHealthPublic(
        max_attempts=events.MAX_ATTEMPTS,
        consumers=[
            ConsumerHealthPublic.of(r, now=now, language=language) for r in health.consumers
        ],
        failures=[FailurePublic.of(f) for f in health.failures],
    )


@router.post("/retry", response_model=OutboxRetried)
def retry_parked(
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    payload: Annotated[OutboxRetry | None, Body()] = None,
) -> OutboxRetried:
    """Admins only: put the parked deliveries (of `consumer`, or all) back in line, due now;
    audited when any were parked. 422 for a consumer that does not exist."""
    consumer = payload.consumer if payload is not None else None
    retried = outbox_health.retry_parked(session, guardian, consumer=consumer, clock=clock)
    return OutboxRetried(consumer=retried.consumer, put_back=retried.put_back)
