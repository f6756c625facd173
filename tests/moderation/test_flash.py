"""Flash confirmations: after a moderator's form redirects, the next page says what was done, in
the reader's language, once; a later page no longer does."""

import html
import re
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from community.clock import FrozenClock
from community.models import Category, Role, Thread, User
from tests.factories import make_category, make_thread, make_user
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


def test_suspending_and_unsuspending_are_confirmed_on_the_profile(
    app: FastAPI, scene: Scene
) -> None:
    browser = client_for(app, scene.mod)
    response = submit(
        browser, "/mod/users/anna/suspend", {"days": "2", "hours": "0", "reason": "Spam links"}
    )
    assert response.headers["location"] == "/u/anna"
    (message,) = shown_once(browser, response)
    assert message.startswith("User anna suspended until Jan 17, 2026, 9:00") and message[-1] == "."

    response = submit(browser, "/mod/users/anna/unsuspend")
    assert shown_once(browser, response) == ["User anna is no longer suspended."]


def test_the_message_is_in_the_readers_language(
    app: FastAPI, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    """The date is written the Italian way for an Italian moderator (the words follow once the
    Italian catalog translates them)."""
    italian = make_user(session, clock, username="moderatrice", role=Role.moderator, language="it")
    browser = client_for(app, italian)
    response = submit(
        browser, "/mod/users/anna/suspend", {"days": "2", "hours": "0", "reason": "Spam"}
    )
    (message,) = shown_once(browser, response)
    assert "17 gen 2026, 09:00" in message


def test_a_refused_action_shows_its_error_and_no_confirmation(app: FastAPI, scene: Scene) -> None:
    browser = client_for(app, scene.mod)
    refused = submit(browser, f"/mod/threads/{scene.thread.id}/move", {"category": ""})
    assert refused.status_code == 422
    assert confirmations(refused.text) == []
    assert confirmations(browser.get(f"/t/{scene.thread.id}").text) == []
