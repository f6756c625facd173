import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_error_page_renders_in_browser(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/definitely-not-here")
    expect(page.locator("h1")).to_be_visible()
