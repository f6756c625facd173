"""Real-browser journey of the brand's side: a moderator answers officially from a canned reply
(inserted by htmx, no page load), takes the conversation private, and the customer finds the
case at /cases and answers it."""

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from community.clock import SystemClock
from community.models import Role, User
from community.policy import Guardian
from community.settings import get_settings
from moderation import canned
from tests.factories import PASSWORD, make_category, make_thread, make_user

pytestmark = pytest.mark.browser


def _log_in(browser: Browser, base: str, user: User) -> Page:
    page = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    page.goto(f"{base}/login")
    page.fill("#f-username", user.username)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=user.display_name).first).to_be_visible()
    return page


def test_official_canned_reply_then_a_private_case_the_customer_finds(
    browser: Browser, live_server: str, session: Session
) -> None:
    clock = SystemClock()
    customer = make_user(session, clock, username="giulia")
    moderator = make_user(session, clock, username="sara", role=Role.moderator)
    thread = make_thread(
        session,
        clock,
        author=customer,
        category=make_category(session, slug="fatture"),
        title="Charged twice for October, this is unacceptable",
        body="My card was charged twice and nobody answers.",
    )
    canned.create_reply(
        session,
        Guardian(moderator),
        title="Apology",
        body="Hi {customer_name}, we are sorry about “{thread_title}”. We are checking now.",
        language="",
        clock=clock,
    )

    brand = _log_in(browser, live_server, moderator)
    brand.goto(f"{live_server}/t/{thread.id}")
    brand.evaluate("window.__sameDocument = true")
    brand.locator("#canned-menu summary").click()
    brand.get_by_role("link", name="Apology").click()
    expect(brand.locator("#reply-body")).to_have_value(
        "Hi Giulia, we are sorry about “Charged twice for October, this is unacceptable”. "
        "We are checking now."
    )
    assert brand.evaluate("window.__sameDocument === true"), "the canned reply reloaded the page"
    brand.get_by_role("button", name="Post your answer").click()
    official = brand.locator("article.post-reply").first
    expect(official).to_contain_text("we are sorry about")
    expect(official).to_contain_text(f"Official · {get_settings().brand_name}")

    brand.locator("article.post-question a.take-private").click()
    brand.fill("#case-subject", "Double charge in October")
    brand.select_option("#case-priority", "high")
    brand.fill("#case-body", "Please send us the **invoice number** here, privately.")
    brand.get_by_role("button", name="Open the case").click()
    expect(brand.locator("h1")).to_contain_text("Double charge in October")
    brand.locator("#case-body").fill("Refund requested from billing.")
    brand.get_by_label("Internal note (the customer never sees it)").check()
    brand.get_by_role("button", name="Send").click()
    expect(brand.locator(".case-note")).to_contain_text("Refund requested from billing.")

    me = _log_in(browser, live_server, customer)
    me.goto(f"{live_server}/t/{thread.id}")
    expect(me.locator(".case-notice")).to_contain_text(
        "The brand has taken this conversation private."
    )
    me.goto(f"{live_server}/cases")
    me.get_by_role("link", name="Double charge in October").click()
    expect(me.locator("#case-conversation")).to_contain_text("invoice number")
    expect(me.locator("#case-conversation")).not_to_contain_text("Refund requested")
    me.locator("#case-body").fill("It is invoice 2026-10-118.")
    me.get_by_role("button", name="Send").click()
    expect(me.locator("#case-conversation")).to_contain_text("It is invoice 2026-10-118.")

    brand.reload()
    expect(brand.locator("#case-conversation")).to_contain_text("It is invoice 2026-10-118.")
