"""GET /t/new/similar: the "maybe already answered" box of the ask form, as an htmx partial."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from community import web
from community.deps import GuardianDep
from search import similar

router = APIRouter()

# Generous bounds: the form's own limits decide what may be posted; only the opening is used.
TitleParam = Annotated[str, Query(max_length=1_000)]
BodyParam = Annotated[str, Query(max_length=50_000)]


@router.get("/t/new/similar")
def similar_threads_partial(
    request: Request,
    guardian: GuardianDep,  # noqa: ARG001 (sets the language and badge state every page uses)
    title: TitleParam = "",
    body: BodyParam = "",
) -> Response:
    suggestions = similar.similar_threads(
        request.app.state.search, q=similar.query_text(title, body)
    )
    return web.render(request, "search/_similar.html", suggestions=suggestions)
