"""GET /api/v1/search: the search page's results as JSON (same query, same fallback)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from markupsafe import Markup
from pydantic import BaseModel

from community.deps import SessionDep
from search import queries

router = APIRouter(prefix="/api/v1", tags=["search"])

SLUG = r"^[\w-]+$"

QParam = Annotated[str, Query(max_length=200, description="The words to look for.")]
CategoryParam = Annotated[
    str | None, Query(max_length=60, pattern=SLUG, description="A category slug.")
]
SolvedParam = Annotated[bool | None, Query(description="Only threads (not) solved.")]
OfficialParam = Annotated[
    bool | None, Query(description="Only threads with (without) a staff answer.")
]
TagParam = Annotated[str | None, Query(max_length=40, pattern=SLUG, description="A tag.")]
LanguageParam = Annotated[
    str | None, Query(max_length=8, pattern=r"^[a-z]{2}(-[A-Za-z]{2})?$", description="it, en...")
]
SortParam = Annotated[
    queries.Sort,
    Query(description="relevance (default), newest, activity (latest first) or kudos."),
]
PageParam = Annotated[int, Query(ge=1, le=queries.MAX_PAGE, description="1-based page.")]
PerPageParam = Annotated[int, Query(ge=1, le=queries.MAX_PER_PAGE, description="Page size.")]


def search_query(
    q: QParam = "",
    category: CategoryParam = None,
    solved: SolvedParam = None,
    official: OfficialParam = None,
    tag: TagParam = None,
    language: LanguageParam = None,
    sort: SortParam = "relevance",
    page: PageParam = 1,
    per_page: PerPageParam = 20,
) -> queries.SearchQuery:
    """The search parameters of the page and the API, validated once."""
    return queries.SearchQuery(
        q=q,
        category=category,
        solved=solved,
        official=official,
        tag=tag,
        language=language,
        sort=sort,
        page=page,
        per_page=per_page,
    )


SearchQueryDep = Annotated[queries.SearchQuery, Depends(search_query)]


class SearchItemPublic(BaseModel):
    id: int
    title: str
    title_html: str
    snippet: str
    category: str | None
    category_name: str | None
    solved: bool
    has_official_answer: bool
    tags: list[str]
    language: str | None
    reply_count: int
    kudos_count: int
    last_activity_at: datetime | None
    url: str


class SearchResultsPublic(BaseModel):
    items: list[SearchItemPublic]
    facets: dict[str, dict[str, int]]
    total: int
    page: int
    pages: int
    degraded: bool


def _plain(html: str) -> str:
    return html.replace("<mark>", "").replace("</mark>", "")


@router.get("/search", response_model=SearchResultsPublic)
def search(request: Request, session: SessionDep, query: SearchQueryDep) -> SearchResultsPublic:
    """Public threads matching ``q``; ``snippet`` and ``title_html`` are escaped HTML with
    ``<mark>`` around the matches. ``degraded``: Meilisearch is down, titles only, no facets."""
    results = queries.search(session, request.app.state.search, query)
    return SearchResultsPublic(
        items=[
            SearchItemPublic(
                id=hit.id,
                title=_unescape(_plain(hit.title)),
                title_html=str(hit.title),
                snippet=str(hit.snippet),
                category=hit.category,
                category_name=hit.category_name,
                solved=hit.solved,
                has_official_answer=hit.has_official_answer,
                tags=hit.tags,
                language=hit.language,
                reply_count=hit.reply_count,
                kudos_count=hit.kudos_count,
                last_activity_at=hit.last_activity_at,
                url=f"/t/{hit.id}",
            )
            for hit in results.items
        ],
        facets=results.facets,
        total=results.total,
        page=results.page,
        pages=results.pages,
        degraded=results.degraded,
    )


def _unescape(html: str) -> str:
    return Markup(html).unescape()
