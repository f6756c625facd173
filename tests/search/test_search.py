"""The search page and GET /api/v1/search over a real Meilisearch, and their database fallback."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

import main
from community import events, posting, solutions
from community.models import Post, Role, Thread
from community.policy import Guardian
from community.security import rate_limiter
from community.settings import get_settings
from search import indexer
from search.client import SearchService
from search.queries import SearchQuery, build_filter, marked, quote, search, search_threads
from search.server import MeiliEndpoint, free_port
from tests.factories import make_category, make_reply, make_thread, make_user


@pytest.fixture
def search_client(db, clock, meili_settings) -> Iterator[TestClient]:
    app = main.create_app(
        get_settings(), engine=db, clock=clock, start_worker=False, search=meili_settings
    )
    with TestClient(
        app, base_url="https://testserver", headers={"Accept-Language": "en"}
    ) as client:
        yield client


def index(session: Session, clock) -> None:
    session.expire_all()
    events.drain(session, now=clock.now(), consumers=[indexer.CONSUMER])


@pytest.fixture
def forum(session: Session, clock, search_client):
    """Three threads in two categories, one solved, all indexed."""
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    fibra = make_category(session, slug="fibra")
    mobile = make_category(session, slug="mobile")
    bill = make_thread(
        session,
        clock,
        author=asker,
        category=mobile,
        title="Wrong amount on my bill",
        body="The last invoice charged me twice for roaming.",
        tags=["billing"],
    )
    rate_limiter.reset()
    clock.advance(minutes=1)
    fiber = make_thread(
        session,
        clock,
        author=asker,
        category=fibra,
        title="Fiber drops every evening",
        body="Since Monday the connection drops around 9 pm.",
    )
    rate_limiter.reset()
    clock.advance(minutes=1)
    modem = make_thread(
        session,
        clock,
        author=helper,
        category=fibra,
        title="Modem lights blinking red",
        body="The modem blinks red after the storm.",
    )
    reply = make_reply(session, clock, author=asker, thread=fiber, body="Replace the optical cable")
    solutions.accept_solution(session, Guardian(asker), fiber, reply, clock=clock)
    index(session, clock)
    return {"bill": bill, "fiber": fiber, "modem": modem, "asker": asker, "helper": helper}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_a_keyword_finds_the_right_thread(search_client, forum):
    response = search_client.get("/api/v1/search", params={"q": "blinking"})
    assert ids(response) == [forum["modem"].id]
    body = response.json()
    assert body["total"] == 1 and body["degraded"] is False
    assert "<mark>" in body["items"][0]["title_html"]
    assert body["items"][0]["url"] == f"/t/{forum['modem'].id}"


def test_synonyms_work_across_languages(search_client, forum):
    assert ids(search_client.get("/api/v1/search", params={"q": "bolletta"})) == [forum["bill"].id]
    assert forum["fiber"].id in ids(search_client.get("/api/v1/search", params={"q": "fibra"}))


def test_facets_count_and_filters_narrow(search_client, forum):
    body = search_client.get("/api/v1/search", params={"q": ""}).json()
    assert body["total"] == 3
    assert body["facets"]["category"] == {"fibra": 2, "mobile": 1}
    assert body["facets"]["solved"] == {"true": 1, "false": 2}
    assert body["facets"]["tags"] == {"billing": 1}

    narrowed = search_client.get("/api/v1/search", params={"category": "fibra"})
    assert set(ids(narrowed)) == {forum["fiber"].id, forum["modem"].id}
    solved = search_client.get("/api/v1/search", params={"category": "fibra", "solved": "true"})
    assert ids(solved) == [forum["fiber"].id]
    tagged = search_client.get("/api/v1/search", params={"tag": "billing"})
    assert ids(tagged) == [forum["bill"].id]


def test_a_deleted_thread_never_appears(search_client, forum, session, clock):
    thread = forum["modem"]
    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    posting.delete_post(
        session,
        Guardian(forum["helper"]),
        question,
        clock=clock,
    )
    index(session, clock)
    assert session.get(Thread, thread.id).is_deleted
    assert ids(search_client.get("/api/v1/search", params={"q": "modem"})) == []
    page = search_client.get("/search", params={"q": "modem"})
    assert "Modem lights blinking red" not in page.text


def test_html_in_a_title_is_escaped_in_results(search_client, session, clock):
    author = make_user(session, clock)
    make_thread(
        session,
        clock,
        author=author,
        category=make_category(session),
        title="Router <script>alert(1)</script> broken",
        body="My router <img src=x onerror=alert(1)> stopped working",
    )
    index(session, clock)
    item = search_client.get("/api/v1/search", params={"q": "router"}).json()["items"][0]
    assert "<script>" not in item["title_html"] and "&lt;script&gt;" in item["title_html"]
    assert "<img" not in item["snippet"] and "&lt;img" in item["snippet"]
    assert item["title"] == "Router <script>alert(1)</script> broken"
    page = search_client.get("/search", params={"q": "router"}).text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "<mark>" in page


def test_a_snippet_shows_the_text_a_reader_sees_not_its_markdown(search_client, session, clock):
    author = make_user(session, clock)
    make_thread(
        session,
        clock,
        author=author,
        category=make_category(session),
        title="Router keeps rebooting",
        body="Since **Monday** the router *reboots* every hour:\n\n- `LOS` blinks red",
    )
    index(session, clock)

    item = search_client.get("/api/v1/search", params={"q": "reboots"}).json()["items"][0]
    snippet = item["snippet"].replace("<mark>", "").replace("</mark>", "")
    assert snippet == "Since Monday the router reboots every hour: LOS blinks red"
    page = search_client.get("/search", params={"q": "reboots"}).text
    assert "**Monday**" not in page and "`LOS`" not in page


def test_the_page_works_without_javascript_and_with_htmx(search_client, forum):
    page = search_client.get("/search", params={"q": "fiber"})
    assert page.status_code == 200
    assert '<form method="get" action="/search"' in page.text
    assert 'id="search-results"' in page.text
    assert "Fiber drops every evening" in page.text.replace("<mark>", "").replace("</mark>", "")
    assert "/search?q=fiber&amp;category=fibra" in page.text  # a facet link keeps the query
    assert "<html" in page.text

    partial = search_client.get("/search", params={"q": "fiber"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text and 'id="search-results"' in partial.text


def test_no_results_offer_to_ask(search_client, forum):
    page = search_client.get("/search", params={"q": "zzzqqqxxx"})
    assert page.status_code == 200
    assert 'href="/t/new"' in page.text and "Ask a new question" in page.text


def test_without_meilisearch_search_falls_back_to_titles(client, session, clock):
    author = make_user(session, clock)
    thread = make_thread(
        session, clock, author=author, category=make_category(session), title="Slow 5G at home"
    )
    body = client.get("/api/v1/search", params={"q": "5g"}).json()
    assert body["degraded"] is True
    assert [item["id"] for item in body["items"]] == [thread.id]
    page = client.get("/search", params={"q": "slow"})
    assert page.status_code == 200
    assert "Slow 5G at home" in page.text and "Search is degraded" in page.text


@pytest.mark.parametrize(
    "params",
    [{"sort": "random"}, {"page": "0"}, {"solved": "maybe"}, {"category": 'a" OR visibility'}],
)
def test_bad_parameters_are_a_clear_422(client, params):
    response = client.get("/api/v1/search", params={"q": "x", **params})
    assert response.status_code == 422
    assert response.json()["detail"]
    assert client.get("/search", params={"q": "x", **params}).status_code == 422


def test_a_quoted_filter_value_cannot_widen_the_filter(search_client, forum):
    service = search_client.app.state.search
    injected = SearchQuery(category='x" OR category = "fibra')
    assert search_threads(service, injected).total == 0
    assert search_threads(service, SearchQuery(category="fibra")).total == 2


def test_filter_values_are_quoted():
    assert quote('a" OR visibility = "hidden') == '"a\\" OR visibility = \\"hidden"'
    assert build_filter(SearchQuery(category="x"))[0] == 'visibility = "public"'
    assert (
        str(marked("a \ue000<b>\ue001 \ue001c\ue000")) == "a <mark>&lt;b&gt;</mark> c<mark></mark>"
    )


def test_an_unreachable_meilisearch_falls_back_to_the_database(session, clock, tmp_path):
    author = make_user(session, clock)
    thread = make_thread(
        session, clock, author=author, category=make_category(session), title="Roaming in Spain"
    )
    down = SearchService(MeiliEndpoint(f"http://127.0.0.1:{free_port()}", "key"), request_timeout=1)
    results = search(session, down, SearchQuery(q="spain"))
    assert results.degraded is True
    assert [hit.id for hit in results.items] == [thread.id]


def test_the_fallback_never_shows_a_deleted_thread(client, session, clock):
    author = make_user(session, clock)
    thread = make_thread(
        session, clock, author=author, category=make_category(session), title="Gone fiber thread"
    )
    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    posting.delete_post(session, Guardian(author), question, clock=clock)
    assert client.get("/api/v1/search", params={"q": "gone"}).json()["items"] == []


def test_pages_and_sort(search_client, forum):
    first = search_client.get("/api/v1/search", params={"per_page": 2, "sort": "newest"}).json()
    assert first["total"] == 3 and first["pages"] == 2
    assert [item["id"] for item in first["items"]] == [forum["modem"].id, forum["fiber"].id]
    second = search_client.get(
        "/api/v1/search", params={"per_page": 2, "sort": "newest", "page": 2}
    ).json()
    assert [item["id"] for item in second["items"]] == [forum["bill"].id]


def test_the_page_speaks_italian(search_client, forum):
    page = search_client.get("/search", params={"q": "zzzqqq"}, headers={"Accept-Language": "it"})
    assert "Cerca nella community" in page.text and "Fai una nuova domanda" in page.text


def test_htmx_history_restore_gets_the_whole_page(search_client, forum):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    page = search_client.get("/search", params={"q": "fiber"}, headers=headers)
    assert "<html" in page.text


def test_the_fallback_filters_by_official_answer(client, session, clock):
    asker = make_user(session, clock)
    moderator = make_user(session, clock, role=Role.moderator)
    category = make_category(session)
    answered = make_thread(session, clock, author=asker, category=category, title="SIM blocked")
    rate_limiter.reset()
    clock.advance(minutes=1)
    other = make_thread(session, clock, author=asker, category=category, title="SIM too slow")
    make_reply(session, clock, author=moderator, thread=answered, body="We unblocked it.")

    def found(**params: str) -> list[int]:
        return ids(client.get("/api/v1/search", params={"q": "sim", **params}))

    assert set(found()) == {answered.id, other.id}
    assert found(official="true") == [answered.id]
    assert found(official="false") == [other.id]


def test_an_active_filter_can_be_removed_even_without_results(search_client, forum):
    page = search_client.get("/search", params={"q": "zzzqqq", "category": "fibra"})
    assert page.status_code == 200
    assert 'href="/search?q=zzzqqq"' in page.text


def test_the_filters_fold_into_a_disclosure_that_counts_the_active_ones(search_client, forum):
    plain = search_client.get("/search", params={"q": "fiber"}).text
    assert '<details class="search-filters">' in plain  # closed: a phone shows results first
    assert "<summary>Filters</summary>" in plain

    filtered = search_client.get("/search", params={"q": "", "category": "fibra", "solved": "true"})
    assert '<span class="chip filter-count">2 active</span></summary>' in filtered.text


def test_the_active_filters_read_as_words_not_raw_values(search_client, forum):
    page = search_client.get(
        "/search",
        params={"q": "", "category": "fibra", "solved": "true", "official": "false", "tag": "x"},
    ).text
    active = page.split('<p class="search-active">')[1].split("</p>")[0]
    chips = [c.strip() for c in re.findall(r'class="chip"[^>]*>([^<]*) &times;</a>', active)]
    assert chips == ["Fibra", "Solved", "Without an official answer", "#x"]
    italian = search_client.get(
        "/search", params={"q": "", "solved": "false"}, headers={"Accept-Language": "it"}
    ).text
    assert "Non ancora risolte &times;</a>" in italian.split('<p class="search-active">')[1]
