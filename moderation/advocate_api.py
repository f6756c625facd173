"""The advocate programme in JSON (the same services as the pages).

``/api/v1/moderation/advocates`` is for moderators (403 for members): list with contribution,
nominate, change categories, revoke. ``/api/v1/advocate/threads`` is an advocate's "needs a peer
answer" list (403 for everyone else).
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from community.deps import ClockDep, GuardianDep, SessionDep
from community.models import Category, User
from community.params import MAX_ID
from moderation import advocates

router = APIRouter(prefix="/api/v1", tags=["advocates"])

Username = Annotated[str, Path(min_length=1, max_length=31)]
DayQuery = Annotated[str, Query(max_length=10, description="A day, YYYY-MM-DD (UTC).")]
CategoryIds = Annotated[
    list[Annotated[int, Field(ge=1, le=MAX_ID)]],
    Field(min_length=1, max_length=advocates.MAX_CATEGORIES),
]


class CategoryRef(BaseModel):
    id: int
    slug: str
    name: str


class AdvocateState(BaseModel):
    id: int
    username: str
    display_name: str
    advocate: bool
    advocate_since: datetime | None
    categories: list[CategoryRef]


class AdvocateContribution(AdvocateState):
    answers: int = Field(description="Replies to others' threads in the range.")
    solutions: int = Field(description="Answers accepted as the solution in the range.")
    first_answers: int = Field(description="Threads where theirs was the first answer.")
    median_first_answer_hours: float | None = Field(
        description="Median hours from question to their answer, over first_answers threads."
    )


class AdvocateList(BaseModel):
    items: list[AdvocateContribution]
    next_cursor: str | None = None
    start: str = Field(description="First day counted (UTC), inclusive.")
    end: str = Field(description="Last day counted (UTC), inclusive.")


class Nomination(BaseModel):
    username: str = Field(min_length=1, max_length=31)
    category_ids: CategoryIds


class CategoryChange(BaseModel):
    category_ids: CategoryIds


class WaitingThreadPublic(BaseModel):
    id: int
    title: str
    url: str
    category: CategoryRef
    created_at: datetime
    waited_hours: int


class WaitingList(BaseModel):
    items: list[WaitingThreadPublic]
    next_cursor: str | None


def _category(category: Category) -> CategoryRef:
    assert category.id is not None
    return CategoryRef(id=category.id, slug=category.slug, name=category.name)


def _state(session: Session, user: User) -> AdvocateState:
    assert user.id is not None
    ids = advocates.categories_of(session, user.id)
    categories = [c for c in (session.get(Category, i) for i in ids) if c is not None]
    return AdvocateState(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        advocate=user.advocate_since is not None,
        advocate_since=user.advocate_since,
        categories=[_category(c) for c in categories],
    )


@router.get("/moderation/advocates", response_model=AdvocateList)
def list_advocates(
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    start: DayQuery = "",
    end: DayQuery = "",
) -> AdvocateList:
    """Every advocate with their contribution over [start, end] (default: the last 30 days)."""
    advocates.ensure_moderator(guardian)
    window = advocates.parse_range(start, end, now=clock.now())
    rows = advocates.contributions(session, guardian, window=window)
    items = []
    for row in rows:
        assert row.user.id is not None
        items.append(
            AdvocateContribution(
                id=row.user.id,
                username=row.user.username,
                display_name=row.user.display_name,
                advocate=True,
                advocate_since=row.user.advocate_since,
                categories=[_category(c) for c in row.categories],
                answers=row.answers,
                solutions=row.solutions,
                first_answers=row.first_answers,
                median_first_answer_hours=row.median_hours,
            )
        )
    return AdvocateList(
        items=items, start=window.first_day.isoformat(), end=window.last_day.isoformat()
    )


@router.post("/moderation/advocates", response_model=AdvocateState, status_code=201)
def nominate(
    body: Nomination, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> AdvocateState:
    """Nominate a member: 404 for an unknown member, 422 for a moderator, 409 if already one."""
    member = advocates.get_member(session, guardian, body.username)
    ids = advocates.parse_category_ids(session, body.category_ids)
    advocates.nominate(session, guardian, member, category_ids=ids, clock=clock)
    return _state(session, member)


@router.put("/moderation/advocates/{username}", response_model=AdvocateState)
def change_categories(
    username: Username,
    body: CategoryChange,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> AdvocateState:
    member = advocates.get_member(session, guardian, username)
    ids = advocates.parse_category_ids(session, body.category_ids)
    advocates.set_categories(session, guardian, member, category_ids=ids, clock=clock)
    return _state(session, member)


@router.delete("/moderation/advocates/{username}", response_model=AdvocateState)
def revoke(
    username: Username, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> AdvocateState:
    """Revoke: 409 when the member is not an advocate."""
    member = advocates.get_member(session, guardian, username)
    advocates.revoke(session, guardian, member, clock=clock)
    return _state(session, member)


@router.get("/advocate/threads", response_model=WaitingList)
def needs_answer(
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    cursor: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=advocates.MAX_PAGE_SIZE)] = advocates.PAGE_SIZE,
) -> WaitingList:
    """Unanswered public threads of the advocate's categories, the longest waiting first."""
    page = advocates.needs_answer(
        session, guardian, now=clock.now(), cursor=cursor or None, limit=limit
    )
    items = []
    for item in page.items:
        assert item.thread.id is not None
        items.append(
            WaitingThreadPublic(
                id=item.thread.id,
                title=item.thread.title,
                url=f"/t/{item.thread.id}",
                category=_category(item.category),
                created_at=item.thread.created_at,
                waited_hours=item.waited_hours,
            )
        )
    return WaitingList(items=items, next_cursor=page.next_cursor)
