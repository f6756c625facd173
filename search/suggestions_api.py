"""GET /api/v1/similar: the threads suggested while asking, as JSON; GET /api/v1/search/related:
the search page's related threads."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from community import web
from community.deps import GuardianDep
from search import similar
from search.api import QParam

router = APIRouter(prefix="/api/v1", tags=["search"])


class SimilarThreadPublic(BaseModel):
    id: int
    title: str
    solved: bool
    solution_excerpt: str | None
    language: str | None
    url: str

    @classmethod
    def of(cls, item: similar.Suggestion) -> "SimilarThreadPublic":
        return cls(
            id=item.id,
            title=item.title,
            solved=item.solved,
            solution_excerpt=item.solution_excerpt,
            language=item.language,
            url=item.url,
        )


class SimilarThreadsPublic(BaseModel):
    items: list[SimilarThreadPublic]


ExcludeParam = Annotated[
    list[int] | None,
    Query(
        max_length=similar.MAX_EXCLUDED,
        description="Thread ids to leave out: those the results page already shows.",
    ),
]


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
    return SimilarThreadsPublic(items=[SimilarThreadPublic.of(item) for item in found])


@router.get("/search/related", response_model=SimilarThreadsPublic)
def related_threads(
    request: Request,
    guardian: GuardianDep,  # noqa: ARG001 (it settles the reader's language)
    q: QParam = "",
    exclude: ExcludeParam = None,
) -> SimilarThreadsPublic:
    """The search page's related threads: up to 5 public threads like ``q``, in Italian and
    English, none of ``exclude``, solved ones first; ``language`` is each thread's. Threads in
    another language than the query's are also looked for under a lower relevance cut-off (the
    query's language: its best match's, else the reader's). Empty while search is down."""
    found = similar.related_threads(
        request.app.state.search, q=q, language=web.language_of(request), exclude=exclude or ()
    )
    return SimilarThreadsPublic(items=[SimilarThreadPublic.of(item) for item in found])
