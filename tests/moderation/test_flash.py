"""Flash confirmations: after a moderator's form redirects, the next page says what was done, in
the reader's language, once; a later page no longer does."""

import html
import re
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, col, select

from community.clock import FrozenClock
from community.models import Category, Post, Role, Thread, User
from community.policy import Guardian
from moderation import canned, cases, flags
from moderation.models import FlagKind, SupportCase
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token
from tests.moderation.brand_helpers import client_for, submit

_STATUS_AREA = re.compile(r'<div id="flash-status" role="status"[^>]*>(.*?)</div>', re.S)
_MESSAGE = re.compile(r'<p class="flash">(.*?)</p>', re.S)


def confirmations(page: str) -> list[str]:
    """The messages in the page's flash area (base.html), unescaped."""
    area = _STATUS_AREA.search(page)
    assert area is not None, "the page has no flash area"
    return [html.unescape(message.strip()) for message in _MESSAGE.findall(area.group(1))]


def shown_once(browser: TestClient, response: Response) -> list[str]:
    """Follow the form's 303: the confirmations on that page; reloading it shows none."""
    assert response.status_code == 303, response.text[:500]
    location = response.headers["location"]
    shown = confirmations(browser.get(location).text)
    assert confirmations(browser.get(location).text) == [], "the message showed twice"
    return shown


@dataclass
class Scene:
    mod: User
    member: User
    billing: Category
    thread: Thread
    other: Thread


@pytest.fixture
def scene(session: Session, clock: FrozenClock) -> Scene:
    member = make_user(session, clock, username="anna")
    mod = make_user(session, clock, username="mod", role=Role.moderator)
    fibre, billing = make_category(session, slug="fibre"), make_category(session, slug="billing")
    thread = make_thread(session, clock, author=member, category=fibre, title="Router blinks red")
    other = make_thread(session, clock, author=member, category=fibre, title="Red light on router")
    return Scene(mod, member, billing, thread, other)


def test_each_thread_tool_confirms_what_it_did_on_the_thread_page(
    app: FastAPI, scene: Scene
) -> None:
    browser = client_for(app, scene.mod)
    base = f"/mod/threads/{scene.thread.id}"
    steps = [
        ("lock", {}, "Thread locked."),
        ("unlock", {}, "Thread unlocked."),
        ("hide", {"confirm": "yes"}, "Thread hidden."),
        ("unhide", {}, "Thread unhidden."),
        ("move", {"category": "billing"}, "Thread moved to Billing."),
    ]
    for action, fields, message in steps:
        response = submit(browser, f"{base}/{action}", fields)
        assert response.headers["location"] == f"/t/{scene.thread.id}", action
        assert shown_once(browser, response) == [message], action


def test_a_merge_is_confirmed_on_the_thread_it_went_into(app: FastAPI, scene: Scene) -> None:
    browser = client_for(app, scene.mod)
    response = submit(
        browser,
        f"/mod/threads/{scene.thread.id}/merge",
        {"into": str(scene.other.id), "confirm": "yes"},
    )
    assert response.headers["location"] == f"/t/{scene.other.id}"
    assert shown_once(browser, response) == ["Thread merged into “Red light on router”."]


