"""The listening queue in a real browser: what a moderator sees when a row leaves the list."""

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session, select

from community.clock import SystemClock
from community.models import Post, Role
from community.policy import Guardian
from moderation import care, flags
from moderation.models import FlagKind
from tests.browser.test_moderation_journey import _log_in
from tests.factories import make_category, make_reply, make_thread, make_user

pytestmark = pytest.mark.browser


def test_dismissing_the_last_flag_in_a_filtered_queue_says_nothing_is_left(
    browser: Browser, live_server: str, session: Session
) -> None:
    clock = SystemClock()  # the live server reads the real clock
    category = make_category(session, slug="fibra")
    sara = make_user(session, clock, username="sara", role=Role.moderator)
    thread = make_thread(
        session,
        clock,
        author=make_user(session, clock, username="paolo"),
        category=category,
        title="Which router settings work with fibre?",
    )
    make_reply(session, clock, author=sara, thread=thread, body="Use the default profile.")
    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    assert thread.id is not None
    reporter = make_user(session, clock, username="nina")
    flags.raise_flag(session, Guardian(reporter), question, kind=FlagKind.spam, clock=clock)
    care.build(session, [thread.id], now=clock.now())
    session.commit()

    page = _log_in(browser, live_server, sara)
    page.goto(f"{live_server}/mod/queue?reason=flagged")
    row = page.locator(f"#queue-row-{thread.id}")
    expect(row).to_be_visible()
    expect(page.locator(".empty-queue")).to_be_hidden()

    row.get_by_role("button", name="Dismiss flags").click()
    expect(row).to_have_count(0)
    expect(page.locator(".empty-queue")).to_be_visible()
    expect(page.locator(".empty-queue")).to_contain_text(
        "No thread in the queue matches these filters."
    )
