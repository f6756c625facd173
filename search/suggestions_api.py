"""GET /api/v1/similar: the threads suggested while asking, as JSON."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from community.deps import GuardianDep
from search import similar

router = APIRouter(prefix="/api/v1", tags=["search"])


class SimilarThreadPublic(BaseModel):
    id: int
    title: str
    solved: bool
    solution_excerpt: str | None
    url: str


class SimilarThreadsPublic(BaseModel):
    items: list[SimilarThreadPublic]


@router.get("/similar", response_model=SimilarThreadsPublic)
def similar_threads(
    request: Request,
    guardian: GuardianDep,  # noqa: ARG001 (the same session/token handling as every API route)
    q: Annotated[
        str,
        Query(
            max_length=similar.MAX_QUERY_CHARS,
            description="The question so far (title, then body). Under 3 characters: no items.",
        ),
    ] = "",
) -> SimilarThreadsPublic:
    """Up to 5 public threads that likely answer ``q`` (Italian or English), solved ones first,
    each with the opening of its accepted solution as plain text. Empty while search is down."""
    found = similar.similar_threads(request.app.state.search, q=q)
    return SimilarThreadsPublic(
        items=[
            SimilarThreadPublic(
                id=item.id,
                title=item.title,
                solved=item.solved,
                solution_excerpt=item.solution_excerpt,
                url=item.url,
            )
            for item in found
        ]
    )
