"""The "maybe already answered" box of the ask form (an htmx partial) and its tracked links.

GET /t/new/similar answers the partial; for a signed-in asker it also records what was shown
(an impression of this asking session) and links each suggestion through GET /s/click/..., which
records the click and 303-redirects to the thread.
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from community import web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.params import ThreadId
from search import deflection, similar

router = APIRouter()

# Generous bounds: the form's own limits decide what may be posted; only the opening is used.
TitleParam = Annotated[str, Query(max_length=1_000)]
BodyParam = Annotated[str, Query(max_length=50_000)]
TokenParam = Annotated[str, Path(max_length=40)]


@router.get("/t/new/similar")
def similar_threads_partial(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    title: TitleParam = "",
    body: BodyParam = "",
) -> Response:
    suggestions = similar.similar_threads(
        request.app.state.search, q=similar.query_text(title, body)
    )
    click_url: Callable[[int], str] | None = None
    if suggestions and guardian.is_authenticated:
        token = deflection.asking_token(session, request.session.get(deflection.SESSION_KEY))
        request.session[deflection.SESSION_KEY] = token
        deflection.record_impression(
            session,
            guardian,
            token=token,
            thread_ids=[item.id for item in suggestions],
            clock=clock,
        )

        def click_url(thread_id: int) -> str:
            return f"/s/click/{token}/{thread_id}"

    return web.render(request, "search/_similar.html", suggestions=suggestions, click_url=click_url)


@router.get("/s/click/{token}/{thread_id}")
def suggestion_click(
    token: TokenParam, thread_id: ThreadId, session: SessionDep, clock: ClockDep
) -> Response:
    """A suggestion was opened: count it (when it was shown under ``token``), go to the thread."""
    deflection.record_click(session, token=token, thread_id=thread_id, clock=clock)
    return web.redirect(f"/t/{thread_id}")
