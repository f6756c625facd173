"""GET /api/v1/leaderboard: the top helpers of a period and category (community.leaderboard)."""

from typing import Annotated

from fastapi import APIRouter, Query

from community import leaderboard
from community.deps import ClockDep, SessionDep
from community.schemas import LeaderboardEntryPublic, LeaderboardPublic

router = APIRouter(tags=["leaderboard"])


@router.get("/leaderboard", response_model=LeaderboardPublic)
def get_leaderboard(
    session: SessionDep,
    clock: ClockDep,
    period: Annotated[
        leaderboard.Period,
        Query(description="week: this UTC week (from Monday); month: this month; all: all time."),
    ] = "week",
    category: Annotated[
        str | None, Query(max_length=60, description="A category slug; every category if left out.")
    ] = None,
    by: Annotated[
        leaderboard.Board,
        Query(description="points: reputation earned in the period; solutions: accepted answers."),
    ] = "points",
    limit: Annotated[
        int, Query(ge=1, le=leaderboard.MAX_LIMIT, description="How many members to list.")
    ] = leaderboard.DEFAULT_LIMIT,
) -> LeaderboardPublic:
    board = leaderboard.top(
        session,
        now=clock.now(),
        period=period,
        by=by,
        category=leaderboard.find_category(session, category) if category is not None else None,
        limit=limit,
    )
    return LeaderboardPublic(
        items=[
            LeaderboardEntryPublic(
                rank_position=standing.position,
                username=standing.user.username,
                display_name=standing.user.display_name,
                points=standing.points,
                solutions=standing.solutions,
                rank=standing.rank.value,
            )
            for standing in board.standings
        ],
        period=board.period,
        category=board.category.slug if board.category is not None else None,
        by=board.by,
    )
