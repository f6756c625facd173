"""Real-browser journey of the brand's care team, end to end: an angry thread left unanswered for
30 hours tops the listening queue; a moderator claims it there (htmx, no page load) and everyone
sees who owns it; another moderator is warned before replying; the owner answers officially from a
canned reply (inserted by htmx), takes the conversation private with an internal note, and the
customer finds the case at /cases, without the note, and answers it."""

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from community.clock import FrozenClock, SystemClock
from community.models import Post, Role, User
from community.policy import Guardian
from community.settings import get_settings
from moderation import canned, care
from tests.factories import PASSWORD, make_category, make_thread, make_user
from tests.moderation.care_helpers import signal

pytestmark = pytest.mark.browser


def _log_in(browser: Browser, base: str, user: User) -> Page:
    page = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    page.goto(f"{base}/login")
    page.fill("#f-username", user.username)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".account-menu summary")).to_contain_text(user.display_name)
    return page


def test_queue_claim_canned_official_reply_private_case_and_the_customer_at_cases(
    browser: Browser, live_server: str, session: Session
) -> None:
    clock = SystemClock()
    category = make_category(session, slug="fatture")
    sara = make_user(session, clock, username="sara", role=Role.moderator)
    luca = make_user(session, clock, username="luca", role=Role.moderator)
    giulia = make_user(session, clock, username="giulia")
    calm = make_thread(
        session,
        clock,
        author=make_user(session, clock, username="paolo"),
        category=category,
        title="How do I download last month's invoice?",
        body="Where can I find the PDF of my invoice?",
    )
    angry = make_thread(
        session,
        FrozenClock(clock.now() - timedelta(hours=30)),
        author=giulia,
        category=category,
        title="Charged twice and nobody answers, this is unacceptable",
        body="You charged my card twice. I am furious, this is the worst service ever.",
    )
    question = session.get(Post, angry.last_post_id)
    assert question is not None and angry.id is not None and calm.id is not None
    signal(session, clock, question, sentiment="negative", score=0.97, needs_brand=True)
    care.build(session, [angry.id, calm.id], now=clock.now())  # the worker would, a moment later
    canned.create_reply(
        session,
        Guardian(sara),
        title="Apology",
        body="Hi {customer_name}, we are sorry about “{thread_title}”. We are checking now.",
        language="",
        clock=clock,
    )
    session.commit()

    # The queue puts the angry, breached thread first; Sara claims it without leaving the page.
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

    # Everyone sees who owns it; another moderator is warned before answering.
    other = _log_in(browser, live_server, luca)
    other.goto(f"{live_server}/t/{angry.id}")
    expect(other.locator(f"#claim-{angry.id}")).to_contain_text("Claimed by Sara")
    expect(other.locator("#reply-claim-warning")).to_contain_text("Claimed by Sara — reply anyway?")

    # Sara answers officially from the canned reply, filled in without a page load.
    brand.goto(f"{live_server}/t/{angry.id}")
    brand.evaluate("window.__sameDocument = true")
    brand.locator("#reply-body").fill("Refund issued today.")  # a draft the template keeps
    brand.locator("#canned-menu summary").click()
    brand.get_by_role("link", name="Apology").click()
    expect(brand.locator("#reply-body")).to_have_value(
        "Refund issued today.\n\n"
        "Hi Giulia, we are sorry about “Charged twice and nobody answers, this is unacceptable”. "
        "We are checking now."
    )
    assert brand.evaluate("window.__sameDocument === true"), "the canned reply reloaded the page"
    brand.get_by_role("button", name="Post your answer").click()
    official = brand.locator("article.post-reply").first
    expect(official).to_contain_text("we are sorry about")
    expect(official).to_contain_text(f"Official · {get_settings().brand_name}")

    # ... then takes it private, with an internal note the customer must never see.
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

    # The customer sees the notice on the thread and finds the case at /cases.
    me = _log_in(browser, live_server, giulia)
    me.goto(f"{live_server}/t/{angry.id}")
    expect(me.locator(".case-notice")).to_contain_text(
        f"The {get_settings().brand_name} team is following this up privately."
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


def test_the_merge_field_keeps_its_hint_and_its_error_below_it(
    browser: Browser, live_server: str, session: Session
) -> None:
    clock = SystemClock()
    sara = make_user(session, clock, username="sara", role=Role.moderator)
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    page = _log_in(browser, live_server, sara)
    page.goto(f"{live_server}/mod/threads/{thread.id}")
    field = page.locator("#thread-tools input[name=into]")

    def _gap_below_field() -> float:
        return float(
            field.evaluate("f => f.nextElementSibling.getBoundingClientRect().top")
        ) - float(field.evaluate("f => f.getBoundingClientRect().bottom"))

    expect(field.locator("xpath=following-sibling::small[1]")).to_contain_text(
        "This thread's posts are added after"
    )
    assert _gap_below_field() >= 0, "the hint is drawn over the merge field"

    field.fill("not a thread")
    page.get_by_label("Yes, merge: this cannot be undone").check()
    page.get_by_role("button", name="Merge").click()
    expect(page.locator("#merge-error")).to_be_visible()
    assert _gap_below_field() >= 0, "the error is drawn over the merge field"


def test_the_suspend_button_looks_like_the_other_destructive_buttons(
    browser: Browser, live_server: str, session: Session
) -> None:
    """It was the page's green call to action, like "Ask a question"."""
    clock = SystemClock()
    sara = make_user(session, clock, username="sara", role=Role.moderator)
    make_user(session, clock, username="paola")
    page = _log_in(browser, live_server, sara)
    page.goto(f"{live_server}/u/paola")
    suspend = page.locator(".mod-suspend button", has_text="Suspend")
    expect(suspend).to_have_css("background-color", "rgb(176, 0, 32)")
