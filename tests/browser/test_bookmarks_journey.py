"""Real-browser journey for bookmarks: save an answer from the thread page (htmx, no reload),
find it on the Bookmarks page from the account menu, give it a note, remove it."""

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from tests.browser.pages import ask, new_member
from tests.factories import make_category

pytestmark = pytest.mark.browser


def test_save_an_answer_find_it_in_bookmarks_note_it_and_remove_it(
    browser: Browser, live_server: str, session: Session
) -> None:
    make_category(session, slug="fibra")
    page = new_member(browser, live_server)
    ask(
        page,
        live_server,
        "The landline has no dial tone",
        "Since this morning the phone is silent, the internet works.",
    )

    question = page.locator("article.post-question")
    save = question.get_by_role("button", name="Save")
    expect(save).to_have_attribute("aria-pressed", "false")
    page.evaluate("window.__sameDocument = true")
    save.click()
    expect(question.get_by_role("button", name="Save")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__sameDocument === true"), "saving reloaded the page"

    page.locator(".account-menu summary").click()
    page.get_by_role("link", name="Bookmarks").click()
    row = page.locator("article.bookmark-row")
    expect(row).to_contain_text("The landline has no dial tone")
    expect(row).to_contain_text("the phone is silent")

    row.locator("summary").click()
    row.get_by_label("Note (only you see it)").fill("call support if still silent")
    row.get_by_role("button", name="Save note").click()
    expect(page.locator("article.bookmark-row .bookmark-note")).to_contain_text(
        "call support if still silent"
    )

    page.locator("article.bookmark-row").get_by_role("button", name="Remove").click()
    expect(page.locator("article.bookmark-row")).to_have_count(0)
