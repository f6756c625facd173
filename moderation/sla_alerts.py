"""Telling a moderator that a thread they claimed is close to missing its first-response target.

A claimed thread still waiting for the reply that meets its target is at risk from 75% of the
target on (service_levels.at_risk_from). The care consumer's idle step (``alert_due``) finds the
ones whose assignee has not been told yet and tells them once: a notification, which comes by
e-mail too when they have not seen it on the site in time (community.notification_mail), and a
``thread_at_risk`` event. A thread passed to another moderator tells the new one in turn.
"""

from datetime import datetime

from sqlmodel import Session, col, or_, select

from community import events
from community.db import take_write_lock
from community.models import Notification, NotificationKind
from moderation.models import CareThread
from moderation.service_levels import at_risk_from, clock_stopped_at, times_of


def _untold(session: Session) -> list[CareThread]:
    """Claimed threads in the queue still waiting for an answer, whose assignee was not told."""
    return list(
        session.exec(
            select(CareThread).where(
                col(CareThread.assignee_id).is_not(None),
                col(CareThread.in_queue).is_(True),
                col(CareThread.locked).is_(False),
                col(CareThread.solution_s).is_(None),
                or_(
                    col(CareThread.risk_alerted_id).is_(None),
                    col(CareThread.risk_alerted_id) != col(CareThread.assignee_id),
                ),
            )
        )
    )


def _at_risk(care: CareThread, now: datetime) -> bool:
    times = times_of(care)
    return clock_stopped_at(times) is None and now >= at_risk_from(care.created_at, care.due_at)


def alert_due(session: Session, now: datetime) -> int:
    """Tell the assignees of the claimed threads that have just come at risk; returns how many."""
    if not any(_at_risk(care, now) for care in _untold(session)):
        return 0  # the usual answer, read without the write lock
    session.rollback()
    take_write_lock(session)  # two workers must not both tell
    told = 0
    for care in _untold(session):
        if not _at_risk(care, now) or care.assignee_id is None:
            continue
        event = events.record(
            session,
            "thread_at_risk",
            at=now,
            thread_id=care.thread_id,
            assignee_id=care.assignee_id,
            due_at=care.due_at,
        )
        assert event.id is not None
        session.add(
            Notification(
                user_id=care.assignee_id,
                kind=NotificationKind.sla_at_risk,
                event_id=event.id,
                thread_id=care.thread_id,
                created_at=now,
            )
        )
        care.risk_alerted_id = care.assignee_id
        session.add(care)
        told += 1
    return told
