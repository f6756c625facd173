"""Real-browser journey for reputation: an accepted answer raises the answerer's reputation at
once and earns a badge (from the in-process outbox worker) that shows on their profile."""

import re

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from tests.browser.pages import sign_up
from tests.factories import make_category

pytestmark = pytest.mark.browser


def test_an_accepted_answer_raises_reputation_and_earns_a_badge_on_the_profile(
    browser: Browser, live_server: str, session: Session
) -> None:
    make_category(session, slug="fibra")
    asker = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    helper = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})

    sign_up(asker, live_server, "giulia")
    asker.goto(f"{live_server}/t/new")
    asker.select_option("#f-category", label="Fibra")
    asker.fill("#f-title", "The modem light keeps blinking orange")
    asker.fill("#f-body", "Since yesterday the light blinks orange and nothing loads. Ideas?")
    asker.get_by_role("button", name="Post your question").click()
    expect(asker.locator("h1")).to_contain_text("blinking orange")
    thread_url = asker.url

    sign_up(helper, live_server, "luca")
    helper.goto(f"{live_server}/u/luca")
    expect(helper.locator("#rank-progress")).to_contain_text("0 reputation points")
    expect(helper.locator("#badges")).to_contain_text("No badges yet.")

    helper.goto(thread_url)
    helper.fill("#reply-body", "Orange means no sync: unplug the fibre cable and plug it back.")
    helper.get_by_role("button", name="Post your answer").click()
    expect(helper.locator("article.post-reply")).to_contain_text("no sync")

    asker.goto(thread_url)
    asker.get_by_role("button", name="Accept as solution").click()
    expect(asker.locator("#solution-box")).to_contain_text("no sync")

    # The points are in the same transaction as the solution; the badge comes from the worker.
    helper.goto(f"{live_server}/u/luca")
    expect(helper.locator("#rank-progress")).to_contain_text("15 reputation points")
    expect(helper.locator("#rank-progress-text")).to_have_text("35 points to Contributor")
    expect(helper.locator("#reputation-history")).to_contain_text("Answer accepted")
    expect(helper.locator("#reputation-history .ledger-points").first).to_have_text("+15")
    for _ in range(40):  # at most ~10 s
        if helper.locator("#badge-first_solution").count():
            break
        helper.wait_for_timeout(250)
        helper.reload()
    badge = helper.locator("#badge-first_solution")
    expect(badge).to_contain_text("First solution")
    expect(badge.locator(".badge-date")).to_contain_text(re.compile(r"Earned \w+"))

    # Everyone sees it, and the rank chip sits next to the name on the thread.
    asker.goto(f"{live_server}/u/luca")
    expect(asker.locator("#badges")).to_contain_text("First solution")
    asker.goto(thread_url)
    expect(asker.locator("article.post-reply .chip.rank").first).to_have_text("Newcomer")
