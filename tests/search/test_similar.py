"""Similar threads while asking, over a real Meilisearch with real embeddings (hybrid search)."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

import main
from community import posting, solutions
from community.clock import FrozenClock
from community.models import Post
from community.policy import Guardian
from community.security import rate_limiter
from community.settings import get_settings
from search.client import SearchService
from search.server import MeiliEndpoint, free_port
from search.settings import SearchSettings
from search.similar import (
    SCORE_THRESHOLD,
    Suggestion,
    plain_excerpt,
    similar_request,
    similar_threads,
    solved_first,
)
from tests.conftest import drain
from tests.factories import make_category, make_reply, make_thread, make_user


@pytest.fixture
def search_client(db, clock, meili_settings: SearchSettings) -> Iterator[TestClient]:
    """The app with its search service on this test's indexes (the lifespan binds the indexer)."""
    app = main.create_app(
        get_settings(), engine=db, clock=clock, start_worker=False, search=meili_settings
    )
    with TestClient(
        app, base_url="https://testserver", headers={"Accept-Language": "en"}
    ) as client:
        yield client


@pytest.fixture
def forum(session: Session, clock: FrozenClock, search_client: TestClient) -> dict[str, Any]:
    """An English fiber thread (solved), an unsolved look-alike, six distractors; all indexed."""
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    fibra = make_category(session, slug="fibra")
    mobile = make_category(session, slug="mobile")
    made = {}
    for key, category, title, body in [
        (
            "lookalike",
            fibra,
            "Fiber connection drops at night",
            "My fiber line goes down at night, every night. Any idea?",
        ),
        (
            "sim",
            mobile,
            "How do I top up my SIM credit?",
            "I want to add ten euros to my prepaid SIM from the app.",
        ),
        (
            "invoice",
            mobile,
            "Invoice shows a wrong amount",
            "This month's invoice charges me twice for the same plan.",
        ),
        (
            "roaming",
            mobile,
            "Roaming charges in Spain",
            "I was charged for data roaming during a week in Madrid.",
        ),
        (
            "wifi",
            fibra,
            "How do I change the Wi-Fi password?",
            "I would like a new password for the home network of my modem.",
        ),
        (
            "porting",
            mobile,
            "Porting my number from another operator",
            "How long does it take to keep my mobile number when I switch?",
        ),
        (
            "pin",
            mobile,
            "My SIM asks for a PUK code",
            "I typed the PIN wrong three times and now the phone is locked.",
        ),
        (
            "fiber",
            fibra,
            "My fiber connection drops every evening",
            "Every evening around 9 pm the fiber connection drops for a few minutes.",
        ),
    ]:
        rate_limiter.reset()
        made[key] = make_thread(
            session, clock, author=asker, category=category, title=title, body=body
        )
    reply = make_reply(
        session,
        clock,
        author=helper,
        thread=made["fiber"],
        body="**Replace the optical cable** between the wall socket and the modem.\n\n"
        "Then restart the modem and check the `LOS` light.",
    )
    solutions.accept_solution(session, Guardian(asker), made["fiber"], reply, clock=clock)
    # drain() runs each consumer once, the indexer before the embeddings consumer: a second
    # round indexes the post_embedded events, so the documents carry their vectors.
    while drain(session, clock):
        pass
    return {**made, "asker": asker, "helper": helper}


def _ids(items: list[Suggestion]) -> list[int]:
    return [item.id for item in items]


def test_an_italian_question_finds_the_english_thread_solved_first(
    forum: dict[str, Any], search_client: TestClient
) -> None:
    service = search_client.app.state.search  # type: ignore[attr-defined]
    found = similar_threads(service, q="la fibra si disconnette ogni sera")

    assert 2 <= len(found) <= 5  # of the eight threads: the unrelated ones fall under the cut-off
    assert {forum["fiber"].id, forum["lookalike"].id} <= set(_ids(found))
    # among the two most relevant by meaning and words, whatever its solved state
    assert forum["fiber"].id in _ids(
        similar_threads(service, q="la fibra si disconnette ogni sera", limit=2)
    )
    first = found[0]
    assert first.id == forum["fiber"].id  # the solved one comes first
    assert first.solved is True
    assert first.title == "My fiber connection drops every evening"
    assert first.solution_excerpt is not None
    assert first.solution_excerpt.startswith("Replace the optical cable between the wall socket")
    assert "**" not in first.solution_excerpt and "`" not in first.solution_excerpt
    assert [item.solved for item in found] == sorted((item.solved for item in found), reverse=True)


def test_an_off_topic_question_gets_no_suggestions(
    forum: dict[str, Any], search_client: TestClient
) -> None:
    service = search_client.app.state.search  # type: ignore[attr-defined]
    for question in ("ho perso il gatto", "I lost my cat", "ricetta della carbonara senza panna"):
        assert similar_threads(service, q=question) == [], question


def test_a_paraphrase_still_finds_its_thread_above_the_cut_off(
    forum: dict[str, Any], search_client: TestClient
) -> None:
    service = search_client.app.state.search  # type: ignore[attr-defined]
    in_other_words = similar_threads(service, q="ogni sera la linea internet va giù per un po'")
    assert forum["fiber"].id in _ids(in_other_words)
    assert forum["sim"].id not in _ids(in_other_words)
    top_up = similar_threads(service, q="vorrei ricaricare il credito della sim")
    assert forum["sim"].id in _ids(top_up)


