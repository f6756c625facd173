"""The customer's pages on a 390 px phone: nothing scrolls sideways, names never break inside a
word, search results come before the filters, and the flag form opens as a panel."""

import time

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect
from sqlmodel import Session, select

from community import reputation, solutions
from community.clock import SystemClock
from community.models import Post, ReputationReason, Role, User
from community.policy import Guardian
from community.security import rate_limiter
from moderation import advocates, bulk_move, cases
from tests.factories import PASSWORD, make_category, make_reply, make_thread, make_user
from tests.search import conftest as search_conftest

pytestmark = pytest.mark.browser

meili = search_conftest.meili
meili_prefix = search_conftest.meili_prefix
meili_settings = search_conftest.meili_settings
live_search_server = search_conftest.live_search_server

PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=900)

# Each word of an element's text: how many line boxes it is drawn on (2 = split mid-word).
WORD_LINES = """(element) => {
  const text = element.firstChild;
  return [...text.data.matchAll(/\\S+/g)].map((match) => {
    const range = document.createRange();
    range.setStart(text, match.index);
    range.setEnd(text, match.index + match[0].length);
    return [match[0], range.getClientRects().length];
  });
}"""


def _screen(
    browser: Browser, viewport: ViewportSize = PHONE, *, javascript: bool = True
) -> BrowserContext:
    phone = viewport is PHONE
    return browser.new_context(
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        locale="it-IT",
        extra_http_headers={"Accept-Language": "it"},
        java_script_enabled=javascript,
    )


