"""The outbox's health for admins (``/mod/outbox``, ``/api/v1/admin/outbox``): per consumer what
waits, what failed and is being retried and what was parked, with the latest failures; and putting
parked deliveries back once their cause is fixed, audited. The figures are those of
community.outbox_status, which ``peerdesk outbox`` prints too.
"""

from dataclasses import dataclass

from sqlmodel import Session

from community import events, outbox_status
from community.clock import Clock
from community.errors import Forbidden, Invalid
from community.i18n import N_
from community.outbox_status import ConsumerStatus, Failure
from community.policy import Guardian, ensure_signed_in
from moderation import audit

FAILURES_SHOWN = 20
AUDIT_ACTION = "retry_parked_deliveries"
AUDIT_TARGET = "outbox"  # the outbox has no row of its own: entries name the consumer instead

# What each consumer of main.configure_consumers does, for admins who do not know the codes.
CONSUMER_LABELS = {
    "mail": N_("E-mail: password resets, address confirmations, notification digests"),
    "webhooks": N_("CRM webhook"),
    "notifications": N_("Notifications"),
    "badges": N_("Badges"),
    "embeddings": N_("Text embeddings"),
    "signals": N_("Moderation signals"),
    "search": N_("Search index"),
    "suggestions": N_("Similar-thread suggestions"),
    "care": N_("Care queue"),
    "satisfaction": N_("Satisfaction surveys"),
    "audit": N_("Audit log of the community's own actions"),
}


@dataclass(frozen=True)
class Health:
    consumers: list[ConsumerStatus]  # every registered one, idle too: troubled first, by name
    failures: list[Failure]  # newest event first

    @property
    def parked(self) -> int:
        return sum(row.parked for row in self.consumers)


@dataclass(frozen=True)
class Retried:
    consumer: str | None  # None: every consumer
    put_back: int


def ensure_can_manage(guardian: Guardian) -> None:
    """Admins only: anyone else is refused, and someone signed out is asked to sign in."""
    if guardian.can_manage_outbox():
        return
    ensure_signed_in(guardian)
    raise Forbidden("Only administrators can see and retry the background deliveries.")


def health(session: Session, guardian: Guardian) -> Health:
    ensure_can_manage(guardian)
    busy = {row.consumer: row for row in outbox_status.status(session)}
    # A consumer no longer registered still shows while it has deliveries left.
    names = {*events.registry.consumers, *busy}
    rows = [busy.get(name) or ConsumerStatus(name, 0, 0, 0, None) for name in names]
    return Health(
        consumers=sorted(rows, key=lambda row: (not row.troubled, row.consumer)),
        failures=outbox_status.recent_failures(session, limit=FAILURES_SHOWN),
    )


def known_consumer(name: str) -> str:
    """``name`` if a registered consumer has it, else Invalid naming the ones there are."""
    if name in events.registry.consumers:
        return name
    raise Invalid(
        "There is no consumer called %(name)s. The consumers are: %(known)s.",
        field="consumer",
        name=name,
        known=", ".join(sorted(events.registry.consumers)),
    )


def retry_parked(
    session: Session, guardian: Guardian, *, consumer: str | None, clock: Clock
) -> Retried:
    """Put the parked deliveries of ``consumer`` (None: of every consumer) back in line, due
    now; the audit entry keeps the counts before and after. Nothing parked: nothing is logged."""
    ensure_can_manage(guardian)
    if consumer is not None:
        consumer = known_consumer(consumer)
    now = clock.now()
    before = _counts(session, consumer)
    moved = outbox_status.put_back_parked(session, now=now, consumer=consumer)
    if moved:
        audit.record(
            session,
            actor_id=guardian.user_id,
            action=AUDIT_ACTION,
            target_type=AUDIT_TARGET,
            target_id=0,
            before=before,
            after=_counts(session, consumer),
            now=now,
        )
    session.commit()  # the deliveries and their audit entry together
    return Retried(consumer=consumer, put_back=moved)


def _counts(session: Session, consumer: str | None) -> dict[str, int | str | None]:
    rows = outbox_status.status(session, consumer=consumer)
    return {
        "consumer": consumer,
        "waiting": sum(row.waiting for row in rows),
        "retrying": sum(row.retrying for row in rows),
        "parked": sum(row.parked for row in rows),
    }
