"""Leaderboards: the top helpers of this week, this month and all time, overall and per category,
by reputation points or by accepted solutions.

A board is read from ``reputation_tally`` (moved with every ledger row by community.reputation),
walking ``ix_reputation_tally_points`` or ``ix_reputation_tally_solutions`` backwards from the
highest value: the cost is the rows shown, never a sum over the ledger. Periods are UTC calendar
weeks (Monday to Sunday) and months of the clock's now, as the tallies are keyed.

Rows with no points (or no solutions, on the solutions board) and deactivated accounts are left
out. Members with the same value share a position ("1, 2, 2, 4").
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from sqlalchemy import select
from sqlmodel import Session, col

from community import categories, ranks, reputation
from community.errors import Invalid
from community.models import Category, ReputationTally, Role, User

Period = Literal["week", "month", "all"]
Board = Literal["points", "solutions"]
PERIODS: tuple[Period, ...] = get_args(Period)
BOARDS: tuple[Board, ...] = get_args(Board)
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class Standing:
    position: int  # 1 for the top; equal values share a position
    user: User
    points: int
    solutions: int
    rank: ranks.Rank  # by the member's total reputation, as shown next to every name


@dataclass(frozen=True)
class Leaderboard:
    period: Period
    by: Board
    category: Category | None
    key: str  # the tally period: "all", "m2026-11" or "w2026-11-23"
    starts_at: datetime | None  # the period's first instant (UTC); None for all time
    ends_at: datetime | None  # the first instant after it
    standings: list[Standing]


def period_key(period: Period, now: datetime) -> str:
    if period == "week":
        return reputation.week_key(now)
    if period == "month":
        return reputation.month_key(now)
    return reputation.ALL_TIME


def period_bounds(period: Period, now: datetime) -> tuple[datetime | None, datetime | None]:
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        start = midnight - timedelta(days=midnight.weekday())
        return start, start + timedelta(days=7)
    if period == "month":
        start = midnight.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return start, following
    return None, None


def known_period(value: str) -> Period | None:
    for period in PERIODS:
        if value == period:
            return period
    return None


def known_board(value: str) -> Board | None:
    for board in BOARDS:
        if value == board:
            return board
    return None


def find_category(session: Session, slug: str) -> Category:
    """The category of a board's ``category`` parameter: an unknown slug is a bad parameter."""
    category = categories.by_slug(session, slug)
    if category is None:
        raise Invalid("There is no category %(slug)s.", field="category", slug=slug)
    return category


def top(
    session: Session,
    *,
    now: datetime,
    period: Period = "week",
    by: Board = "points",
    category: Category | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Leaderboard:
    """The ``limit`` best members of the period and category, best first."""
    if period not in PERIODS:
        raise Invalid(
            "Unknown period %(value)s: use week, month or all.", field="period", value=period
        )
    if by not in BOARDS:
        raise Invalid("Unknown board %(value)s: use points or solutions.", field="by", value=by)
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid("The limit must be between 1 and %(max)s.", field="limit", max=MAX_LIMIT)
    key = period_key(period, now)
    value = col(ReputationTally.points) if by == "points" else col(ReputationTally.solutions)
    category_id = reputation.ALL_CATEGORIES if category is None else category.id
    # Equality on (period, category_id), then the index's value column backwards: the rows come
    # out in order, and the join only looks up the members shown (and any inactive ones skipped).
    # The boards are for the community's members: the brand's own staff answer as their job.
    query = (
        select(ReputationTally, User)
        .join(User, col(User.id) == col(ReputationTally.user_id))
        .where(
            col(ReputationTally.period) == key,
            col(ReputationTally.category_id) == category_id,
            value > 0,
            col(User.is_active).is_(True),
            col(User.role).not_in([Role.moderator, Role.admin]),
        )
        .order_by(value.desc(), col(ReputationTally.user_id).desc())
        .limit(limit)
    )
    standings: list[Standing] = []
    previous: tuple[int, int] | None = None
    for count, (tally, user) in enumerate(session.execute(query).all(), start=1):
        shown = tally.points if by == "points" else tally.solutions
        position = previous[1] if previous is not None and previous[0] == shown else count
        previous = (shown, position)
        standings.append(
            Standing(
                position=position,
                user=user,
                points=tally.points,
                solutions=tally.solutions,
                rank=ranks.rank_for(user.reputation),
            )
        )
    starts_at, ends_at = period_bounds(period, now)
    return Leaderboard(
        period=period,
        by=by,
        category=category,
        key=key,
        starts_at=starts_at,
        ends_at=ends_at,
        standings=standings,
    )
