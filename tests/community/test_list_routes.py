import base64
import re

import pytest
from fastapi.testclient import TestClient

from community.models import Role
from community.settings import get_settings
from tests.factories import make_category, make_reply, make_thread, make_user, set_thread
from tests.helpers import login


@pytest.fixture(autouse=True)
def many_posts_a_minute(monkeypatch):
    """These tests post many threads within one wall-clock second."""
    monkeypatch.setattr(get_settings(), "posts_limit_per_minute", 10_000)


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="thread-row-(\d+)"', html)]


@pytest.fixture
def forum(session, clock):
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    broadband = make_category(session, slug="broadband", position=2)
    billing = make_category(session, slug="billing", position=1)
    clock.advance(minutes=1)
    open_question = make_thread(
        session,
        clock,
        author=asker,
        category=broadband,
        title="Router keeps rebooting at night",
        tags=["router", "wifi"],
    )
    clock.advance(minutes=1)
    answered = make_thread(
        session, clock, author=asker, category=broadband, title="Slow speed after upgrade"
    )
    make_reply(session, clock, author=helper, thread=answered)
    set_thread(session, answered, solved_at=clock.now(), kudos_count=4)
    clock.advance(minutes=1)
    invoice = make_thread(
        session, clock, author=helper, category=billing, title="Invoice shows a double charge"
    )
    return {
        "asker": asker,
        "helper": helper,
        "broadband": broadband,
        "billing": billing,
        "open": open_question,
        "answered": answered,
        "invoice": invoice,
    }


def test_home_shows_hero_categories_in_order_and_latest_activity(client, forum):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert get_settings().brand_name in html
    assert 'href="/t/new"' in html
    # Categories by position, with counts and a link to the latest thread.
    assert html.index('href="/c/billing"') < html.index('href="/c/broadband"')
    assert "2 threads" in html and "3 posts" in html
    assert f'href="/t/{forum["answered"].id}">Slow speed after upgrade</a>' in html
    # Latest activity across categories, newest activity first.
    latest = html[html.index('id="latest-threads"') :]
    assert row_ids(latest) == [forum[n].id for n in ("invoice", "answered", "open")]
    assert "<time" in latest


def test_category_page_lists_its_threads_with_their_details(client, forum):
    response = client.get("/c/broadband")
    assert response.status_code == 200
    html = response.text
    assert row_ids(html) == [forum["answered"].id, forum["open"].id]
    assert forum["invoice"].title not in html
    row = html[html.index(f'id="thread-row-{forum["open"].id}"') :]
    assert f'href="/t/{forum["open"].id}">Router keeps rebooting at night</a>' in row
    assert "Unsolved" in row and "#router" in row and "#wifi" in row and "Asker" in row
    solved_row = html[html.index(f'id="thread-row-{forum["answered"].id}"') :]
    assert "Solved" in solved_row
    assert "<strong>4</strong>" in solved_row  # kudos


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?filter=unanswered", ["open"]),
        ("?filter=unsolved", ["open"]),
        ("?filter=solved", ["answered"]),
        ("?sort=newest", ["answered", "open"]),
        ("?sort=kudos", ["answered", "open"]),
        ("?filter=all&sort=activity", ["answered", "open"]),
    ],
)
def test_filters_and_sorts_live_in_the_url(client, forum, query, expected):
    response = client.get("/c/broadband" + query)
    assert response.status_code == 200
    assert row_ids(response.text) == [forum[n].id for n in expected]
    assert 'aria-current="page"' in response.text


def test_unknown_filter_or_sort_falls_back_with_a_notice(client, forum):
    response = client.get("/c/broadband?filter=bogus&sort=loudest")
    assert response.status_code == 200
    assert "bogus, loudest" in response.text
    assert row_ids(response.text) == [forum["answered"].id, forum["open"].id]


def test_unknown_category_is_a_404_page(client, forum):
    response = client.get("/c/no-such-thing")
    assert response.status_code == 404
    assert "<html" in response.text


def test_malformed_cursor_is_a_clear_error(client, forum):
    response = client.get("/c/broadband?cursor=garbage!!")
    assert response.status_code == 422
    assert "page link is broken" in response.text


@pytest.mark.parametrize(
    ("sort", "raw"),
    [
        ("kudos", "k|3|99999999999999999999999"),  # an id beyond SQLite's INTEGER
        ("kudos", "k|99999999999999999999999|3"),
        ("newest", "n|2026-01-15T09:00:00+00:00|2147483648"),  # beyond PostgreSQL's ids
        ("newest", "n|0001-01-01T00:00:00+05:00|1"),  # before year 1 once in UTC
        ("activity", "a|9999-12-31T23:00:00-05:00|1"),  # after year 9999 once in UTC
    ],
)
def test_a_forged_cursor_is_the_same_clear_error(client, forum, sort, raw):
    cursor = base64.urlsafe_b64encode(raw.encode()).decode()
    response = client.get("/c/broadband", params={"sort": sort, "cursor": cursor})
    assert response.status_code == 422
    assert "page link is broken" in response.text


