"""The leaderboard page: period tabs, a points/solutions switch and a category select, all in the
URL, so a board can be linked and everything works without JavaScript (the category select is a
plain GET form)."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from community import leaderboard, listing, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.models import Category

router = APIRouter()

PAGE_SIZE = 50


@router.get("/leaderboard")
def leaderboard_page(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,  # noqa: ARG001 (sets the language and nav for base.html)
    clock: ClockDep,
    period: Annotated[str, Query(max_length=20)] = "week",
    by: Annotated[str, Query(max_length=20)] = "points",
    category: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    # A hand-edited or stale URL still shows a board, with a notice about what was ignored.
    chosen_period = leaderboard.known_period(period) or "week"
    chosen_by = leaderboard.known_board(by) or "points"
    categories = listing.list_categories(session)
    chosen_category: Category | None = next((c for c in categories if c.slug == category), None)
    ignored = [
        value
        for value, accepted in (
            (period, chosen_period),
            (by, chosen_by),
            (category, chosen_category.slug if chosen_category else ""),
        )
        if value != accepted
    ]
    board = leaderboard.top(
        session,
        now=clock.now(),
        period=chosen_period,
        by=chosen_by,
        category=chosen_category,
        limit=PAGE_SIZE,
    )

    def link(**changes: str) -> str:
        params = {
            "period": chosen_period,
            "by": chosen_by,
            "category": chosen_category.slug if chosen_category else "",
            **changes,
        }
        defaults = {"period": "week", "by": "points", "category": ""}
        query = {k: v for k, v in params.items() if v and defaults.get(k) != v}
        return "/leaderboard" + (f"?{urlencode(query)}" if query else "")

    return web.render(
        request,
        "community/leaderboard.html",
        board=board,
        link=link,
        categories=categories,
        ignored=ignored,
    )
