"""Real-browser check of the care dashboard: a moderator changes the date range and the figures
follow it (the form updates the page with htmx and the URL with it)."""

import time
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func
from sqlmodel import Session, select

from community.clock import FrozenClock, SystemClock
from community.models import Role
from moderation.models import CareThread
from tests.browser.test_moderation_journey import _log_in
from tests.factories import make_category, make_reply, make_thread, make_user

pytestmark = pytest.mark.browser


def test_changing_the_date_range_changes_the_figures(
    browser: Browser, live_server: str, session: Session
) -> None:
    now = SystemClock().now()
    clock = FrozenClock(now - timedelta(days=45))
    category = make_category(session, slug="fibra")
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    moderator = make_user(session, clock, username="mara", role=Role.moderator)
    make_thread(session, clock, author=asker, category=category, title="An old fibre question")
    clock.set(now - timedelta(days=2))
    recent = make_thread(session, clock, author=asker, category=category, title="A new question")
    clock.advance(hours=1)
    make_reply(session, clock, author=helper, thread=recent)
    # The live server's own worker builds the care rows; draining here as well would race it
    # for SQLite's write lock.
    deadline = time.monotonic() + 30
    while _care_rows(session) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _care_rows(session) == 2

    page = _log_in(browser, live_server, moderator)
    page.get_by_role("link", name="Analytics").click()
    expect(page.locator("h1")).to_have_text("Care analytics")
    expect(page.locator("#card-threads .figure-value")).to_have_text("1")  # the last 28 days
    expect(page.locator("#card-response-rate .figure-value")).to_have_text("100%")

    earlier = (now - timedelta(days=60)).date().isoformat()
    page.fill("input[name=from]", earlier)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#card-threads .figure-value")).to_have_text("2")
    expect(page.locator("#card-response-rate .figure-value")).to_have_text("50%")
    assert f"from={earlier}" in page.url  # the view can be shared and reloaded
    page.reload()
    expect(page.locator("#card-threads .figure-value")).to_have_text("2")
    page.locator("#chart-weeks summary").click()
    expect(page.locator("#chart-weeks table")).to_be_visible()
    week = recent.created_at.date() - timedelta(days=recent.created_at.weekday())
    expect(page.locator(f"#week-row-{week.isoformat()}")).to_contain_text("100%")


def _care_rows(session: Session) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(CareThread)).one())