def test_next_page_link_and_htmx_more(client, session, clock, forum, monkeypatch):
    monkeypatch.setattr(get_settings(), "page_size", 2)
    for n in range(4):
        clock.advance(minutes=1)
        make_thread(
            session, clock, author=forum["asker"], category=forum["billing"], title=f"Billing {n}"
        )
    first = client.get("/c/billing")
    first_ids = row_ids(first.text)
    assert len(first_ids) == 2
    (next_url,) = re.findall(r'<a href="(/c/billing\?cursor=[^"]+)"', first.text)

    more = client.get(next_url, headers={"HX-Request": "true"})
    assert more.status_code == 200
    assert "<html" not in more.text
    assert more.text.lstrip().startswith('<div class="thread-list" id="threads-')
    second_ids = row_ids(more.text)
    assert len(second_ids) == 2

    # The same link without JavaScript is a whole page.
    page = client.get(next_url)
    assert "<html" in page.text and row_ids(page.text) == second_ids

    (last_url,) = re.findall(r'href="(/c/billing\?cursor=[^"]+)"', more.text)
    last_ids = row_ids(client.get(last_url, headers={"HX-Request": "true"}).text)
    everything = first_ids + second_ids + last_ids
    assert len(everything) == len(set(everything)) == 5
    # The last page links no further (the language switch keeps the page's own cursor).
    after_list = client.get(last_url).text.split('id="threads-')[1]
    assert re.search(r'<a href="/c/billing\?cursor=', after_list) is None


def test_deleted_threads_only_show_to_moderators(client, session, clock, forum):
    set_thread(session, forum["open"], deleted_at=clock.now())
    assert forum["open"].id not in row_ids(client.get("/c/broadband").text)
    assert forum["open"].id not in row_ids(client.get("/").text)

    make_user(session, clock, username="moderator", role=Role.moderator)
    login(client, "moderator")
    html = client.get("/c/broadband").text
    assert forum["open"].id in row_ids(html)
    assert 'class="chip deleted"' in html


def test_my_threads_needs_sign_in(client, forum):
    response = client.get("/my/threads?tab=replied", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/my/threads%3Ftab%3Dreplied"


def test_my_threads_shows_started_and_replied_tabs(client, forum):
    login(client, forum["helper"])
    started = client.get("/my/threads")
    assert started.status_code == 200
    assert row_ids(started.text) == [forum["invoice"].id]
    replied = client.get("/my/threads?tab=replied")
    assert row_ids(replied.text) == [forum["answered"].id]
    assert 'href="/c/broadband"' in replied.text  # rows name their category here


def _footer(client: TestClient, language: str) -> str:
    page: str = client.get("/", headers={"Accept-Language": language}).text
    return page[page.index('class="container site-footer"') :]


def test_the_footer_tagline_is_in_the_readers_language(client, forum):
    italian = _footer(client, "it-IT,it;q=0.9")
    assert "Community di assistenza" in italian and "Support community" not in italian
    english = _footer(client, "en-GB,en;q=0.9")
    assert "Support community" in english and "Community di assistenza" not in english


def test_a_brand_sets_its_own_tagline_for_every_language_or_one_per_language(
    client, forum, monkeypatch
):
    settings = get_settings()
    monkeypatch.setattr(settings, "brand_tagline", "Fibre & mobile help")
    for language in ("it", "en"):  # the brand's own words, as written, escaped
        assert f"{settings.brand_name} · Fibre &amp; mobile help ·" in _footer(client, language)

    taglines = {"it": "Clienti che aiutano clienti", "en": "Customers helping customers"}
    monkeypatch.setattr(settings, "brand_tagline", taglines)
    assert "Clienti che aiutano clienti" in _footer(client, "it")
    assert "Customers helping customers" in _footer(client, "en")
    # A language the brand left out gets the default language's (Italian here).
    monkeypatch.setattr(settings, "brand_tagline", {"it": "Clienti che aiutano clienti"})
    assert "Clienti che aiutano clienti" in _footer(client, "en")


def test_a_category_is_described_in_the_readers_language(client, session, forum):
    broadband = forum["broadband"]
    broadband.description_it = "Fibra, ADSL e velocità della linea."
    broadband.description_en = "Fibre, ADSL and line speed."
    billing = forum["billing"]
    billing.description_it = "Fatture e rimborsi."  # no English yet: English readers get this
    session.add_all([broadband, billing])
    session.commit()

    for url in ("/", "/c/broadband"):
        english = client.get(url, headers={"Accept-Language": "en"}).text
        assert "Fibre, ADSL and line speed." in english
        assert "Fibra, ADSL e velocità" not in english
        italian = client.get(url, headers={"Accept-Language": "it"}).text
        assert "Fibra, ADSL e velocità della linea." in italian
        assert "Fibre, ADSL and line speed" not in italian
    assert "Fatture e rimborsi." in client.get("/", headers={"Accept-Language": "en"}).text

    items = client.get("/api/v1/categories", headers={"Accept-Language": "it"}).json()["items"]
    described = {item["slug"]: item for item in items}["broadband"]
    assert described["description"] == "Fibra, ADSL e velocità della linea."
    assert described["descriptions"] == {
        "it": "Fibra, ADSL e velocità della linea.",
        "en": "Fibre, ADSL and line speed.",
    }
