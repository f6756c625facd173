"""Real-browser journey of the listening queue: an angry thread left unanswered for 30 hours tops
the queue, a moderator claims it from there (htmx, no page load), everyone sees who owns it, and
another moderator is warned before replying to it."""

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from community.clock import FrozenClock, SystemClock
from community.models import Post, Role, User
from moderation import care
from tests.factories import PASSWORD, make_category, make_thread, make_user
from tests.moderation.care_helpers import signal

pytestmark = pytest.mark.browser


def _log_in(browser: Browser, base: str, user: User) -> Page:
    page = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    page.goto(f"{base}/login")
    page.fill("#f-username", user.username)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=user.display_name).first).to_be_visible()
    return page


def test_an_angry_unanswered_thread_tops_the_queue_and_is_claimed(
    browser: Browser, live_server: str, session: Session
) -> None:
    clock = SystemClock()
    category = make_category(session, slug="fatture")
    sara = make_user(session, clock, username="sara", role=Role.moderator)
    luca = make_user(session, clock, username="luca", role=Role.moderator)
    calm = make_thread(
        session,
        clock,
        author=make_user(session, clock, username="paolo"),
        category=category,
        title="How do I download last month's invoice?",
        body="Where can I find the PDF of my invoice?",
    )
    earlier = FrozenClock(clock.now() - timedelta(hours=30))
    angry = make_thread(
        session,
        earlier,
        author=make_user(session, clock, username="giulia"),
        category=category,
        title="Charged twice and nobody answers, this is unacceptable",
        body="You charged my card twice. I am furious, this is the worst service ever.",
    )
    assert angry.last_post_id is not None
    post = session.get(Post, angry.last_post_id)
    assert post is not None
    signal(session, clock, post, sentiment="negative", score=0.97, needs_brand=True)
    assert angry.id is not None and calm.id is not None
    care.build(session, [angry.id, calm.id], now=clock.now())  # the worker would, a moment later
    session.commit()

    brand = _log_in(browser, live_server, sara)
    brand.goto(f"{live_server}/mod/queue")
    top = brand.locator(".queue-row").first
    expect(top).to_contain_text("Charged twice and nobody answers")
    expect(top).to_contain_text("unanswered 30 h — breached")
    expect(top).to_contain_text("negative")
    brand.evaluate("window.__sameDocument = true")
    top.get_by_role("button", name="Claim").click()
    expect(brand.locator(f"#queue-row-{angry.id}")).to_contain_text("Claimed by Sara")
    assert brand.evaluate("window.__sameDocument === true"), "claiming reloaded the page"

    customer = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    customer.goto(f"{live_server}/t/{angry.id}")
    expect(customer.locator(f"#claim-{angry.id}")).to_contain_text("Claimed by Sara")

    other = _log_in(browser, live_server, luca)
    other.goto(f"{live_server}/t/{angry.id}")
    expect(other.locator("#reply-claim-warning")).to_contain_text("Claimed by Sara — reply anyway?")
    other.locator("#reply-body").fill("Luca here: we are checking the double charge.")
    other.get_by_label("Yes, reply anyway").check()
    other.get_by_role("button", name="Post your answer").click()
    expect(other.locator("article.post-reply").first).to_contain_text("checking the double charge")
