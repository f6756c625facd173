"""Similar threads in a real browser: typing a question fills the box; clicking counts."""

import time

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session, select

from community import solutions
from community.clock import SystemClock
from community.policy import Guardian
from search.models import SuggestionEvent
from tests.browser import conftest as browser_conftest
from tests.factories import PASSWORD, make_category, make_reply, make_thread, make_user

pytestmark = pytest.mark.browser

browser_type_launch_args = browser_conftest.browser_type_launch_args


def _wait_until_suggested(base: str, q: str, thread_id: int | None) -> None:
    """The worker embeds and indexes in the background: wait for the thread to be findable."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items = httpx.get(f"{base}/api/v1/similar", params={"q": q}).json()["items"]
        if any(item["id"] == thread_id and item["solution_excerpt"] for item in items):
            return
        time.sleep(0.2)
    raise AssertionError(f"thread {thread_id} never became a suggestion for {q!r}")


def test_typing_a_question_shows_similar_threads_and_counts_the_click(
    browser: Browser, live_search_server: str, session: Session
) -> None:
    clock = SystemClock()
    asker = make_user(session, clock, username="marta")
    helper = make_user(session, clock, username="paolo")
    fibra = make_category(session, slug="fibra")
    fiber = make_thread(
        session,
        clock,
        author=asker,
        category=fibra,
        title="My fiber connection drops every evening",
        body="Every evening around 9 pm the fiber connection drops.",
    )
    reply = make_reply(
        session, clock, author=helper, thread=fiber, body="Replace the optical cable."
    )
    solutions.accept_solution(session, Guardian(asker), fiber, reply, clock=clock)
    customer = make_user(session, clock, username="giulia")
    _wait_until_suggested(live_search_server, "la fibra si disconnette ogni sera", fiber.id)

    page = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    page.goto(f"{live_search_server}/login")
    page.fill("#f-username", customer.username)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_search_server}/t/new")
    box = page.locator("#similar-threads")
    expect(box).to_be_empty()

    page.locator("#f-title").press_sequentially("La fibra si disconnette", delay=20)
    page.locator("#f-body").press_sequentially(" ogni sera", delay=20)
    expect(box).to_contain_text("Maybe already answered:")
    expect(box).to_contain_text("My fiber connection drops every evening")
    expect(box).to_contain_text("Replace the optical cable.")
    expect(page.locator("#f-title")).to_have_value("La fibra si disconnette")  # form untouched

    with page.context.expect_page() as opened:
        box.get_by_role("link", name="My fiber connection drops every evening").click()
    thread_page = opened.value
    expect(thread_page.locator("h1")).to_contain_text("My fiber connection drops every evening")

    session.expire_all()
    kinds = [row.kind for row in session.exec(select(SuggestionEvent))]
    assert "impression" in kinds and kinds[-1] == "click"
