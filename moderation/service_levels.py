"""Service levels: each category's first-response target and the states a thread goes through.

The states are pure functions of UTC timestamps and a ``now`` that comes from the one clock:

- *unanswered*: nobody but the asker has replied (``first_response_at`` is null);
- *awaiting brand*: the thread needs the brand and no moderator or admin has replied yet
  (``first_official_at`` is null);
- *at risk*: at least 75% of the target has passed and the thread is still waiting;
- *breached*: the whole target has passed and the thread is still waiting.

"Waiting" means: for a thread that needs the brand, no official reply yet; for any other thread,
no reply from anyone but the asker. The clock stops at that reply. Both boundaries are inclusive:
at exactly 75% of the target the thread is at risk, at exactly 100% it is breached.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from community import events, params
from community.clock import Clock, as_utc
from community.errors import Invalid
from community.models import Category
from community.policy import Guardian, ensure, ensure_signed_in
from moderation import audit
from moderation.models import CareThread, ServiceLevel
from moderation.settings import get_settings

# At risk from this share of the target on: AT_RISK_NUMERATOR / AT_RISK_DENOMINATOR (75%).
AT_RISK_NUMERATOR = 3
AT_RISK_DENOMINATOR = 4
MIN_HOURS = 1
MAX_HOURS = 24 * 30


class SlaState(StrEnum):
    answered = "answered"  # the clock stopped: the reply that counts came
    on_track = "on_track"
    at_risk = "at_risk"
    breached = "breached"


@dataclass(frozen=True)
class ThreadTimes:
    """What the states are computed from (a CareThread has all of it)."""

    created_at: datetime
    due_at: datetime
    first_response_at: datetime | None
    first_official_at: datetime | None
    needs_brand: bool


@dataclass(frozen=True)
class ThreadStatus:
    unanswered: bool
    awaiting_brand: bool
    sla: SlaState
    waited: timedelta  # since the question, up to the reply that stopped the clock (or now)

    @property
    def waited_hours(self) -> int:
        return max(0, int(self.waited.total_seconds() // 3600))

    @property
    def is_at_risk(self) -> bool:
        return self.sla == SlaState.at_risk

    @property
    def is_breached(self) -> bool:
        return self.sla == SlaState.breached


def default_target() -> timedelta:
    return timedelta(hours=get_settings().default_first_response_hours)


def due_at(created_at: datetime, target: timedelta) -> datetime:
    return as_utc(created_at) + target


def is_unanswered(first_response_at: datetime | None) -> bool:
    return first_response_at is None


def is_awaiting_brand(needs_brand: bool, first_official_at: datetime | None) -> bool:
    return needs_brand and first_official_at is None


def times_of(care: CareThread) -> ThreadTimes:
    return ThreadTimes(
        created_at=care.created_at,
        due_at=care.due_at,
        first_response_at=care.first_response_at,
        first_official_at=care.first_official_at,
        needs_brand=care.needs_brand,
    )


def clock_stopped_at(times: ThreadTimes) -> datetime | None:
    """The reply that meets the target: an official one if the thread needs the brand."""
    return times.first_official_at if times.needs_brand else times.first_response_at


def sla_state(
    *, created_at: datetime, due_at: datetime, stopped_at: datetime | None, now: datetime
) -> SlaState:
    if stopped_at is not None:
        return SlaState.answered
    created, due, now = as_utc(created_at), as_utc(due_at), as_utc(now)
    if now >= due:
        return SlaState.breached
    # Integer arithmetic on microseconds: exactly 75% is at risk, one microsecond less is not.
    used, target = now - created, due - created
    if used * AT_RISK_DENOMINATOR >= target * AT_RISK_NUMERATOR:
        return SlaState.at_risk
    return SlaState.on_track


def at_risk_from(created_at: datetime, due_at: datetime) -> datetime:
    """The first moment the thread counts as at risk."""
    created = as_utc(created_at)
    return created + (as_utc(due_at) - created) * AT_RISK_NUMERATOR / AT_RISK_DENOMINATOR


def status(times: ThreadTimes, now: datetime) -> ThreadStatus:
    stopped = clock_stopped_at(times)
    end = as_utc(stopped) if stopped is not None else as_utc(now)
    return ThreadStatus(
        unanswered=is_unanswered(times.first_response_at),
        awaiting_brand=is_awaiting_brand(times.needs_brand, times.first_official_at),
        sla=sla_state(
            created_at=times.created_at, due_at=times.due_at, stopped_at=stopped, now=now
        ),
        waited=max(timedelta(0), end - as_utc(times.created_at)),
    )


# Targets ---------------------------------------------------------------------------------------


def targets(session: Session) -> dict[int, timedelta]:
    """The categories with their own target; the others use ``default_target()``."""
    rows = session.exec(select(ServiceLevel)).all()
    return {row.category_id: timedelta(hours=row.first_response_hours) for row in rows}


def target_for(session: Session, category_id: int) -> timedelta:
    row = session.get(ServiceLevel, category_id)
    return timedelta(hours=row.first_response_hours) if row is not None else default_target()


@dataclass(frozen=True)
class CategoryLevel:
    category: Category
    hours: int
    is_default: bool


def list_levels(session: Session, guardian: Guardian) -> list[CategoryLevel]:
    ensure_signed_in(guardian)
    ensure(guardian.can_manage_service_levels(), "Only admins can change service levels.")
    own = {row.category_id: row.first_response_hours for row in session.exec(select(ServiceLevel))}
    default_hours = get_settings().default_first_response_hours
    categories = session.exec(select(Category).order_by(col(Category.position), col(Category.name)))
    return [
        CategoryLevel(c, own.get(c.id, default_hours), c.id not in own)  # type: ignore[arg-type]
        for c in categories
    ]


def parse_hours(raw: str) -> int:
    hours = params.parse_number(raw, low=MIN_HOURS, high=MAX_HOURS)
    if hours is None:
        raise Invalid(
            "The target is a whole number of hours from %(low)s to %(high)s.",
            field="hours",
            low=MIN_HOURS,
            high=MAX_HOURS,
        )
    return hours


def set_target(
    session: Session, guardian: Guardian, category: Category, *, hours: int, clock: Clock
) -> ServiceLevel:
    """Set a category's first-response target (admins). The care worker moves the deadlines of
    the category's threads when it sees ``service_level_changed``."""
    ensure_signed_in(guardian)
    ensure(guardian.can_manage_service_levels(), "Only admins can change service levels.")
    if not MIN_HOURS <= hours <= MAX_HOURS:
        raise Invalid(
            "The target is a whole number of hours from %(low)s to %(high)s.",
            field="hours",
            low=MIN_HOURS,
            high=MAX_HOURS,
        )
    assert category.id is not None
    now = clock.now()
    row = session.get(ServiceLevel, category.id)
    before = int(target_for(session, category.id).total_seconds() // 3600)
    if row is None:
        row = ServiceLevel(category_id=category.id, first_response_hours=hours)
    row.first_response_hours = hours
    session.add(row)
    audit.record(
        session,
        actor_id=guardian.user_id,
        action="service_level_set",
        target_type="category",
        target_id=category.id,
        before={"first_response_hours": before},
        after={"first_response_hours": hours},
        now=now,
    )
    events.record(
        session,
        "service_level_changed",
        at=now,
        category_id=category.id,
        first_response_hours=hours,
        by_id=guardian.user_id,
    )
    session.commit()
    return row