def _log_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/login")
    page.fill("#f-username", user.username)
    page.fill("#f-password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".account-menu summary")).to_be_visible()


def _renamed(session: Session, user: User, display_name: str) -> User:
    user.display_name = display_name
    session.add(user)
    session.commit()
    return user


def _assert_fits_the_screen(page: Page, path: str) -> None:
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert inner_width == PHONE["width"], f"{path}: the phone zoomed out to {inner_width} px"
    assert scroll_width <= inner_width, f"{path} scrolls sideways: {scroll_width} px wide"


def test_customer_pages_fit_a_phone_and_names_break_between_words(
    browser: Browser, live_server: str, session: Session
) -> None:
    clock = SystemClock()
    asker = make_user(session, clock, username="marta")
    giulia = _renamed(
        session, make_user(session, clock, username="giulia"), "Giulia Bartolomeoannunziata"
    )
    # One word longer than the phone's line: cut with an ellipsis, never stretching a table.
    long_name = _renamed(
        session, make_user(session, clock, username="long"), "Bartolomeoannunziatagiuliaofficial"
    )
    moderator = make_user(session, clock, username="sara", role=Role.moderator)
    category = make_category(session, slug="fibra")
    thread = make_thread(session, clock, author=asker, category=category, tags=["fibra", "modem"])
    answer = make_reply(
        session, clock, author=giulia, thread=thread, body="Check the optical cable first."
    )
    solutions.accept_solution(session, Guardian(asker), thread, answer, clock=clock)
    assert long_name.id is not None
    reputation.award(
        session,
        user_id=long_name.id,
        points=120,
        reason=ReputationReason.answer_kudos,
        at=clock.now(),
    )
    session.commit()
    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    case = cases.open_case(
        session,
        Guardian(moderator),
        question,
        subject="La fibra cade ogni sera: verifichiamo la linea e il modem insieme",
        priority="normal",
        body="Ciao Marta, ci scrivi il codice cliente? https://example.com/" + "x" * 80,
        clock=clock,
    )

    context = _screen(browser)
    page = context.new_page()
    for path in ("/login", "/signup", "/password/forgot", "/"):
        page.goto(f"{live_server}{path}")
        _assert_fits_the_screen(page, path)
    _log_in(page, live_server, asker)
    page.goto(f"{live_server}/t/{thread.id}")
    for name in (
        page.locator("#solution-box a[href='/u/giulia']"),
        page.locator(f"#post-{answer.id} .post-author"),
    ):
        assert name.evaluate(WORD_LINES) == [["Giulia", 1], ["Bartolomeoannunziata", 1]]
    for path in (
        "/",
        f"/c/{category.slug}",
        f"/t/{thread.id}",
        "/t/new",
        "/search?q=fibre",
        f"/u/{giulia.username}",
        "/leaderboard",
        "/leaderboard?by=solutions",
        "/notifications",
        "/settings",
        "/cases",
        f"/cases/{case.id}",
        "/my/threads",
    ):
        page.goto(f"{live_server}{path}")
        _assert_fits_the_screen(page, path)

    context.close()


def _wait_until_indexed(base: str, q: str, total: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if httpx.get(f"{base}/api/v1/search", params={"q": q}).json()["total"] == total:
            return
        time.sleep(0.2)
    raise AssertionError(f"the worker never indexed {total} threads for {q!r}")


def test_search_results_come_first_on_a_phone_and_the_filters_fold_away(
    browser: Browser, live_search_server: str, session: Session
) -> None:
    clock = SystemClock()
    author = make_user(session, clock, username="marta")
    helper = make_user(session, clock, username="paolo")
    # Enough categories and tags for the filters to fill a phone's screen on their own.
    for n, slug in enumerate(("fibra", "mobile", "modem-wifi", "bollette", "offerte", "tv")):
        category = make_category(session, slug=slug)
        thread = make_thread(
            session,
            clock,
            author=author,
            category=category,
            title=f"Il modem si blocca di nuovo, caso {n}",
            tags=[f"{slug}-{tag}" for tag in ("guasto", "ping", "firmware", "reset")],
        )
        if n % 2:
            reply = make_reply(session, clock, author=helper, thread=thread)
            solutions.accept_solution(session, Guardian(author), thread, reply, clock=clock)
        rate_limiter.reset()
    _wait_until_indexed(live_search_server, "modem", 6)

    context = _screen(browser)
    page = context.new_page()
    page.goto(f"{live_search_server}/search?q=modem")
    first_hit = page.locator(".search-hit").first
    expect(first_hit).to_be_visible()
    box = first_hit.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    _assert_fits_the_screen(page, "/search?q=modem")

    filters = page.locator(".search-filters > summary")
    expect(filters).to_have_text("Filtri")
    facet = page.locator(".search-facets a.facet").first
    expect(facet).to_be_hidden()
    filters.click()
    expect(facet).to_be_visible()

    page.goto(f"{live_search_server}/search?q=modem&solved=true")
    expect(filters).to_have_text("Filtri 1 attivo")
    context.close()

    wide = browser.new_page(viewport=DESKTOP, extra_http_headers={"Accept-Language": "it"})
    wide.goto(f"{live_search_server}/search?q=modem")
    expect(wide.locator(".search-facets a.facet").first).to_be_visible()
    expect(wide.locator(".search-filters > summary")).to_be_hidden()


def _open_flag_panel(page: Page, base: str, flagger: User, thread_id: int, post_id: int) -> Locator:
    """Log in, open the thread and press the post's "Flag": the panel, checked readable and
    without the post's card growing around it."""
    _log_in(page, base, flagger)
    page.goto(f"{base}/t/{thread_id}")
    post = page.locator(f"#post-{post_id}")
    height = post.evaluate("(post) => post.offsetHeight")
    post.get_by_role("button", name="Segnala", exact=True).click()
    panel = page.get_by_role("dialog", name="Segnala un messaggio")
    expect(panel).to_be_visible()
    expect(panel.get_by_label("spam")).to_be_visible()
    expect(panel.get_by_label("Commento (facoltativo)")).to_be_visible()
    assert post.evaluate("(post) => post.offsetHeight") == height
    box = panel.bounding_box()
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    return panel


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-javascript"])
def test_the_flag_form_opens_as_a_panel_without_stretching_the_post(
    browser: Browser, live_server: str, session: Session, javascript: bool
) -> None:
    clock = SystemClock()
    author = make_user(session, clock, username="author")
    flagger = make_user(session, clock, username="flagger")
    thread = make_thread(session, clock, author=author, category=make_category(session))
    reply = make_reply(session, clock, author=author, thread=thread, body="Buy cheap watches")
    assert thread.id is not None and reply.id is not None

    phone = _screen(browser, javascript=javascript).new_page()
    panel = _open_flag_panel(phone, live_server, flagger, thread.id, reply.id)
    panel.get_by_role("button", name="Annulla").click()
    expect(panel).to_be_hidden()
    phone.context.close()

    page = _screen(browser, DESKTOP, javascript=javascript).new_page()
    panel = _open_flag_panel(page, live_server, flagger, thread.id, reply.id)
    panel.get_by_label("Commento (facoltativo)").fill("Pubblicità")
    if javascript:
        # A refusal from the server comes back in the panel, still open.
        panel.evaluate(
            "(panel) => panel.querySelectorAll('[required]').forEach((r) => r.required = false)"
        )
        panel.get_by_role("button", name="Invia ai moderatori").click()
        expect(panel.get_by_role("alert")).to_contain_text("Scegli perché")
        expect(panel).to_be_visible()
    panel.get_by_label("spam").check()
    panel.get_by_role("button", name="Invia ai moderatori").click()
    expect(page.locator(f"#post-{reply.id} .flagged-note")).to_have_text("Segnalato, grazie")
    page.context.close()


def test_staff_tables_scroll_in_their_box_and_the_page_fits_a_phone(
    browser: Browser, live_server: str, session: Session
) -> None:
    """The hidden "Actions" and "Edit Fibra" labels of a wide table's last column stay inside
    the table's scrolling box instead of widening the page, and the audit log's action filter
    fits with its longest Italian action."""
    clock = SystemClock()
    admin = make_user(session, clock, username="boss", role=Role.admin)
    member = make_user(session, clock, username="paolo")
    category = make_category(session, slug="fibra")
    advocates.nominate(
        session, Guardian(admin), member, category_ids=[category.id or 0], clock=clock
    )
    make_thread(session, clock, author=member, category=category)
    archive = make_category(session, slug="archivio", position=1)
    bulk_move.move_all_threads(session, Guardian(admin), category, archive, clock=clock)

    page = _screen(browser).new_page()
    _log_in(page, live_server, admin)
    for path in ("/admin/categories", "/mod/advocates", "/mod/audit"):
        page.goto(f"{live_server}{path}")
        expect(page.locator(".table-scroll table")).to_be_visible()
        _assert_fits_the_screen(page, path)
    page.context.close()
