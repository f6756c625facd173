"""The case page's header in a real browser, on a desktop and on a 390 px phone: each fact (status,
priority, assignee, customer, thread, opened) stands apart behind its own rule, inside the screen,
none over another, for the brand and for the customer."""

import pytest
from playwright.sync_api import Browser, Page
from sqlmodel import Session, col, select

from community.clock import SystemClock
from community.models import Post, Role, User
from community.policy import Guardian
from moderation import cases
from tests.factories import PASSWORD, make_category, make_thread, make_user

pytestmark = pytest.mark.browser

# Where each fact's box is, and whether a rule sets it off on its left.
FACTS = """() => [...document.querySelectorAll('.case-facts > div')].map(fact => {
  const box = fact.getBoundingClientRect();
  const rule = parseFloat(getComputedStyle(fact).borderLeftWidth);
  return {left: box.left, right: box.right, top: box.top, bottom: box.bottom, rule};
})"""


def _log_in(browser: Browser, base: str, user: User, width: int) -> Page:
    page = browser.new_page(
        viewport={"width": width, "height": 900}, extra_http_headers={"Accept-Language": "en"}
    )
    page.goto(f"{base}/login")
    page.fill("#f-username", user.username)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"] - 1
        and b["left"] < a["right"] - 1
        and a["top"] < b["bottom"] - 1
        and b["top"] < a["bottom"] - 1
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_the_case_header_keeps_its_facts_apart(
    browser: Browser, live_server: str, session: Session, width: int
) -> None:
    clock = SystemClock()
    luca = make_user(session, clock, username="luca", role=Role.moderator)
    giulia = make_user(session, clock, username="giulia")
    make_thread(
        session,
        clock,
        author=giulia,
        category=make_category(session),
        title="Charged twice for October, and nobody answers the phone or the e-mail at all",
        body="My card was charged twice this month.",
    )
    question = session.exec(select(Post).order_by(col(Post.id))).first()
    assert question is not None
    case = cases.open_case(
        session,
        Guardian(luca),
        question,
        subject="Double charge",
        priority="urgent",
        body="Which invoice is it?",
        clock=clock,
    )
    for person, url, count in (
        (luca, f"/mod/cases/{case.id}", 6),
        (giulia, f"/cases/{case.id}", 3),
    ):
        page = _log_in(browser, live_server, person, width)
        page.goto(f"{live_server}{url}")
        facts = page.evaluate(FACTS)
        assert len(facts) == count, url
        for fact in facts:
            assert fact["rule"] > 0, url
            assert fact["left"] >= 0 and fact["right"] <= width, (url, fact)
        for i, fact in enumerate(facts):
            assert not any(_overlap(fact, other) for other in facts[i + 1 :]), (url, fact)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
        page.close()
