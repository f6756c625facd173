"""Bookmarks in the JSON API: GET /api/v1/me/bookmarks, PUT and DELETE /api/v1/posts/{id}/bookmark,
with a personal token or the session cookie (and then its CSRF header)."""

import pytest
from sqlmodel import Session, func, select

from community import bookmarks, visibility
from community.clock import FrozenClock
from community.models import Bookmark, HiddenReason, Post, Role, Thread, User
from tests.factories import api_headers, make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token
from tests.moderation.brand_helpers import client_for


def _count(session: Session) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(Bookmark)).one())


@pytest.fixture
def scene(session: Session, clock: FrozenClock) -> tuple[User, User, Thread, Post]:
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    thread = make_thread(
        session, clock, author=asker, category=make_category(session), title="No dial tone at all"
    )
    clock.advance(minutes=1)
    reply = make_reply(session, clock, author=helper, thread=thread, body="Check the *splitter*.")
    return asker, helper, thread, reply


def test_save_list_and_remove_with_a_token(client, session, clock, scene):
    asker, _, thread, reply = scene
    headers = api_headers(session, clock, asker)

    saved = client.put(f"/api/v1/posts/{reply.id}/bookmark", headers=headers)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["post_id"] == reply.id
    assert body["thread_title"] == "No dial tone at all"
    assert body["excerpt"] == "Check the splitter."
    assert body["author"]["username"] == "helper"
    assert body["note"] is None
    assert body["url"] == f"/p/{reply.id}"

    clock.advance(minutes=5)
    question_id = session.exec(
        select(Post.id).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    noted = client.put(
        f"/api/v1/posts/{question_id}/bookmark", json={"note": "my own question"}, headers=headers
    )
    assert noted.status_code == 200, noted.text

    listed = client.get("/api/v1/me/bookmarks", headers=headers).json()
    assert [(i["post_id"], i["note"]) for i in listed["items"]] == [
        (question_id, "my own question"),
        (reply.id, None),
    ]
    assert listed["next_cursor"] is None
    post = client.get(f"/api/v1/posts/{reply.id}", headers=headers).json()
    assert post["bookmarked"] is True

    removed = client.delete(f"/api/v1/posts/{reply.id}/bookmark", headers=headers)
    assert removed.status_code == 204
    again = client.delete(f"/api/v1/posts/{reply.id}/bookmark", headers=headers)
    assert again.status_code == 204  # already gone: nothing to do
    listed = client.get("/api/v1/me/bookmarks", headers=headers).json()
    assert [i["post_id"] for i in listed["items"]] == [question_id]


def test_put_without_a_note_keeps_it_null_takes_it_off(client, session, clock, scene):
    asker, _, _, reply = scene
    headers = api_headers(session, clock, asker)
    url = f"/api/v1/posts/{reply.id}/bookmark"
    client.put(url, json={"note": "for later"}, headers=headers)
    assert client.put(url, headers=headers).json()["note"] == "for later"
    assert client.put(url, json={}, headers=headers).json()["note"] == "for later"
    assert client.put(url, json={"note": None}, headers=headers).json()["note"] is None
    assert _count(session) == 1


def test_pages_follow_the_cursor(client, session, clock, scene):
    asker, helper, thread, _ = scene
    headers = api_headers(session, clock, asker)
    ids = []
    for n in range(3):
        clock.advance(minutes=1)
        post = make_reply(session, clock, author=helper, thread=thread, body=f"Idea {n}.")
        clock.advance(minutes=1)
        client.put(f"/api/v1/posts/{post.id}/bookmark", headers=headers)
        ids.append(post.id)

    first = client.get("/api/v1/me/bookmarks?limit=2", headers=headers).json()
    assert [i["post_id"] for i in first["items"]] == [ids[2], ids[1]]
    second = client.get(
        "/api/v1/me/bookmarks", params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers
    ).json()
    assert [i["post_id"] for i in second["items"]] == [ids[0]]
    assert second["next_cursor"] is None

    broken = client.get("/api/v1/me/bookmarks?cursor=nonsense", headers=headers)
    assert broken.status_code == 422


def test_a_note_too_long_is_a_422_naming_the_field(client, session, clock, scene):
    asker, _, _, reply = scene
    response = client.put(
        f"/api/v1/posts/{reply.id}/bookmark",
        json={"note": "x" * 201},
        headers=api_headers(session, clock, asker),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "note"
    assert _count(session) == 0


def test_the_cap_is_a_409_that_says_what_to_do(client, session, clock, scene, monkeypatch):
    asker, _, _, reply = scene
    monkeypatch.setattr(bookmarks, "MAX_BOOKMARKS", 0)
    response = client.put(
        f"/api/v1/posts/{reply.id}/bookmark", headers=api_headers(session, clock, asker)
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "You have 0 bookmarks, the most one can keep: remove some to save this post."
    )


def test_signed_out_is_401(client, scene):
    *_, reply = scene
    assert client.get("/api/v1/me/bookmarks").status_code == 401
    assert client.put(f"/api/v1/posts/{reply.id}/bookmark").status_code == 401
    assert client.delete(f"/api/v1/posts/{reply.id}/bookmark").status_code == 401


def test_invisible_posts_are_404_and_leave_the_list(client, session, clock, scene):
    asker, helper, _, reply = scene
    moderator = make_user(session, clock, role=Role.moderator)
    headers = api_headers(session, clock, asker)
    client.put(f"/api/v1/posts/{reply.id}/bookmark", headers=headers)
    visibility.hide_post(
        session, reply, reason=HiddenReason.moderator, by_id=moderator.id, now=clock.now()
    )
    session.commit()

    assert client.get("/api/v1/me/bookmarks", headers=headers).json()["items"] == []
    for method in ("PUT", "DELETE"):
        response = client.request(method, f"/api/v1/posts/{reply.id}/bookmark", headers=headers)
        assert response.status_code == 404
        assert response.json() == {"detail": "This post does not exist or was deleted."}
    assert client.put("/api/v1/posts/999999/bookmark", headers=headers).status_code == 404
    assert _count(session) == 1  # still kept for when it comes back

    # its author still reads it and may save it
    own = client.put(
        f"/api/v1/posts/{reply.id}/bookmark", headers=api_headers(session, clock, helper)
    )
    assert own.status_code == 200


def test_another_members_token_sees_none_of_yours(client, session, clock, scene):
    asker, helper, _, reply = scene
    client.put(
        f"/api/v1/posts/{reply.id}/bookmark",
        json={"note": "private"},
        headers=api_headers(session, clock, asker),
    )
    theirs = api_headers(session, clock, helper)
    assert client.get("/api/v1/me/bookmarks", headers=theirs).json()["items"] == []
    assert client.delete(f"/api/v1/posts/{reply.id}/bookmark", headers=theirs).status_code == 204
    assert _count(session) == 1


def test_with_the_session_cookie_the_csrf_header_is_needed(app, session, clock, scene):
    asker, *_, reply = scene
    browser = client_for(app, asker)
    refused = browser.put(f"/api/v1/posts/{reply.id}/bookmark", json={})
    assert refused.status_code == 403
    assert _count(session) == 0
    accepted = browser.put(
        f"/api/v1/posts/{reply.id}/bookmark",
        json={},
        headers={"X-CSRF-Token": csrf_token(browser)},
    )
    assert accepted.status_code == 200
    assert _count(session) == 1
