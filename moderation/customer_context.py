"""Who is asking, for the moderator answering: the asker's other questions and their private
cases still going, above the thread. The care team sees a customer's history where they answer,
instead of asking the customer to repeat it (or sending them from office to office).

Only moderators see it (``for_thread`` answers None for anyone else); what it lists is what a
moderator may open anyway: hidden threads too, never deleted ones.
"""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from community.models import Thread, User
from community.policy import Guardian
from moderation.models import CaseStatus, SupportCase

RECENT_THREADS = 5
OPEN_CASES = 3


@dataclass(frozen=True)
class CustomerContext:
    customer: User
    other_threads: int  # besides this one, not deleted
    recent_threads: list[Thread]  # the latest of them, newest first
    open_cases: list[SupportCase]  # not closed, latest activity first
    open_case_count: int


def for_thread(session: Session, guardian: Guardian, thread: Thread) -> CustomerContext | None:
    if not guardian.can_moderate() or thread.id is None:
        return None
    customer = session.get(User, thread.author_id)
    if customer is None or customer.is_moderator:
        return None  # the brand's own staff asking need no file
    others = (
        col(Thread.author_id) == customer.id,
        col(Thread.id) != thread.id,
        col(Thread.deleted_at).is_(None),
        col(Thread.merged_into_id).is_(None),
    )
    count = session.exec(select(func.count()).select_from(Thread).where(*others)).one()
    recent = session.exec(
        select(Thread)
        .where(*others)
        .order_by(col(Thread.created_at).desc(), col(Thread.id).desc())
        .limit(RECENT_THREADS)
    ).all()
    going = (
        col(SupportCase.customer_id) == customer.id,
        col(SupportCase.status) != CaseStatus.closed,
    )
    case_count = session.exec(select(func.count()).select_from(SupportCase).where(*going)).one()
    cases = session.exec(
        select(SupportCase)
        .where(*going)
        .order_by(col(SupportCase.updated_at).desc(), col(SupportCase.id).desc())
        .limit(OPEN_CASES)
    ).all()
    return CustomerContext(
        customer=customer,
        other_threads=int(count),
        recent_threads=list(recent),
        open_cases=list(cases),
        open_case_count=int(case_count),
    )
