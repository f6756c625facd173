"""Real-browser tests of drafts: what a member types in the reply box or "Ask a question" is
kept in the browser until it is posted, across reloads, a dropped connection and leaving the
page, and is forgotten once posted, discarded, or when the member signs out."""

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from community.clock import FrozenClock
from tests.browser.pages import PASSWORD, new_member
from tests.factories import make_category, make_thread, make_user

pytestmark = pytest.mark.browser

SAVE_DELAY_MS = 700  # app.js saves 400 ms after the last keystroke


def _thread_page(session: Session, clock: FrozenClock, browser: Browser, base: str) -> Page:
    asker = make_user(session, clock, username="asker")
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    page = new_member(browser, base)
    page.goto(f"{base}/t/{thread.id}")
    return page


def test_a_reply_survives_a_reload_and_goes_once_posted(
    browser: Browser, live_server: str, session: Session, clock: FrozenClock
) -> None:
    page = _thread_page(session, clock, browser, live_server)
    page.fill("#reply-body", "Unplug the modem for thirty seconds, then")
    page.wait_for_timeout(SAVE_DELAY_MS)

    page.reload()
    expect(page.locator("#reply-body")).to_have_value("Unplug the modem for thirty seconds, then")
    expect(page.get_by_text("Your unsent draft is back.")).to_be_visible()

    page.fill("#reply-body", "Unplug the modem for thirty seconds, then plug it back in.")
    page.get_by_role("button", name="Post your answer").click()
    expect(page.locator("article.post-reply")).to_contain_text("plug it back in")
    expect(page.locator("#reply-body")).to_have_value("")
    page.reload()
    expect(page.locator("#reply-body")).to_have_value("")
    expect(page.get_by_text("Your unsent draft is back.")).to_be_hidden()


def test_a_reply_that_never_reached_the_server_is_kept(
    browser: Browser, live_server: str, session: Session, clock: FrozenClock
) -> None:
    page = _thread_page(session, clock, browser, live_server)
    page.route("**/t/*/posts", lambda route: route.abort("internetdisconnected"))
    page.fill("#reply-body", "Check the fibre cable behind the router.")
    page.get_by_role("button", name="Post your answer").click()
    page.wait_for_timeout(SAVE_DELAY_MS)
    page.unroute("**/t/*/posts")

    page.reload()

    expect(page.locator("#reply-body")).to_have_value("Check the fibre cable behind the router.")
    expect(page.locator("article.post-reply")).to_have_count(0)


def test_a_question_comes_back_until_discarded_or_posted(
    browser: Browser, live_server: str, session: Session
) -> None:
    make_category(session, slug="fibra")
    page = new_member(browser, live_server)
    page.goto(f"{live_server}/t/new")
    page.select_option("#f-category", label="Fibra")
    page.fill("#f-title", "Modem lights blink red at night")
    page.fill("#f-body", "Every night the lights blink red for ten minutes.")
    page.wait_for_timeout(SAVE_DELAY_MS)

    page.goto(f"{live_server}/")
    page.goto(f"{live_server}/t/new")
    expect(page.locator("#f-title")).to_have_value("Modem lights blink red at night")
    expect(page.locator("#f-body")).to_have_value(
        "Every night the lights blink red for ten minutes."
    )
    expect(page.locator("#f-category")).to_have_value("fibra")

    page.get_by_role("button", name="Discard it").click()
    expect(page.locator("#f-title")).to_have_value("")
    page.reload()
    expect(page.locator("#f-body")).to_have_value("")

    page.select_option("#f-category", label="Fibra")
    page.fill("#f-title", "Modem lights blink red at night")
    page.fill("#f-body", "Every night the lights blink red for ten minutes.")
    page.get_by_role("button", name="Post your question").click()
    expect(page.locator("h1")).to_contain_text("Modem lights blink red")
    page.goto(f"{live_server}/t/new")
    expect(page.locator("#f-title")).to_have_value("")
    expect(page.get_by_text("Your unsent draft is back.")).to_be_hidden()


def test_signing_out_forgets_the_drafts_on_this_browser(
    browser: Browser, live_server: str, session: Session, clock: FrozenClock
) -> None:
    page = _thread_page(session, clock, browser, live_server)
    thread_url = page.url
    page.fill("#reply-body", "Something private I was still writing")
    page.wait_for_timeout(SAVE_DELAY_MS)

    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{live_server}/login")
    page.fill("#f-username", "marta")
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(thread_url)

    expect(page.locator("#reply-body")).to_have_value("")
