"""The search page's related threads (hybrid search across Italian and English), over a real
Meilisearch with real embeddings."""

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

import main
from community import solutions
from community.clock import FrozenClock
from community.models import Role
from community.policy import Guardian
from community.security import rate_limiter
from community.settings import get_settings
from moderation import tools
from search import similar
from search.settings import SearchSettings
from tests.conftest import drain
from tests.factories import make_category, make_reply, make_thread, make_user

RELATED_URL = re.compile(r'id="related-threads" hx-get="([^"]+)"')
THREAD_LINK = re.compile(r'<a href="/t/(\d+)"')


@pytest.fixture
def search_client(db, clock, meili_settings: SearchSettings) -> Iterator[TestClient]:
    app = main.create_app(
        get_settings(), engine=db, clock=clock, start_worker=False, search=meili_settings
    )
    with TestClient(
        app, base_url="https://testserver", headers={"Accept-Language": "en"}
    ) as client:
        yield client


@pytest.fixture
def forum(session: Session, clock: FrozenClock, search_client: TestClient) -> dict[str, Any]:
    """The same question about old invoices in Italian (solved) and in English, and distractors in
    both languages; all indexed with their vectors."""
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    billing = make_category(session, slug="fatture")
    fiber = make_category(session, slug="fibra")
    made = {}
    for key, language, category, title, body in [
        (
            "invoices_it",
            "it",
            billing,
            "Dove scarico le fatture vecchie?",
            "Mi servono le fatture dell'anno scorso per la dichiarazione dei redditi, "
            "ma nell'app vedo solo le ultime. Dove le trovo?",
        ),
        (
            "invoices_en",
            "en",
            billing,
            "Where can I download old invoices?",
            "I need last year's invoices for my tax return, but the app only shows "
            "the latest ones. Where do I find them?",
        ),
        (
            "fiber_en",
            "en",
            fiber,
            "My fiber connection drops every evening",
            "Every evening around 9 pm the fiber connection drops for a few minutes.",
        ),
        (
            "wifi_it",
            "it",
            fiber,
            "Come cambio la password del Wi-Fi?",
            "Vorrei una password nuova per la rete di casa del modem.",
        ),
        (
            "roaming_en",
            "en",
            billing,
            "Roaming charges in Spain",
            "I was charged for data roaming during a week in Madrid.",
        ),
        (
            "sim_it",
            "it",
            billing,
            "Come ricarico il credito della SIM?",
            "Voglio aggiungere dieci euro alla mia SIM prepagata dall'app.",
        ),
    ]:
        rate_limiter.reset()
        thread = make_thread(
            session, clock, author=asker, category=category, title=title, body=body
        )
        thread.language = language
        session.add(thread)
        session.commit()
        made[key] = thread
    answer = make_reply(
        session,
        clock,
        author=helper,
        thread=made["invoices_it"],
        body="Sono in Area clienti > Documenti, dal sito: lì trovi gli ultimi 24 mesi.",
    )
    solutions.accept_solution(session, Guardian(asker), made["invoices_it"], answer, clock=clock)
    while drain(session, clock):  # a second round indexes the post_embedded events (vectors)
        pass
    return made


def related_block(client: TestClient, q: str, language: str = "en") -> tuple[list[int], str]:
    """The thread ids of the results page and the related block it loads (as htmx would)."""
    headers = {"Accept-Language": language}
    page = client.get("/search", params={"q": q}, headers=headers)
    assert page.status_code == 200, page.text
    results, _, _ = page.text.partition('id="related-threads"')
    found = RELATED_URL.search(page.text)
    assert found, "the page has no related threads block"
    block = client.get(html.unescape(found.group(1)), headers={**headers, "HX-Request": "true"})
    assert block.status_code == 200, block.text
    assert "<html" not in block.text
    return [int(n) for n in THREAD_LINK.findall(results)], block.text


def linked(text: str) -> list[int]:
    return [int(n) for n in THREAD_LINK.findall(text)]


def test_an_italian_query_finds_the_english_twin_marked_as_english(
    search_client: TestClient, forum: dict[str, Any]
) -> None:
    results, block = related_block(search_client, "dove trovo le fatture vecchie", language="it")

    assert forum["invoices_it"].id in results
    assert linked(block) == [forum["invoices_en"].id]  # the other threads are not related
    assert f'<a href="/t/{forum["invoices_en"].id}" lang="en">' in block
    assert '<span class="chip lang" lang="en">English</span>' in block
    assert "Discussioni correlate, in italiano e in inglese" in block


def test_a_word_form_the_keywords_miss_is_found_by_meaning(
    search_client: TestClient, forum: dict[str, Any]
) -> None:
    # Meilisearch does not stem Italian: "scaricare" is not "scarico".
    results, block = related_block(search_client, "scaricare fatture vecchie", language="it")
    assert forum["invoices_it"].id not in results
    assert linked(block)[0] == forum["invoices_it"].id
    assert f'<a href="/t/{forum["invoices_it"].id}">' in block  # the reader's language: no mark
    assert "Risolta" in block


