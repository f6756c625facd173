"""Real-browser journeys: Debian's Chromium, driven by Playwright, against the live app."""

import re

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from community.clock import FrozenClock
from tests.browser.pages import PASSWORD, ask, new_member, sign_up
from tests.conftest import Mailbox
from tests.factories import make_category, make_user
from tests.mail_helpers import body

pytestmark = pytest.mark.browser


def test_ask_answer_kudos_notification_and_solution(
    browser: Browser, live_server: str, session: Session
) -> None:
    make_category(session, slug="fibra")
    asker = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    helper = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})

    sign_up(asker, live_server, "marta")
    asker.goto(f"{live_server}/t/new")
    asker.select_option("#f-category", label="Fibra")
    asker.fill("#f-title", "Fiber drops every evening around nine")
    asker.fill("#f-body", "Since Monday the line drops at 9 pm. Any idea?")
    asker.fill("#f-tags", "fibra modem")
    asker.get_by_role("button", name="Post your question").click()
    expect(asker.locator("h1")).to_contain_text("Fiber drops every evening")
    thread_url = asker.url

    sign_up(helper, live_server, "paolo")
    helper.goto(thread_url)
    helper.fill("#reply-body", "Check the modem firmware and reboot it once.")
    helper.get_by_role("button", name="Post your answer").click()
    expect(helper.locator("article.post-reply")).to_contain_text("modem firmware")

    asker.goto(thread_url)
    reply = asker.locator("article.post-reply").first
    asker.evaluate("window.__sameDocument = true")
    reply.locator(".kudos-button").click()
    expect(reply.locator(".kudos-count")).to_have_text("1")
    expect(reply.locator(".kudos-button")).to_have_attribute("aria-pressed", "true")
    assert asker.evaluate("window.__sameDocument === true"), "kudos reloaded the page"

    # The reply notification comes from the outbox worker, not from the request.
    asker.goto(f"{live_server}/notifications")
    for _ in range(20):
        if asker.get_by_text(re.compile("Paolo replied")).count():
            break
        asker.wait_for_timeout(250)
        asker.reload()
    expect(asker.get_by_text(re.compile("Paolo replied")).first).to_be_visible()
    expect(asker.locator("#unread-count")).not_to_have_text("0")

    asker.goto(thread_url)
    asker.get_by_role("button", name="Accept as solution").click()
    expect(asker.locator("#solution-box")).to_contain_text("modem firmware")
    asker.reload()
    expect(asker.locator(".chip.solved").first).to_be_visible()


def test_switch_the_interface_to_english_and_back(browser: Browser, live_server: str) -> None:
    page = browser.new_page(locale="it-IT")
    page.goto(f"{live_server}/")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_role("link", name="Accedi")).to_be_visible()

    page.locator(".site-header .lang-switch button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    page.locator(".site-header .lang-switch button[value=it]").click()
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_role("link", name="Accedi")).to_be_visible()


def test_on_a_phone_the_header_fits_and_the_account_menu_logs_out(
    browser: Browser, live_server: str
) -> None:
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="en-GB",
        extra_http_headers={"Accept-Language": "en"},
        is_mobile=True,
        has_touch=True,
    )
    page = phone.new_page()
    sign_up(page, live_server, "nadia")
    page.goto(f"{live_server}/")

    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 170, header
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.locator(".site-header").get_by_role("link", name="Ask a question")).to_be_visible()

    page.locator(".account-menu summary").click()
    expect(page.get_by_role("link", name="Settings")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Settings")).to_be_hidden()

    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    phone.close()


def test_forgotten_password_from_the_login_page_to_signed_in(
    browser: Browser, live_server: str, session: Session, clock: FrozenClock, mailbox: Mailbox
) -> None:
    make_user(session, clock, username="giulia", language="en")
    page = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.fill("#f-login", "giulia@example.com")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.locator("h1")).to_have_text("Check your email")

    # The link comes from the outbox worker, not from the request.
    for _ in range(40):
        if mailbox():
            break
        page.wait_for_timeout(250)
    (message,) = mailbox()
    link = re.search(r"https?://\S+(/password/reset/\S+)", body(message))
    assert link is not None
    page.goto(f"{live_server}{link.group(1)}")
    page.fill("#f-new_password", "a brand new long password")
    page.fill("#f-new_password_confirm", "a brand new long password")
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_text("Your new password is set, and you are logged in.")).to_be_visible()
    expect(page.locator(".account-menu summary")).to_contain_text("Giulia")


def test_a_member_deletes_their_account_and_their_question_stays(
    browser: Browser, live_server: str, session: Session
) -> None:
    make_category(session, slug="fibra")
    page = new_member(browser, live_server)
    thread_url = ask(
        page,
        live_server,
        "Router keeps rebooting at night",
        "Every night around two the router restarts by itself.",
    )

    page.goto(f"{live_server}/settings")
    page.get_by_text("Delete my account", exact=True).click()
    page.fill("#f-erase_password", "not my password")
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.locator("#f-erase_password-error")).to_have_text("Your password is not correct.")
    page.fill("#f-erase_password", PASSWORD)
    page.get_by_role("button", name="Delete my account for good").click()

    expect(page.get_by_text("Your account has been deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.goto(thread_url)
    expect(page.locator("h1")).to_contain_text("Router keeps rebooting at night")
    expect(page.locator(".post-author").first).to_have_text(re.compile(r"^anon_\d+$"))