def test_the_suggestion_request_carries_the_cut_off_only_when_hybrid() -> None:
    hybrid = similar_request([0.1] * 384)
    assert hybrid["rankingScoreThreshold"] == SCORE_THRESHOLD
    assert hybrid["hybrid"]["semanticRatio"] > 0 and len(hybrid["vector"]) == 384
    keyword = similar_request(None)
    assert "rankingScoreThreshold" not in keyword
    assert {key: value for key, value in hybrid.items() if key in keyword} == keyword


def test_deleted_threads_are_never_suggested(
    session: Session, clock: FrozenClock, forum: dict[str, Any], search_client: TestClient
) -> None:
    service = search_client.app.state.search  # type: ignore[attr-defined]
    lookalike = forum["lookalike"]
    assert lookalike.id in _ids(similar_threads(service, q="fiber connection drops at night"))

    question = session.exec(
        select(Post).where(col(Post.thread_id) == lookalike.id, col(Post.post_number) == 1)
    ).one()
    posting.delete_post(session, Guardian(forum["asker"]), question, clock=clock)
    drain(session, clock)

    found = similar_threads(service, q="fiber connection drops at night")
    assert lookalike.id not in _ids(found)
    assert forum["fiber"].id in _ids(found)


def test_the_api_answers_items_of_the_same_shape(
    forum: dict[str, Any], search_client: TestClient
) -> None:
    response = search_client.get("/api/v1/similar", params={"q": "SIM ricarica credito"})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert 1 <= len(items) <= 5
    sim = forum["sim"]
    match = next(item for item in items if item["id"] == sim.id)
    assert match.pop("language") in (None, "en")  # None until the language is detected
    assert match == {
        "id": sim.id,
        "title": "How do I top up my SIM credit?",
        "solved": False,
        "solution_excerpt": None,
        "url": f"/t/{sim.id}",
    }
    assert search_client.get("/api/v1/similar", params={"q": "ab"}).json() == {"items": []}
    assert search_client.get("/api/v1/similar").json() == {"items": []}
    too_long = search_client.get("/api/v1/similar", params={"q": "x" * 501})
    assert too_long.status_code == 422


def test_the_ask_form_partial_lists_the_suggestions(
    forum: dict[str, Any], search_client: TestClient
) -> None:
    response = search_client.get(
        "/t/new/similar",
        params={"title": "La fibra si disconnette", "body": "ogni sera verso le 21"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.text
    html = response.text
    assert html.lstrip().startswith('<section id="similar-threads"')
    assert "Maybe already answered:" in html
    assert "My fiber connection drops every evening" in html
    assert f'href="/t/{forum["fiber"].id}"' in html
    assert "Solved" in html
    assert "Replace the optical cable" in html

    empty = search_client.get("/t/new/similar", params={"title": "", "body": ""})
    assert empty.status_code == 200
    assert 'id="similar-threads"' in empty.text
    assert "Maybe already answered:" not in empty.text


def test_the_ask_form_has_the_suggestions_box(
    session: Session, clock: FrozenClock, client: TestClient, login
) -> None:
    user = make_user(session, clock)
    make_category(session, slug="fibra")
    login(client, user)
    page = client.get("/t/new")
    assert page.status_code == 200
    assert '<section id="similar-threads"' in page.text
    assert 'hx-get="/t/new/similar"' in page.text


def test_without_search_there_are_no_suggestions_and_no_error(client: TestClient) -> None:
    response = client.get("/api/v1/similar", params={"q": "la fibra si disconnette"})
    assert response.status_code == 200
    assert response.json() == {"items": []}
    partial = client.get("/t/new/similar", params={"title": "la fibra si disconnette"})
    assert partial.status_code == 200
    assert "Maybe already answered:" not in partial.text


def test_an_unreachable_meilisearch_gives_an_empty_list() -> None:
    down = SearchService(
        MeiliEndpoint(url=f"http://127.0.0.1:{free_port()}", master_key="x"), request_timeout=1
    )
    assert similar_threads(down, q="la fibra si disconnette ogni sera") == []
    assert similar_threads(None, q="la fibra si disconnette ogni sera") == []


def test_short_questions_get_no_suggestions() -> None:
    down = SearchService(MeiliEndpoint(url="http://127.0.0.1:9", master_key="x"))
    assert similar_threads(down, q="  ab  ") == []


def test_solved_first_keeps_the_relevance_order_within_each_group() -> None:
    items = [Suggestion(n, f"t{n}", bool(solved), None) for n, solved in enumerate([0, 1, 0, 1, 0])]
    assert _ids(solved_first(items)) == [1, 3, 0, 2, 4]


def test_the_solution_excerpt_is_cut_at_a_word() -> None:
    text = "Use the new cable. " + "word " * 80
    excerpt = plain_excerpt(text)
    assert excerpt is not None
    assert excerpt.startswith("Use the new cable. word")
    assert len(excerpt) <= 201 and excerpt.endswith("…")
    assert plain_excerpt(None) is None and plain_excerpt("") is None
