"""Satisfaction (CSAT): "Did this solve your problem?", asked once of the asker.

When a thread is solved (``solution_accepted``) the worker asks its author; when a private case is
resolved (``case_updated`` with status ``resolved``) it asks the case's customer. Asking means a
pending :class:`SatisfactionResponse` row and a notification (kind ``survey`` for a thread,
``case_survey`` for a case), made together by the outbox consumer. A survey is asked once per
asker and thread (or case): accepting another solution, unmarking and accepting again, or
resolving a reopened case finds the row and asks nothing. Nobody is asked about an answer they
wrote themselves.

Accepting an answer is the asker's own answer to the question: when the asker (not a moderator)
chose the solution, their row is answered there and then with the top rating and
``answered_by_accepting``, no notification is sent and the thread shows no question; for the asker
it is as if no survey existed. A question already waiting (a moderator chose first) is answered
the same way, unless the asker had answered it already. So the figures count every asker who said
"this solved it", and the survey is left for threads a moderator or the brand's official reply
solved without the asker saying so.

Only the asker answers, once (a second answer is a Conflict): a rating from 1 to 5 and an
optional comment of up to 1,000 characters. Nobody else ever reads an answer (for them the survey
does not exist); the brand sees only the figures of :func:`csat`.
"""

from datetime import datetime
from typing import Any, Final

from sqlalchemy import and_, func, literal, or_, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from community import events, params, textrules
from community.clock import Clock
from community.errors import Conflict, Invalid, NotAuthenticated, NotFound
from community.models import Notification, NotificationKind, Post, Solution, Thread, User
from community.policy import Guardian
from moderation import cases
from moderation.models import CareThread, CaseStatus, SatisfactionResponse, SupportCase

CONSUMER: Final = "satisfaction"
MIN_RATING: Final = 1
MAX_RATING: Final = 5
MAX_COMMENT: Final = 1000
ACCEPTED_RATING: Final = MAX_RATING  # "did this solve your problem?" answered "it did"
ANSWERED_EVENT: Final = "satisfaction_answered"


# Asking (outbox consumer) -----------------------------------------------------------------------


def consumer() -> events.Consumer:
    return events.Consumer(
        name=CONSUMER,
        handlers={
            "solution_accepted": on_solution_accepted,
            "case_updated": on_case_updated,
        },
    )


def on_solution_accepted(session: Session, event: events.OutboxEvent) -> None:
    """Ask the thread's author, if the solution still stands and is someone else's answer."""
    post = session.get(Post, int(event.data["post_id"]))
    if post is None or post.is_deleted:
        return
    thread = session.get(Thread, post.thread_id)
    if thread is None or thread.id is None or thread.is_deleted:
        return
    solution = session.get(Solution, thread.id)
    if solution is None or solution.post_id != post.id:
        return  # unmarked (or replaced) before we got here: the new one asks, if anything
    if post.author_id == thread.author_id:
        return  # they answered their own question
    if not _active(session, thread.author_id):
        return
    accepted_by_id = int(event.data["accepted_by_id"])
    if accepted_by_id == thread.author_id:
        _answer_by_accepting(session, event, user_id=thread.author_id, thread_id=thread.id)
        return
    _ask(
        session,
        event,
        user_id=thread.author_id,
        thread_id=thread.id,
        case_id=None,
        kind=NotificationKind.survey,
        notice_thread_id=thread.id,
        post_id=post.id,
        actor_id=accepted_by_id,
    )


def on_case_updated(session: Session, event: events.OutboxEvent) -> None:
    """Ask the customer when their case is resolved (and still is, or has since been closed)."""
    if event.data.get("status") != CaseStatus.resolved:
        return
    case = session.get(SupportCase, int(event.data["case_id"]))
    if case is None or case.id is None:
        return
    if case.status not in cases.SETTLED:
        return  # reopened before we got here: resolving it again will ask
    if not _active(session, case.customer_id):
        return
    _ask(
        session,
        event,
        user_id=case.customer_id,
        thread_id=None,
        case_id=case.id,
        kind=NotificationKind.case_survey,
        notice_thread_id=case.thread_id,
        post_id=None,
        actor_id=event.data.get("by_id"),
    )


def _active(session: Session, user_id: int) -> bool:
    user = session.get(User, user_id)
    return user is not None and user.is_active


def _ask(
    session: Session,
    event: events.OutboxEvent,
    *,
    user_id: int,
    thread_id: int | None,
    case_id: int | None,
    kind: NotificationKind,
    notice_thread_id: int | None,
    post_id: int | None,
    actor_id: Any,
) -> None:
    query = select(col(SatisfactionResponse.id)).where(col(SatisfactionResponse.user_id) == user_id)
    if thread_id is not None:
        query = query.where(col(SatisfactionResponse.thread_id) == thread_id)
    else:
        query = query.where(col(SatisfactionResponse.case_id) == case_id)
    if session.exec(query).first() is not None:
        return  # asked once, whatever happened since
    assert event.id is not None
    session.add(
        SatisfactionResponse(
            thread_id=thread_id, case_id=case_id, user_id=user_id, asked_at=event.created_at
        )
    )
    session.add(
        Notification(
            user_id=user_id,
            kind=kind,
            event_id=event.id,
            actor_id=actor_id if isinstance(actor_id, int) else None,
            thread_id=notice_thread_id,
            post_id=post_id,
            created_at=event.created_at,
        )
    )
    session.flush()