def test_a_title_in_the_message_is_shown_as_text_not_markup(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    target = make_thread(
        session, clock, author=scene.member, category=scene.billing, title="<b>Bold</b> router"
    )
    browser = client_for(app, scene.mod)
    response = submit(
        browser,
        f"/mod/threads/{scene.thread.id}/merge",
        {"into": str(target.id), "confirm": "yes"},
    )
    page = browser.get(response.headers["location"]).text
    assert "Thread merged into “&lt;b&gt;Bold&lt;/b&gt; router”." in page


def test_suspending_and_unsuspending_are_confirmed_on_the_profile(
    app: FastAPI, scene: Scene
) -> None:
    browser = client_for(app, scene.mod)
    response = submit(
        browser, "/mod/users/anna/suspend", {"days": "2", "hours": "0", "reason": "Spam links"}
    )
    assert response.headers["location"] == "/u/anna"
    (message,) = shown_once(browser, response)
    assert message == "User anna suspended until Jan 17, 2026, 10:00\u202fAM CET."

    response = submit(browser, "/mod/users/anna/unsuspend")
    assert shown_once(browser, response) == ["User anna is no longer suspended."]


def test_the_message_is_in_the_readers_language(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    """An Italian moderator reads the words in Italian and the date written the Italian way."""
    italian = make_user(session, clock, username="moderatrice", role=Role.moderator, language="it")
    browser = client_for(app, italian)
    response = submit(
        browser, "/mod/users/anna/suspend", {"days": "2", "hours": "0", "reason": "Spam"}
    )
    until = "17 gen 2026, 10:00 CET"  # as the |when filter writes it, in the community's zone
    assert shown_once(browser, response) == [f"Account di anna sospeso fino al {until}."]

    response = submit(browser, f"/mod/threads/{scene.thread.id}/lock")
    assert shown_once(browser, response) == ["Discussione chiusa."]


def test_a_refused_action_shows_its_error_and_no_confirmation(app: FastAPI, scene: Scene) -> None:
    browser = client_for(app, scene.mod)
    refused = submit(browser, f"/mod/threads/{scene.thread.id}/move", {"category": ""})
    assert refused.status_code == 422
    assert confirmations(refused.text) == []
    assert confirmations(browser.get(f"/t/{scene.thread.id}").text) == []


def test_a_refused_move_never_reads_as_a_move(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    """The first move's redirect is never followed (a double click, a crafted POST), so its
    confirmation is still waiting when the second move, to where the thread now is, is refused."""
    italian = make_user(session, clock, username="moderatrice", role=Role.moderator, language="it")
    browser = client_for(app, italian)
    move = f"/mod/threads/{scene.thread.id}/move"
    fields = {"csrf_token": csrf_token(browser), "category": "billing"}
    assert browser.post(move, data=fields, follow_redirects=False).status_code == 303
    refused = browser.post(move, data=fields, follow_redirects=False)
    assert refused.status_code == 422
    assert confirmations(refused.text) == []
    assert "La discussione è già in Billing.</small>" in refused.text
    assert confirmations(browser.get(f"/t/{scene.thread.id}").text) == []


# --- cases ----------------------------------------------------------------------------------------


def _open_case(session: Session, clock: FrozenClock, scene: Scene) -> SupportCase:
    question = session.exec(
        select(Post).where(col(Post.thread_id) == scene.thread.id, col(Post.post_number) == 1)
    ).one()
    return cases.open_case(
        session,
        Guardian(scene.mod),
        question,
        subject="Router",
        priority="normal",
        body="Which model is it?",
        clock=clock,
    )


def _case_form(case: SupportCase, **changes: str) -> dict[str, str]:
    """The case's update form as the page fills it, with ``changes``."""
    current = {
        "status": case.status,
        "priority": case.priority,
        "assignee": str(case.assignee_id or ""),
    }
    return current | changes


def test_a_case_update_says_which_fields_it_changed(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    colleague = make_user(session, clock, username="luca", role=Role.moderator)
    case = _open_case(session, clock, scene)
    browser = client_for(app, scene.mod)
    url = f"/mod/cases/{case.id}"

    steps = [
        ({"status": "resolved"}, ["Status set to Resolved."]),
        ({"priority": "high"}, ["Priority set to High."]),
        ({"assignee": str(colleague.id)}, ["Case assigned to Luca."]),
        ({"assignee": ""}, ["Case unassigned."]),
        ({"status": "open", "priority": "low"}, ["Status set to Open.", "Priority set to Low."]),
        ({}, ["Nothing changed."]),
    ]
    for changes, messages in steps:
        session.refresh(case)
        response = submit(browser, url, _case_form(case, **changes))
        assert response.headers["location"] == url
        assert shown_once(browser, response) == messages, changes


def test_an_italian_moderator_reads_the_new_status_in_italian(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    italian = make_user(session, clock, username="moderatrice", role=Role.moderator, language="it")
    case = _open_case(session, clock, scene)
    browser = client_for(app, italian)
    response = submit(browser, f"/mod/cases/{case.id}", _case_form(case, status="resolved"))
    assert shown_once(browser, response) == ["Stato aggiornato: Risolto."]


def test_messages_and_notes_are_confirmed_after_the_redirect_and_out_of_band_with_htmx(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    case = _open_case(session, clock, scene)
    brand = client_for(app, scene.mod)
    url = f"/mod/cases/{case.id}/messages"

    note = submit(brand, url, {"body": "Asked the shop.", "internal": "1"})
    assert shown_once(brand, note) == ["Internal note added."]
    sent = submit(brand, url, {"body": "Any news on the model?"})
    assert shown_once(brand, sent) == ["Message sent to the customer."]

    swapped = submit(brand, url, {"body": "Still there?"}, headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and 'id="case-conversation"' in swapped.text
    assert '<div id="flash-status" role="status" hx-swap-oob="innerHTML">' in swapped.text
    assert confirmations(swapped.text) == ["Message sent to the customer."]
    assert confirmations(brand.get(f"/mod/cases/{case.id}").text) == []  # not left for later

    customer = client_for(app, scene.member)
    answer = submit(customer, f"/cases/{case.id}/messages", {"body": "A Fritz!Box 7590."})
    assert shown_once(customer, answer) == ["Message sent."]


# --- the other moderators' pages ---------------------------------------------------------------


def test_a_service_level_saved_is_confirmed(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    admin = make_user(session, clock, username="boss", role=Role.admin)
    browser = client_for(app, admin)
    response = submit(browser, f"/mod/service-levels/{scene.billing.id}", {"hours": "6"})
    assert response.headers["location"] == "/mod/service-levels"
    assert shown_once(browser, response) == ["First-response target for Billing saved."]


def test_nominating_changing_and_revoking_an_advocate_are_confirmed(
    app: FastAPI, scene: Scene
) -> None:
    browser = client_for(app, scene.mod)
    category = str(scene.billing.id)
    steps = [
        (
            "/mod/advocates",
            {"username": "anna", "categories": category},
            "anna is now an advocate.",
        ),
        ("/mod/advocates/anna/categories", {"categories": category}, "Categories of anna saved."),
        ("/mod/advocates/anna/revoke", {}, "anna is no longer an advocate."),
    ]
    for url, fields, message in steps:
        response = submit(browser, url, fields)
        assert response.headers["location"] == "/mod/advocates", url
        assert shown_once(browser, response) == [message], url


def test_a_canned_reply_saved_or_deleted_is_confirmed(
    app: FastAPI, session: Session, scene: Scene
) -> None:
    browser = client_for(app, scene.mod)
    created = submit(browser, "/mod/canned", {"title": "Late order", "body": "Sorry for the wait."})
    assert shown_once(browser, created) == ["Canned reply “Late order” saved."]
    (reply,) = canned.list_replies(session, Guardian(scene.mod))
    fields = {"title": "Late delivery", "body": "Sorry!", "version": canned.version(reply)}
    updated = submit(browser, f"/mod/canned/{reply.id}", fields)
    assert shown_once(browser, updated) == ["Canned reply “Late delivery” saved."]
    deleted = submit(browser, f"/mod/canned/{reply.id}/delete")
    assert shown_once(browser, deleted) == ["Canned reply “Late delivery” deleted."]


@pytest.mark.parametrize(
    ("status", "message"), [("upheld", "Flags upheld."), ("dismissed", "Flags dismissed.")]
)
def test_resolving_flags_is_confirmed_after_the_redirect_and_out_of_band_with_htmx(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene, status: str, message: str
) -> None:
    reply = make_reply(session, clock, author=scene.member, thread=scene.thread)
    flagger = make_user(session, clock, username="flagger")
    flags.raise_flag(session, Guardian(flagger), reply, kind=FlagKind.spam, clock=clock)
    browser = client_for(app, scene.mod)
    url = f"/mod/threads/{scene.thread.id}/flags"

    swapped = submit(
        browser, url, {"status": status, "next": "/mod/queue"}, headers={"HX-Request": "true"}
    )
    assert swapped.status_code == 200
    assert confirmations(swapped.text) == [message]
    assert confirmations(browser.get("/mod/queue").text) == []  # not left for later

    second = make_user(session, clock, username="second")
    flags.raise_flag(session, Guardian(second), reply, kind=FlagKind.spam, clock=clock)
    response = submit(browser, url, {"status": status})
    assert response.headers["location"] == f"/t/{scene.thread.id}"
    assert shown_once(browser, response) == [message]
