"""What several browser journeys do first: a member signs up in an English browser, and asks a
question."""

from playwright.sync_api import Browser, Page, expect

PASSWORD = "a long enough password"


def sign_up(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/signup")
    page.fill("#f-username", username)
    page.fill("#f-display_name", username.capitalize())
    page.fill("#f-email", f"{username}@example.com")
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".account-menu summary")).to_contain_text(username.capitalize())


def new_member(browser: Browser, base: str, username: str = "marta") -> Page:
    """A new browser page, in English, of a member who has just signed up."""
    page = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    sign_up(page, base, username)
    return page


def ask(page: Page, base: str, title: str, body: str, *, category: str = "Fibra") -> str:
    """Post a question from "Ask a question"; returns the thread's address."""
    page.goto(f"{base}/t/new")
    page.select_option("#f-category", label=category)
    page.fill("#f-title", title)
    page.fill("#f-body", body)
    page.get_by_role("button", name="Post your question").click()
    expect(page.locator("h1")).to_contain_text(title)
    return page.url
