"""The care figures in JSON: ``GET /api/v1/analytics`` (moderators and admins).

The same figures as the dashboard (moderation.analytics has the definitions); dates are UTC days.
"""

from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from community.deps import ClockDep, GuardianDep, SessionDep
from moderation import analytics

router = APIRouter(prefix="/api/v1", tags=["analytics"])


class PercentilesPublic(BaseModel):
    count: int = Field(description="How many values the percentiles are taken over.")
    median_seconds: int | None = Field(description="Nearest-rank median (lower middle value).")
    p90_seconds: int | None = Field(description="Nearest-rank 90th percentile.")


class SlicePublic(BaseModel):
    threads: int
    replied: int
    brand_replied: int
    response_rate: float | None = Field(description="Threads with a reply / threads.")
    brand_response_rate: float | None
    first_response: PercentilesPublic
    first_peer_response: PercentilesPublic
    first_brand_response: PercentilesPublic
    solved: int
    solved_by_peers: int
    solved_by_brand: int
    solved_share: float | None
    self_service_share: float | None = Field(description="Solved by peers / solved.")
    time_to_solution: PercentilesPublic
    breaches: int = Field(description="Threads that missed their first-response target.")
    breach_share: float | None
    escalations: int = Field(description="Private cases opened about these threads.")
    escalated_threads: int
    case_resolution: PercentilesPublic


class CategorySlicePublic(BaseModel):
    category_id: int
    slug: str
    name: str
    figures: SlicePublic


class LanguageSlicePublic(BaseModel):
    language: str = Field(description="en or it")
    figures: SlicePublic


class WeekPublic(BaseModel):
    week_start: date = Field(description="The Monday of the ISO week the threads were created in.")
    threads: int
    replied: int
    brand_replied: int
    solved: int
    solved_by_peers: int
    breaches: int
    response_rate: float | None
    brand_response_rate: float | None
    solved_share: float | None
    self_service_share: float | None
    breach_share: float | None


class SentimentWeekPublic(BaseModel):
    week_start: date = Field(description="The Monday of the ISO week (UTC).")
    posts: int
    negative: int
    negative_share: float


class DeflectionPublic(BaseModel):
    shown: int = Field(description="Asking sessions that were shown similar threads.")
    clicked: int
    abandoned_after_click: int = Field(description="Clicked a suggestion, posted no question.")
    impressions: int
    clicks: int
    click_rate: float | None
    abandon_rate: float | None


class CsatPublic(BaseModel):
    average: float | None
    responses: int


class AdvocatePublic(BaseModel):
    user_id: int
    username: str
    display_name: str
    solutions: int


class FiguresPublic(BaseModel):
    start: date
    end: date
    category_id: int | None
    language: str | None
    overall: SlicePublic
    by_category: list[CategorySlicePublic]
    by_language: list[LanguageSlicePublic] = Field(
        description="The thread figures per language (threads in other languages count overall)."
    )
    weeks: list[WeekPublic] = Field(description="The thread figures per week of creation.")
    sentiment: list[SentimentWeekPublic]
    deflection: DeflectionPublic
    csat: CsatPublic
    top_advocates: list[AdvocatePublic]


@router.get("/analytics", response_model=FiguresPublic)
def get_analytics(
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    start: Annotated[
        str, Query(alias="from", max_length=40, description="First day, YYYY-MM-DD (UTC).")
    ] = "",
    end: Annotated[
        str, Query(alias="to", max_length=40, description="Last day, YYYY-MM-DD (UTC).")
    ] = "",
    category: Annotated[str, Query(max_length=60, description="A category's slug.")] = "",
    language: Annotated[str, Query(max_length=8, description="it or en.")] = "",
) -> FiguresPublic:
    found = analytics.figures_for(
        session,
        guardian,
        start=start,
        end=end,
        category=category,
        language=language,
        clock=clock,
    )
    return FiguresPublic.model_validate(asdict(found))
