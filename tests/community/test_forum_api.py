"""The thread API (/api/v1): same services as the pages, JSON in and out."""

import pytest
from sqlmodel import func, select

from community.events import OutboxEvent
from community.models import Kudos, Post, Role, Solution, Thread
from community.settings import get_settings
from tests.factories import api_headers, make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token, login

QUESTION = "My router restarts every night."


def _count(session, model) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(model)).one())


@pytest.fixture
def scene(session, clock):
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    category = make_category(session, slug="fibra")
    thread = make_thread(session, clock, author=asker, category=category, tags=["fibre"])
    reply = make_reply(session, clock, author=helper, thread=thread)
    return asker, helper, thread, reply


def test_create_thread_and_read_it_back(client, session, clock, scene):
    asker, *_ = scene
    headers = api_headers(session, clock, asker)
    response = client.post(
        "/api/v1/threads",
        json={
            "category": "fibra",
            "title": "Router reboots at night",
            "body": "Every **night** at 3 am it restarts.",
            "tags": ["router", "night"],
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["id"] > 0
    assert created["category"]["slug"] == "fibra"
    assert created["tags"] == ["router", "night"]
    assert (
        created["posts"][0]["body_html"]
        == "<p>Every <strong>night</strong> at 3 am it restarts.</p>\n"
    )
    read = client.get(f"/api/v1/threads/{created['id']}").json()
    assert read["title"] == "Router reboots at night"
    assert read["solved"] is False and read["solution_post_id"] is None
    assert (read["page"], read["pages"], read["reply_count"]) == (1, 1, 0)


def test_reply_edit_kudos_solution_and_delete(client, session, clock, scene):
    asker, helper, thread, _ = scene
    as_asker, as_helper = api_headers(session, clock, asker), api_headers(session, clock, helper)

    reply = client.post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "Swap the cable."}, headers=as_helper
    )
    assert reply.status_code == 201
    post_id = reply.json()["id"]
    assert reply.json()["post_number"] == 3

    edited = client.put(
        f"/api/v1/posts/{post_id}", json={"body": "Swap the cable, then reboot."}, headers=as_helper
    )
    assert edited.status_code == 200
    assert edited.json()["revision_count"] == 1 and edited.json()["edited_at"]

    given = client.post(f"/api/v1/posts/{post_id}/kudos", headers=as_asker)
    assert given.json() == {"post_id": post_id, "kudos_count": 1, "kudos_given": True}
    again = client.post(f"/api/v1/posts/{post_id}/kudos", headers=as_asker)
    assert again.status_code == 409
    assert "already" in again.json()["detail"]
    withdrawn = client.delete(f"/api/v1/posts/{post_id}/kudos", headers=as_asker)
    assert withdrawn.json() == {"post_id": post_id, "kudos_count": 0, "kudos_given": False}
    own = client.post(f"/api/v1/posts/{post_id}/kudos", headers=as_helper)
    assert own.status_code == 403 and "own post" in own.json()["detail"]

    solved = client.post(
        f"/api/v1/threads/{thread.id}/solution", json={"post_id": post_id}, headers=as_asker
    )
    assert solved.json() == {"thread_id": thread.id, "solved": True, "solution_post_id": post_id}
    detail = client.get(f"/api/v1/threads/{thread.id}").json()
    assert detail["solved"] and detail["solution_post_id"] == post_id
    assert [p["is_solution"] for p in detail["posts"]] == [False, False, True]
    unmarked = client.delete(f"/api/v1/threads/{thread.id}/solution", headers=as_asker)
    assert unmarked.json()["solved"] is False
    assert (
        client.delete(f"/api/v1/threads/{thread.id}/solution", headers=as_asker).status_code == 404
    )

    assert client.delete(f"/api/v1/posts/{post_id}", headers=as_helper).status_code == 204
    deleted = client.get(f"/api/v1/posts/{post_id}").json()
    assert deleted["deleted"] is True and deleted["body"] is None and deleted["body_html"] is None


def test_editing_the_opening_post_changes_title_and_tags(client, session, clock, scene):
    asker, _, thread, reply = scene
    headers = api_headers(session, clock, asker)
    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    response = client.put(
        f"/api/v1/posts/{question.id}",
        json={
            "body": "It drops every evening.",
            "title": "A clearer title here",
            "tags": ["fibre", "evening"],
        },
        headers=headers,
    )
    assert response.status_code == 200
    detail = client.get(f"/api/v1/threads/{thread.id}").json()
    assert detail["title"] == "A clearer title here" and detail["tags"] == ["fibre", "evening"]
    helper_headers = api_headers(session, clock, scene[1])
    response = client.put(
        f"/api/v1/posts/{reply.id}",
        json={"body": "x", "title": "Not for replies"},
        headers=helper_headers,
    )
    assert response.status_code == 422
    assert "opening post" in response.json()["detail"]


def test_member_cannot_edit_or_delete_anothers_post_but_a_moderator_deletes(
    client, session, clock, scene
):
    asker, _, _, reply = scene
    as_asker = api_headers(session, clock, asker)
    assert (
        client.put(
            f"/api/v1/posts/{reply.id}", json={"body": "Mine now"}, headers=as_asker
        ).status_code
        == 403
    )
    assert client.delete(f"/api/v1/posts/{reply.id}", headers=as_asker).status_code == 403
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    assert (
        client.delete(
            f"/api/v1/posts/{reply.id}", headers=api_headers(session, clock, moderator)
        ).status_code
        == 204
    )
    assert client.delete(f"/api/v1/posts/{reply.id}", headers=as_asker).status_code == 403


