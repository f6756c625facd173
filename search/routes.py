"""GET /search: the search page (a plain GET form; htmx swaps only the results as one types).

GET /search/related: the threads like the query in Italian and English (the hybrid search of the
ask form's suggestions, search.similar.related_threads), less those the results page lists. The
results load it with htmx once they have stayed on screen a moment, so the keyword results never
wait for the query's embedding and typing does not embed every prefix; without JavaScript it is a
link to the same route, answered as a page. (Rendering it into every page that htmx did not ask
for would put the embedding in front of every first page load, with JavaScript or without.)
"""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from community import listing, web
from community.deps import GuardianDep, SessionDep
from search import queries, similar
from search.api import QParam, SearchQueryDep
from search.suggestions_api import ExcludeParam

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
        "related_url": related_url(query.q, results),
    }
    # htmx restoring history after a cache miss wants the whole page, not the partial.
    partial = web.is_htmx(request) and request.headers.get("hx-history-restore-request") != "true"
    response = web.render(
        request,
        "search/_results.html" if partial else "search/search.html",
        partial=partial,
        **context,
    )
    response.headers["Vary"] = "HX-Request"
    return response


def related_url(q: str, results: queries.SearchResults) -> str | None:
    """Where the page gets its related threads, or None when it has none to ask for (a query too
    short to suggest anything, or search degraded: the hybrid search would fail too)."""
    if len(similar.query_text(q)) < similar.MIN_QUERY_CHARS or results.degraded:
        return None
    params = {"q": q.strip(), "exclude": [hit.id for hit in results.items]}
    return "/search/related?" + urlencode(params, doseq=True)


@router.get("/search/related")
def related_threads(
    request: Request, _guardian: GuardianDep, q: QParam = "", exclude: ExcludeParam = None
) -> Response:
    items = similar.related_threads(
        request.app.state.search, q=q, language=web.language_of(request), exclude=exclude or ()
    )
    if web.is_htmx(request):
        response = web.render(request, "search/_related.html", items=items)
    else:
        back = "/search?" + urlencode({"q": q.strip()})
        response = web.render(request, "search/related.html", items=items, q=q, back_url=back)
    response.headers["Vary"] = "HX-Request"
    return response
