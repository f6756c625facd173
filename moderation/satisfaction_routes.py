"""The satisfaction question in pages: in a solved thread (for its asker, under the solution) and
on the customer's resolved case. The form works without JavaScript (303 back to the page, or a
page of its own with the error next to the field, 422); htmx posts get the partial back.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlmodel import Session

from community import web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import Conflict, Invalid
from community.models import Thread
from community.params import MAX_ID, FormStr
from community.policy import Guardian
from moderation import cases, satisfaction
from moderation.models import SatisfactionResponse, SupportCase

router = APIRouter()

ThreadId = Annotated[int, Path(ge=1, le=MAX_ID)]
CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]
PARTIAL = "moderation/_satisfaction.html"


@router.post("/t/{thread_id}/satisfaction")
def answer_thread(
    request: Request,
    thread_id: ThreadId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    rating: FormStr = "",
    comment: FormStr = "",
) -> Response:
    survey = satisfaction.thread_survey(session, guardian, thread_id)
    back = f"/t/{thread_id}"
    return _answer(request, session, guardian, clock, survey, back, rating, comment)


@router.post("/cases/{case_id}/satisfaction")
def answer_case(
    request: Request,
    case_id: CaseId,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    rating: FormStr = "",
    comment: FormStr = "",
) -> Response:
    survey = satisfaction.case_survey(session, guardian, case_id)
    back = f"/cases/{case_id}"
    return _answer(request, session, guardian, clock, survey, back, rating, comment)


def _answer(
    request: Request,
    session: Session,
    guardian: Guardian,
    clock: ClockDep,
    survey: SatisfactionResponse,
    back: str,
    rating: str,
    comment: str,
) -> Response:
    try:
        satisfaction.answer(
            session,
            guardian,
            survey,
            rating=satisfaction.parse_rating(rating),
            comment=comment,
            clock=clock,
        )
    except Invalid as exc:
        session.rollback()
        context = {
            "survey": survey,
            "action": f"{back}/satisfaction",
            "back": back,
            "errors": web.form_errors(request, exc),
            "values": {"rating": rating.strip(), "comment": comment},
        }
        name = PARTIAL if web.is_htmx(request) else "moderation/satisfaction.html"
        return web.render(request, name, status_code=exc.status_code, **context)
    except Conflict:
        # Answered already (a double click, a second tab): the page shows the answer that stands.
        session.rollback()
        session.refresh(survey)
    if web.is_htmx(request):
        return web.render(request, PARTIAL, survey=survey, action=f"{back}/satisfaction")
    return web.redirect(f"{back}#satisfaction")


# Slots in community's thread page and on the customer's case page ----------------------------


def _fragment(request: Request, survey: SatisfactionResponse, action: str) -> str:
    response = web.render(request, PARTIAL, survey=survey, action=action, errors={}, values={})
    return bytes(response.body).decode()


def thread_question(request: Request, values: dict[str, Any]) -> str:
    """Under the accepted solution, for the asker only: the question, or their answer."""
    session: Session | None = getattr(request.state, "db", None)
    guardian: Guardian | None = getattr(request.state, "guardian", None)
    thread = values.get("thread")
    if session is None or guardian is None or not isinstance(thread, Thread):
        return ""
    survey = satisfaction.own_thread_survey(session, guardian, thread)
    if survey is None:
        return ""
    return _fragment(request, survey, f"/t/{thread.id}/satisfaction")


def case_question(request: Request, values: dict[str, Any]) -> str:
    """On the customer's page of a resolved case: the question, or their answer."""
    session: Session | None = getattr(request.state, "db", None)
    guardian: Guardian | None = getattr(request.state, "guardian", None)
    case = values.get("case")
    if session is None or guardian is None or not isinstance(case, SupportCase):
        return ""
    survey = satisfaction.own_case_survey(session, guardian, case)
    if survey is None:
        return ""
    if survey.answered_at is None and case.status not in cases.SETTLED:
        return ""  # reopened since it was asked: the question waits for the next resolution
    return _fragment(request, survey, f"/cases/{case.id}/satisfaction")


def register_slots() -> None:
    web.add_slot("thread_solution", "moderation.satisfaction", thread_question)
    web.add_slot("case_customer", "moderation.satisfaction", case_question)