def test_an_english_query_finds_the_italian_twin_not_repeating_the_results(
    search_client: TestClient, forum: dict[str, Any]
) -> None:
    results, block = related_block(search_client, "download old invoices")

    assert results[0] == forum["invoices_en"].id  # the keyword search finds it...
    assert forum["invoices_en"].id not in linked(block)  # ...so it is not repeated below
    assert linked(block)[0] == forum["invoices_it"].id
    assert '<span class="chip lang" lang="it">Italiano</span>' in block
    assert "Related threads, in Italian and English" in block
    assert "Solved" in block and "Area clienti" in block  # solved, with its answer's opening

    # An Italian reader may type English: the other language is the query's, not the reader's.
    _, for_italians = related_block(search_client, "download old invoices", language="it")
    assert linked(for_italians) == linked(block)
    assert f'<a href="/t/{forum["invoices_it"].id}">' in for_italians  # no mark: theirs


def test_the_other_language_has_its_own_cut_off(
    search_client: TestClient, forum: dict[str, Any]
) -> None:
    service = search_client.app.state.search  # type: ignore[attr-defined]
    q = "download old invoices"

    # At 0.99 the Italian twin (a translation scores lower) can only come from the other
    # language's search, under its own cut-off.
    loose = similar.related_threads(service, q=q, language="en", threshold=0.99)
    strict = similar.related_threads(
        service, q=q, language="en", threshold=0.99, cross_threshold=0.99
    )
    assert forum["invoices_it"].id in [item.id for item in loose]
    assert forum["invoices_it"].id not in [item.id for item in strict]


def test_a_hidden_thread_is_never_related(
    session: Session, clock: FrozenClock, search_client: TestClient, forum: dict[str, Any]
) -> None:
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    tools.hide_thread(session, Guardian(moderator), forum["invoices_it"], clock=clock)
    drain(session, clock)

    _, block = related_block(search_client, "download old invoices")
    assert forum["invoices_it"].id not in linked(block)
    api = search_client.get("/api/v1/search/related", params={"q": "download old invoices"})
    assert forum["invoices_it"].id not in [item["id"] for item in api.json()["items"]]


def test_no_block_without_a_query_and_nothing_when_nothing_is_related(
    search_client: TestClient, forum: dict[str, Any]
) -> None:
    for q in ("", "  ", "wi"):
        page = search_client.get("/search", params={"q": q})
        assert page.status_code == 200 and 'id="related-threads"' not in page.text, q
    empty = search_client.get("/search/related", params={"q": ""}, headers={"HX-Request": "true"})
    assert empty.status_code == 200 and empty.text.strip() == ""

    _, block = related_block(search_client, "ricetta della carbonara senza panna")
    assert block.strip() == ""


def test_without_javascript_the_related_threads_are_a_page(
    search_client: TestClient, forum: dict[str, Any]
) -> None:
    page = search_client.get("/search", params={"q": "download old invoices"})
    noscript = re.search(r'<noscript><p><a href="([^"]+)">', page.text)
    assert noscript and noscript.group(1) == RELATED_URL.search(page.text).group(1)  # type: ignore[union-attr]

    related = search_client.get(html.unescape(noscript.group(1)))
    assert related.status_code == 200 and "<html" in related.text
    assert forum["invoices_it"].id in linked(related.text)
    assert forum["invoices_en"].id not in linked(related.text)  # on the results page
    assert 'href="/search?q=download+old+invoices"' in related.text

    italian = search_client.get(
        "/search/related", params={"q": "zzzqqq xxyy"}, headers={"Accept-Language": "it"}
    )
    assert "Nessuna discussione correlata" in italian.text


def test_typing_asks_for_related_threads_only_once_the_results_settle(
    search_client: TestClient, forum: dict[str, Any]
) -> None:
    page = search_client.get("/search", params={"q": "old invoices"}).text
    assert 'hx-trigger="load"' in page  # a page loads its block at once
    partial = search_client.get(
        "/search", params={"q": "old invoices"}, headers={"HX-Request": "true"}
    ).text
    # A results swap is replaced by the next keystroke's within the delay, and htmx does not
    # send a request for an element no longer in the page.
    assert 'hx-trigger="load delay:500ms"' in partial


def test_the_api_answers_the_block_of_the_page(
    search_client: TestClient, forum: dict[str, Any]
) -> None:
    results, block = related_block(search_client, "download old invoices")
    api = search_client.get(
        "/api/v1/search/related", params={"q": "download old invoices", "exclude": results}
    )
    assert api.status_code == 200, api.text
    items = api.json()["items"]
    assert [item["id"] for item in items] == linked(block)
    assert items[0]["language"] == "it" and items[0]["solved"] is True
    too_many = search_client.get(
        "/api/v1/search/related", params={"q": "invoices", "exclude": list(range(1, 60))}
    )
    assert too_many.status_code == 422
