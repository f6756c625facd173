"""The satisfaction survey in JSON: the asker reads their survey and answers it, once.

``GET`` answers the caller's own survey (pending: ``answered_at`` null); anyone who was not asked
gets 404 (401 when anonymous), so nobody learns another member's answer. A second answer is 409.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from community.deps import ClockDep, GuardianDep, SessionDep
from community.params import MAX_ID
from moderation import satisfaction
from moderation.models import SatisfactionResponse

router = APIRouter(prefix="/api/v1", tags=["satisfaction"])

ThreadId = Annotated[int, Path(ge=1, le=MAX_ID, description="The thread's numeric id.")]
CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="The case's numeric id.")]


class SatisfactionPublic(BaseModel):
    id: int
    thread_id: int | None
    case_id: int | None
    rating: int | None = Field(description="1 (not at all) to 5 (completely); null until answered")
    comment: str
    asked_at: datetime
    answered_at: datetime | None = Field(description="null while the question waits")


class SatisfactionAnswer(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    rating: int = Field(
        ge=satisfaction.MIN_RATING,
        le=satisfaction.MAX_RATING,
        description="Did this solve your problem? 1 (not at all) to 5 (completely)",
        examples=[5],
    )
    comment: str = Field(
        default="", max_length=satisfaction.MAX_COMMENT, examples=["Quick and clear, thanks."]
    )


def _public(survey: SatisfactionResponse) -> SatisfactionPublic:
    assert survey.id is not None
    return SatisfactionPublic(
        id=survey.id,
        thread_id=survey.thread_id,
        case_id=survey.case_id,
        rating=survey.rating,
        comment=survey.comment,
        asked_at=survey.asked_at,
        answered_at=survey.answered_at,
    )


@router.get("/threads/{thread_id}/satisfaction", response_model=SatisfactionPublic)
def thread_survey(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep
) -> SatisfactionPublic:
    """Your survey about your solved thread (404 if you were not asked about it)."""
    return _public(satisfaction.thread_survey(session, guardian, thread_id))


@router.post(
    "/threads/{thread_id}/satisfaction", response_model=SatisfactionPublic, status_code=201
)
def answer_thread(
    thread_id: ThreadId,
    payload: SatisfactionAnswer,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> SatisfactionPublic:
    """Answer "Did this solve your problem?" about your solved thread; once (409 after)."""
    survey = satisfaction.thread_survey(session, guardian, thread_id)
    answered = satisfaction.answer(
        session, guardian, survey, rating=payload.rating, comment=payload.comment, clock=clock
    )
    return _public(answered)


@router.get("/cases/{case_id}/satisfaction", response_model=SatisfactionPublic)
def case_survey(case_id: CaseId, session: SessionDep, guardian: GuardianDep) -> SatisfactionPublic:
    """Your survey about your resolved case (404 if you were not asked about it)."""
    return _public(satisfaction.case_survey(session, guardian, case_id))


@router.post("/cases/{case_id}/satisfaction", response_model=SatisfactionPublic, status_code=201)
def answer_case(
    case_id: CaseId,
    payload: SatisfactionAnswer,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> SatisfactionPublic:
    """Answer "Did this solve your problem?" about your resolved case; once (409 after)."""
    survey = satisfaction.case_survey(session, guardian, case_id)
    answered = satisfaction.answer(
        session, guardian, survey, rating=payload.rating, comment=payload.comment, clock=clock
    )
    return _public(answered)
