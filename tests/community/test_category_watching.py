"""Watching a category: the member hears of every new question asked there, on the site and by
e-mail, and of nothing asked before they started watching or after they stopped."""

import pytest
from sqlmodel import Session, select

from community import account_erasure, categories, category_watching
from community.clock import FrozenClock
from community.errors import Conflict
from community.models import Category, CategoryWatch, Notification, User
from community.policy import Guardian, OperatorGuardian
from tests.conftest import Mailbox, drain
from tests.factories import PASSWORD, make_category, make_thread, make_user
from tests.helpers import csrf_token
from tests.mail_helpers import body, run_mailer
from tests.moderation.brand_helpers import api_post, client_for, submit


@pytest.fixture
def fibra(session: Session) -> Category:
    return make_category(session, slug="fibra")


@pytest.fixture
def advocate(session: Session, clock: FrozenClock) -> User:
    return make_user(session, clock, username="advocate", language="en")


def _new_questions(session: Session, user: User) -> list[int | None]:
    session.expire_all()
    query = select(Notification).where(
        Notification.user_id == user.id, Notification.kind == "new_thread"
    )
    return [n.thread_id for n in session.exec(query)]


def test_watching_from_the_category_page_brings_its_new_questions(
    app, session, clock, fibra, advocate
):
    browser = client_for(app, advocate)
    page = browser.get("/c/fibra").text
    assert "Watch this category" in page
    old = make_thread(session, clock, author=make_user(session, clock), category=fibra)

    clock.advance(minutes=1)
    response = submit(browser, "/c/fibra/watch", {"watch": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Watching this category" in response.text
    assert 'aria-pressed="true"' in response.text
    clock.advance(minutes=1)
    asker = make_user(session, clock, username="marta")
    new = make_thread(
        session, clock, author=asker, category=fibra, title="Fibra lenta dopo il temporale"
    )
    other = make_thread(session, clock, author=asker, category=make_category(session))
    drain(session, clock)

    assert _new_questions(session, advocate) == [new.id]
    listed = browser.get("/notifications").text
    assert "Marta asked Fibra lenta dopo il temporale in a category you watch" in listed
    assert old.id != new.id and other.id != new.id
    assert "Watching this category" in browser.get("/c/fibra").text


def test_stopping_brings_nothing_more_and_the_asker_is_not_told_of_their_own(
    app, session, clock, fibra, advocate
):
    category_watching.set_watching(session, Guardian(advocate), fibra, watching=True, clock=clock)
    clock.advance(minutes=1)
    make_thread(session, clock, author=advocate, category=fibra)
    browser = client_for(app, advocate)
    assert submit(browser, "/c/fibra/watch", {"watch": "0"}).status_code == 303
    clock.advance(minutes=1)
    make_thread(session, clock, author=make_user(session, clock), category=fibra)
    drain(session, clock)

    assert _new_questions(session, advocate) == []
    assert "Watch this category" in browser.get("/c/fibra").text


def test_a_new_question_is_emailed_when_not_seen_in_time(
    session, clock, fibra, advocate, mailbox: Mailbox
):
    category_watching.set_watching(session, Guardian(advocate), fibra, watching=True, clock=clock)
    clock.advance(minutes=1)
    make_thread(
        session,
        clock,
        author=make_user(session, clock, username="paolo"),
        category=fibra,
        title="Router rosso lampeggiante",
    )
    clock.advance(minutes=30)
    run_mailer(session, clock)

    (message,) = [m for m in mailbox() if "advocate@example.com" in m["To"]]
    assert "Paolo asked Router rosso lampeggiante in a category you watch" in body(message)


def test_the_api_watches_and_unwatches(app, session, clock, fibra, advocate):
    browser = client_for(app, advocate)
    watched = api_post(browser, "/api/v1/categories/fibra/watch", {})
    assert watched.status_code == 200
    assert watched.json() == {"category": "fibra", "watching": True}
    assert api_post(browser, "/api/v1/categories/nowhere/watch", {}).status_code == 404
    gone = browser.delete(
        "/api/v1/categories/fibra/watch", headers={"X-CSRF-Token": csrf_token(browser)}
    )
    assert gone.json() == {"category": "fibra", "watching": False}
    assert not category_watching.is_watching(session, advocate, fibra)
    anonymous = client_for(app).post("/api/v1/categories/fibra/watch")
    assert anonymous.status_code == 401


def test_signed_out_readers_are_asked_to_log_in(app, fibra):
    reader = client_for(app)
    assert "Watch this category" not in reader.get("/c/fibra").text
    response = submit(reader, "/c/fibra/watch", {"watch": "1"})
    assert response.status_code == 303 and "/login" in response.headers["location"]


def test_a_member_watches_at_most_fifty_categories(session, clock, advocate, app):
    for n in range(category_watching.MAX_WATCHED):
        category = make_category(session, slug=f"area-{n}")
        category_watching.set_watching(
            session, Guardian(advocate), category, watching=True, clock=clock
        )
    one_more = make_category(session, slug="one-more")
    with pytest.raises(Conflict):
        category_watching.set_watching(
            session, Guardian(advocate), one_more, watching=True, clock=clock
        )
    refused = submit(
        client_for(app, advocate),
        "/c/one-more/watch",
        {"watch": "1"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 409
    assert "You watch 50 categories already" in refused.text


def test_deleting_the_category_or_the_account_forgets_the_watch(session, clock, fibra, advocate):
    other = make_user(session, clock)
    empty = make_category(session, slug="vuota")
    for user in (advocate, other):
        for category in (fibra, empty):
            category_watching.set_watching(
                session, Guardian(user), category, watching=True, clock=clock
            )

    categories.delete_category(session, OperatorGuardian(), empty, clock=clock)
    account_erasure.erase(session, Guardian(advocate), advocate, password=PASSWORD, clock=clock)

    session.expire_all()
    rows = {(row.user_id, row.category_id) for row in session.exec(select(CategoryWatch))}
    assert rows == {(other.id, fibra.id)}


def test_the_export_lists_watched_categories(app, session, clock, fibra, advocate):
    category_watching.set_watching(session, Guardian(advocate), fibra, watching=True, clock=clock)
    exported = client_for(app, advocate).get("/settings/export").json()
    assert [row["category_id"] for row in exported["watched_categories"]] == [fibra.id]
