"""Search as you type in a real browser: htmx swaps the results and updates the URL."""

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from community.clock import SystemClock
from tests.factories import make_category, make_thread, make_user

pytestmark = pytest.mark.browser


def test_search_as_you_type_updates_results_and_url(
    browser: Browser, live_server: str, session: Session
) -> None:
    clock = SystemClock()
    author = make_user(session, clock, username="marta")
    category = make_category(session, slug="fibra")
    make_thread(session, clock, author=author, category=category, title="Fiber drops at night")
    make_thread(session, clock, author=author, category=category, title="Modem blinks red")

    page = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    page.goto(f"{live_server}/search")
    page.evaluate("window.__sameDocument = true")
    page.locator(".search-form input[name=q]").press_sequentially("modem", delay=30)
    results = page.locator("#search-results")
    expect(results).to_contain_text("Modem blinks red")
    expect(results).not_to_contain_text("Fiber drops at night")
    expect(page).to_have_url(f"{live_server}/search?q=modem&sort=relevance")
    assert page.evaluate("window.__sameDocument === true"), "typing reloaded the page"

    page.reload()
    expect(page.locator("#search-results")).to_contain_text("Modem blinks red")
    expect(page.locator(".search-form input[name=q]")).to_have_value("modem")