def _answer_by_accepting(
    session: Session, event: events.OutboxEvent, *, user_id: int, thread_id: int
) -> None:
    """The asker accepted an answer: their survey about the thread is answered, positively."""
    at = event.created_at
    survey = session.exec(
        select(SatisfactionResponse).where(
            col(SatisfactionResponse.thread_id) == thread_id,
            col(SatisfactionResponse.user_id) == user_id,
        )
    ).first()
    if survey is None:
        survey = SatisfactionResponse(thread_id=thread_id, user_id=user_id, asked_at=at)
    elif survey.answered_at is not None:
        return  # they answered already: their own rating stands
    else:
        _mark_question_read(session, survey, NotificationKind.survey, thread_id, at=at)
    survey.rating = ACCEPTED_RATING
    survey.answered_at = at
    survey.answered_by_accepting = True
    session.add(survey)
    session.flush()
    events.record(
        session,
        ANSWERED_EVENT,
        at=at,
        thread_id=thread_id,
        survey_id=survey.id,
        case_id=None,
        user_id=user_id,
        rating=ACCEPTED_RATING,
        by_accepting=True,
    )


def install() -> None:
    """A seeded community gets the surveys its accepted answers imply (``backfill``)."""
    from community.seed import loader

    if backfill not in loader.after_seed:
        loader.after_seed.append(backfill)


def backfill(session: Session) -> int:
    """The surveys that solutions accepted without events imply (``peerdesk seed`` writes rows,
    not events): an asker who accepted someone else's answer answered "it did", as
    ``_answer_by_accepting`` records it. Threads with a survey keep it. Commits; returns how many
    rows were added. Running it twice adds nothing."""
    asker = col(Thread.author_id)
    implied = (
        sql_select(  # sqlmodel's select takes four columns at most
            col(Solution.thread_id),
            asker,
            col(Solution.accepted_at),
            col(Solution.accepted_at),
            literal(ACCEPTED_RATING),
            literal(""),
            literal(True),
        )
        .join(Thread, col(Thread.id) == col(Solution.thread_id))
        .join(Post, col(Post.id) == col(Solution.post_id))
        .join(User, col(User.id) == asker)
        .where(
            col(Solution.accepted_by_id) == asker,
            col(Post.author_id) != asker,
            col(Post.deleted_at).is_(None),
            col(Thread.deleted_at).is_(None),
            col(User.is_active),
            ~select(col(SatisfactionResponse.id))
            .where(
                col(SatisfactionResponse.thread_id) == col(Solution.thread_id),
                col(SatisfactionResponse.user_id) == asker,
            )
            .exists(),
        )
    )
    table = SatisfactionResponse.__table__  # type: ignore[attr-defined]
    # Counted, not read from rowcount: psycopg reports -1 for an INSERT ... SELECT here.
    before = session.scalar(select(func.count()).select_from(SatisfactionResponse)) or 0
    session.execute(
        table.insert().from_select(
            [
                "thread_id",
                "user_id",
                "asked_at",
                "answered_at",
                "rating",
                "comment",
                "answered_by_accepting",
            ],
            implied,
        )
    )
    after = session.scalar(select(func.count()).select_from(SatisfactionResponse)) or 0
    session.commit()
    return int(after) - int(before)


def _mark_question_read(
    session: Session,
    survey: SatisfactionResponse,
    kind: NotificationKind,
    thread_id: int,
    *,
    at: datetime,
) -> None:
    """The notification that asked has done its job. It was made with the survey, at the moment
    it was asked: that tells it from another case's survey about the same thread."""
    session.execute(
        update(Notification)
        .where(
            col(Notification.user_id) == survey.user_id,
            col(Notification.kind) == kind,
            col(Notification.thread_id) == thread_id,
            col(Notification.created_at) == survey.asked_at,
            col(Notification.read_at).is_(None),
        )
        .values(read_at=at)
    )


# Reading one's own survey ---------------------------------------------------------------------


def own_thread_survey(
    session: Session, guardian: Guardian, thread: Thread
) -> SatisfactionResponse | None:
    """The viewer's survey about ``thread`` (pending or answered), if they were asked: accepting
    an answer themselves is not being asked."""
    if guardian.user is None or thread.id is None:
        return None
    return session.exec(
        select(SatisfactionResponse).where(
            col(SatisfactionResponse.thread_id) == thread.id,
            col(SatisfactionResponse.user_id) == guardian.user_id,
            col(SatisfactionResponse.answered_by_accepting).is_(False),
        )
    ).first()


