"""Suggestions shown while asking are counted: impressions, clicks, and questions posted anyway."""

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from community.clock import FrozenClock
from community.models import Thread
from search import deflection
from search.models import SuggestionEvent
from tests.conftest import drain
from tests.factories import make_user
from tests.search import test_similar

# The same app over a real Meilisearch, and the same eight indexed threads.
search_client = test_similar.search_client
forum = test_similar.forum

CLICK = re.compile(r'href="/s/click/([A-Za-z0-9_-]+)/(\d+)"')


def _facts(session: Session) -> list[tuple[str, str, int | None, str | None]]:
    session.expire_all()
    rows = session.exec(select(SuggestionEvent).order_by(col(SuggestionEvent.id)))
    return [(row.kind, row.token, row.thread_id, row.shown) for row in rows]


def _suggest(client: TestClient, title: str, body: str = "") -> str:
    response = client.get(
        "/t/new/similar", params={"title": title, "body": body}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200, response.text
    return str(response.text)


def test_an_asking_session_records_what_was_shown_opened_and_posted_anyway(
    session: Session,
    clock: FrozenClock,
    forum: dict[str, Any],
    search_client: TestClient,
    login,
    csrf_token,
) -> None:
    customer = make_user(session, clock, username="customer")
    login(search_client, customer)

    html = _suggest(search_client, "La fibra si disconnette ogni sera")
    links = CLICK.findall(html)
    assert links, html
    token = links[0][0]
    assert {link[0] for link in links} == {token}
    shown = ",".join(thread_id for _token, thread_id in links)
    assert _facts(session) == [("impression", token, None, shown)]

    _suggest(search_client, "La fibra si disconnette ogni sera")  # the same list again
    assert len(_facts(session)) == 1

    fiber_id = forum["fiber"].id
    opened = search_client.get(f"/s/click/{token}/{fiber_id}", follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/t/{fiber_id}"
    assert _facts(session)[-1] == ("click", token, fiber_id, None)

    clock.advance(minutes=3)
    posted = search_client.post(
        "/t/new",
        data={
            "csrf_token": csrf_token(search_client),
            "category": "fibra",
            "title": "La fibra si disconnette ogni sera",
            "body": "Ho già cambiato il cavo ma la linea cade ancora verso le 21.",
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    new_id = int(posted.headers["location"].rsplit("/", 1)[1])
    drain(session, clock)
    assert _facts(session)[-1] == ("posted", token, new_id, None)
    drain(session, clock)  # idempotent
    assert [fact[0] for fact in _facts(session)] == ["impression", "click", "posted"]

    # The next question is a new asking session.
    html = _suggest(search_client, "SIM ricarica credito")
    next_token = CLICK.findall(html)[0][0]
    assert next_token != token
    assert session.get(Thread, new_id) is not None


def test_a_question_posted_without_suggestions_is_not_counted(
    session: Session, clock: FrozenClock, forum: dict[str, Any], search_client: TestClient
) -> None:
    drain(session, clock)
    assert _facts(session) == []


def test_clicks_count_only_for_threads_shown_under_that_token(
    session: Session, clock: FrozenClock, forum: dict[str, Any], search_client: TestClient, login
) -> None:
    login(search_client, make_user(session, clock))
    token = CLICK.findall(_suggest(search_client, "fiber connection drops every evening"))[0][0]
    shown = {int(i) for i in (_facts(session)[0][3] or "").split(",")}
    elsewhere = next(t.id for t in session.exec(select(Thread)) if t.id not in shown)

    for url in (
        f"/s/click/{token}/{elsewhere}",
        f"/s/click/{deflection.new_token()}/{forum['fiber'].id}",
        f"/s/click/not-a-token/{forum['fiber'].id}",
    ):
        response = search_client.get(url, follow_redirects=False)
        assert response.status_code == 303
    assert [fact[0] for fact in _facts(session)] == ["impression"]


def test_anonymous_suggestions_link_straight_to_the_threads(
    session: Session, forum: dict[str, Any], search_client: TestClient
) -> None:
    html = _suggest(search_client, "La fibra si disconnette ogni sera")
    assert f'href="/t/{forum["fiber"].id}"' in html
    assert "/s/click/" not in html
    assert _facts(session) == []