def test_only_the_asker_or_a_moderator_chooses_the_solution(client, session, clock, scene):
    _, helper, thread, reply = scene
    response = client.post(
        f"/api/v1/threads/{thread.id}/solution",
        json={"post_id": reply.id},
        headers=api_headers(session, clock, helper),
    )
    assert response.status_code == 403
    assert _count(session, Solution) == 0


def test_anonymous_writes_are_401(client, session, clock, scene):
    *_, thread, reply = scene
    assert client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "hi"}).status_code == 401
    assert client.post(f"/api/v1/posts/{reply.id}/kudos").status_code == 401


def test_session_cookie_clients_need_the_csrf_header(client, session, clock, scene):
    _, helper, thread, _ = scene
    login(client, helper)
    refused = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Cookie reply"})
    assert refused.status_code == 403
    accepted = client.post(
        f"/api/v1/threads/{thread.id}/posts",
        json={"body": "Cookie reply"},
        headers={"X-CSRF-Token": csrf_token(client)},
    )
    assert accepted.status_code == 201


@pytest.mark.parametrize(
    ("payload", "status", "needle"),
    [
        ({"category": "nowhere", "title": "Valid title here", "body": QUESTION}, 422, "nowhere"),
        ({"category": "fibra", "title": "", "body": QUESTION}, 422, "title"),
        ({"category": "fibra", "title": "Valid title here", "body": "x" * 200_000}, 422, "body"),
        ({"category": "fibra", "title": "t" * 151, "body": QUESTION}, 422, "title"),
        ({"category": "fibra", "title": 123, "body": QUESTION}, 422, "title"),
        (
            {"category": "fibra", "title": "Valid title here", "body": QUESTION, "tags": "a,b"},
            422,
            "tags",
        ),
        (
            {"category": "fibra", "title": "Valid title here", "body": QUESTION, "tags": [1]},
            422,
            "tags",
        ),
        ({"category": "fibra", "title": "Valid title here"}, 422, "body"),
        (
            {"category": "fibra", "title": "Valid title here", "body": "  Help!    Help!  "},
            422,
            "Describe your question in at least 20 characters.",
        ),
        (
            {"category": "fibra", "title": "Valid title here", "body": QUESTION, "extra": 1},
            422,
            "extra",
        ),
        (
            {
                "category": "fibra",
                "title": "Valid title here",
                "body": QUESTION,
                "tags": ["<b>x</b>"],
            },
            422,
            "Tags",
        ),
    ],
)
def test_bad_thread_payloads_are_4xx_and_write_nothing(
    client, session, clock, scene, payload, status, needle
):
    asker, *_ = scene
    before = (_count(session, Thread), _count(session, Post), _count(session, OutboxEvent))
    response = client.post(
        "/api/v1/threads", json=payload, headers=api_headers(session, clock, asker)
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert needle in response.json()["detail"]
    assert (_count(session, Thread), _count(session, Post), _count(session, OutboxEvent)) == before


def test_malformed_or_unknown_ids(client, session, clock, scene):
    asker, _, thread, _ = scene
    headers = api_headers(session, clock, asker)
    for url in ("/api/v1/threads/abc", "/api/v1/threads/0", "/api/v1/threads/99999999999999999999"):
        response = client.get(url)
        assert response.status_code == 422, url
        assert "thread_id" in response.json()["detail"]
    assert client.put("/api/v1/posts/abc", json={"body": "x"}, headers=headers).status_code == 422
    missing = client.get("/api/v1/threads/424242")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "This thread does not exist or was deleted."}
    assert client.post("/api/v1/posts/424242/kudos", headers=headers).status_code == 404
    wrong = client.post(
        f"/api/v1/threads/{thread.id}/solution", json={"post_id": "2"}, headers=headers
    )
    assert wrong.status_code == 422
    nowhere = client.post(
        f"/api/v1/threads/{thread.id}/solution", json={"post_id": 424242}, headers=headers
    )
    assert nowhere.status_code == 404


def test_reply_size_limit_and_empty_body(client, session, clock, scene):
    _, helper, thread, _ = scene
    headers = api_headers(session, clock, helper)
    posts = _count(session, Post)
    too_big = client.post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "x" * 200_000}, headers=headers
    )
    assert too_big.status_code == 422
    empty = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "  "}, headers=headers)
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    assert _count(session, Post) == posts


def test_thread_pages_in_the_api(client, session, clock, scene):
    _, _, thread, _ = scene
    helpers = [make_user(session, clock) for _ in range(5)]
    for n in range(44):
        make_reply(session, clock, author=helpers[n % 5], thread=thread)
    per_page = get_settings().posts_per_page
    first = client.get(f"/api/v1/threads/{thread.id}").json()
    assert first["pages"] == 3 and len(first["posts"]) == 1 + per_page
    third = client.get(f"/api/v1/threads/{thread.id}?page=3").json()
    assert [p["post_number"] for p in third["posts"]] == [1, *range(2 + 2 * per_page, 47)]
    assert client.get(f"/api/v1/threads/{thread.id}?page=4").status_code == 404
    assert client.get(f"/api/v1/threads/{thread.id}?page=x").status_code == 422


def test_deleted_threads_are_404_for_members_in_the_api(client, session, clock, scene):
    asker, _, thread, _ = scene
    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    assert (
        client.delete(
            f"/api/v1/posts/{question.id}", headers=api_headers(session, clock, asker)
        ).status_code
        == 204
    )
    assert client.get(f"/api/v1/threads/{thread.id}").status_code == 404
    moderator = make_user(session, clock, username="mod", role=Role.moderator)
    seen = client.get(
        f"/api/v1/threads/{thread.id}", headers=api_headers(session, clock, moderator)
    )
    assert seen.status_code == 200 and seen.json()["deleted"] is True
    assert _count(session, Kudos) == 0