def own_case_survey(
    session: Session, guardian: Guardian, case: SupportCase
) -> SatisfactionResponse | None:
    """The viewer's survey about ``case``, if they (its customer) were asked."""
    if guardian.user is None or case.id is None:
        return None
    return session.exec(
        select(SatisfactionResponse).where(
            col(SatisfactionResponse.case_id) == case.id,
            col(SatisfactionResponse.user_id) == guardian.user_id,
        )
    ).first()


def thread_survey(session: Session, guardian: Guardian, thread_id: int) -> SatisfactionResponse:
    """The caller's survey about a thread; NotFound for anyone who was not asked about it."""
    if not guardian.is_authenticated:
        raise NotAuthenticated("Please log in first.")
    thread = session.get(Thread, thread_id)
    if thread is None or not guardian.can_see_thread(thread):
        raise NotFound("This thread does not exist.")
    survey = own_thread_survey(session, guardian, thread)
    if survey is None:
        raise NotFound("There is no satisfaction survey for you here.")
    return survey


def case_survey(session: Session, guardian: Guardian, case_id: int) -> SatisfactionResponse:
    """The caller's survey about a case; NotFound for anyone who was not asked about it."""
    case = cases.get_case(session, guardian, case_id)
    survey = own_case_survey(session, guardian, case)
    if survey is None:
        raise NotFound("There is no satisfaction survey for you here.")
    return survey


# Answering ------------------------------------------------------------------------------------


def parse_rating(value: str) -> int:
    """A rating from a form field ("1".."5"); Invalid on the ``rating`` field otherwise."""
    rating = params.parse_number(value, high=5)
    if rating is None:
        raise Invalid("Choose a rating from 1 to 5.", field="rating")
    return rating


def answer(
    session: Session,
    guardian: Guardian,
    survey: SatisfactionResponse,
    *,
    rating: int,
    comment: str = "",
    clock: Clock,
) -> SatisfactionResponse:
    """The asker's answer: ``rating`` 1..5 and an optional comment; once."""
    if not guardian.is_authenticated:
        raise NotAuthenticated("Please log in first.")
    if survey.user_id != guardian.user_id:
        raise NotFound("There is no satisfaction survey for you here.")
    if survey.answered_at is not None:
        raise Conflict("You have already answered this question. Thank you!")
    if not MIN_RATING <= rating <= MAX_RATING:
        raise Invalid("Choose a rating from 1 to 5.", field="rating")
    comment = textrules.reject_control_characters(comment, field="comment", multiline=True)
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid(
            "The comment can have at most %(count)s characters.",
            field="comment",
            count=MAX_COMMENT,
        )
    now = clock.now()
    # Only a still-pending row takes the answer: of two answers at the same time, one wins.
    taken = session.execute(
        update(SatisfactionResponse)
        .where(
            col(SatisfactionResponse.id) == survey.id,
            col(SatisfactionResponse.answered_at).is_(None),
        )
        .values(rating=rating, comment=comment, answered_at=now)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict("You have already answered this question. Thank you!")
    thread_id = survey.thread_id
    if survey.case_id is not None:
        case = session.get(SupportCase, survey.case_id)
        thread_id = case.thread_id if case is not None else None
    kind = NotificationKind.survey if survey.case_id is None else NotificationKind.case_survey
    if thread_id is not None:
        _mark_question_read(session, survey, kind, thread_id, at=now)
    events.record(
        session,
        ANSWERED_EVENT,
        at=now,
        thread_id=thread_id,
        survey_id=survey.id,
        case_id=survey.case_id,
        user_id=survey.user_id,
        rating=rating,
    )
    session.commit()
    session.refresh(survey)
    return survey


# Figures --------------------------------------------------------------------------------------


def csat(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    category_id: int | None = None,
    language: str | None = None,
) -> tuple[float | None, int]:
    """Average rating and number of answers given in ``[start, end)``, in one SQL query.

    A case's answer counts for the thread the case came from (its category and language);
    answers about a thread that was deleted or merged away since are left out, and with a
    category or language filter so are answers about a case without a thread. A thread's
    language is the care row's, as moderation.analytics defines it.
    """
    survey = SatisfactionResponse
    thread_id = func.coalesce(col(survey.thread_id), col(SupportCase.thread_id))
    query = (
        select(func.avg(col(survey.rating)), func.count(col(survey.id)))
        .outerjoin(SupportCase, col(SupportCase.id) == col(survey.case_id))
        .outerjoin(Thread, col(Thread.id) == thread_id)
        .where(
            col(survey.answered_at) >= start,
            col(survey.answered_at) < end,
            col(survey.rating).is_not(None),
            or_(
                thread_id.is_(None),
                and_(col(Thread.deleted_at).is_(None), col(Thread.merged_into_id).is_(None)),
            ),
        )
    )
    if category_id is not None:
        query = query.where(col(Thread.category_id) == category_id)
    if language is not None:
        query = query.join(CareThread, col(CareThread.thread_id) == col(Thread.id)).where(
            col(CareThread.language) == language
        )
    average, count = session.exec(query).one()
    return (float(average) if average is not None else None), int(count)
