"""GET /search: the search page (a plain GET form; htmx swaps only the results as one types)."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from community import listing, web
from community.deps import GuardianDep, SessionDep
from search import queries
from search.api import SearchQueryDep

router = APIRouter()

FACET_PARAMS = {
    "category": "category",
    "solved": "solved",
    "has_official_answer": "official",
    "tags": "tag",
    "language": "language",
}


@router.get("/search")
def search_page(
    request: Request, session: SessionDep, _guardian: GuardianDep, query: SearchQueryDep
) -> Response:
    results = queries.search(session, request.app.state.search, query)
    current: dict[str, str] = {
        "q": query.q.strip(),
        "category": query.category or "",
        "solved": "" if query.solved is None else str(query.solved).lower(),
        "official": "" if query.official is None else str(query.official).lower(),
        "tag": query.tag or "",
        "language": query.language or "",
        "sort": "" if query.sort == "relevance" else query.sort,
    }

    def link(**changes: Any) -> str:
        params = {**current, **{k: str(v) for k, v in changes.items() if v is not None}}
        for key, value in changes.items():
            if value is None:
                params[key] = ""
        if "page" not in changes:
            params.pop("page", None)
        query = {k: v for k, v in params.items() if v and not (k == "page" and v == "1")}
        return "/search" + (f"?{urlencode(query)}" if query else "")

    context: dict[str, Any] = {
        "q": query.q,
        "results": results,
        "current": current,
        "filled": [name for name, value in current.items() if value],
        "sort": query.sort,
        "sorts": list(queries.SORTS),
        "facet_params": FACET_PARAMS,
        "link": link,
        "category_names": {c.slug: c.name for c in listing.list_categories(session)},
    }
    # htmx restoring history after a cache miss wants the whole page, not the partial.
    partial = web.is_htmx(request) and request.headers.get("hx-history-restore-request") != "true"
    response = web.render(
        request, "search/_results.html" if partial else "search/search.html", **context
    )
    response.headers["Vary"] = "HX-Request"
    return response
