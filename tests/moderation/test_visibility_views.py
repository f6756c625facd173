"""What readers see of hidden, merged and suspended things, on every page, list, API and search;
and the moderator tools' pages and routes (members 403, anonymous 401 or the login page)."""

import html
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from community import events, posting, solutions, visibility
from community.clock import FrozenClock
from community.models import Category, HiddenReason, Post, Role, Thread, User
from community.policy import Guardian
from moderation import tools
from moderation.models import AuditEntry
from search import documents, indexer, queries
from tests.factories import PASSWORD, api_headers, make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token, login

PLACEHOLDER = "This post is hidden while a moderator reviews it"
PII_REASON = "it looks like it contains personal data (phone, e-mail...) and waits for a moderator"
PII_TEXT = "Call me on 333 1234567 or write to mario.rossi@example.com"


@dataclass
class Scene:
    asker: User
    author: User
    reader: User
    mod: User
    admin: User
    category: Category
    other_category: Category
    thread: Thread
    post: Post


@pytest.fixture
def scene(session: Session, clock: FrozenClock) -> Scene:
    asker = make_user(session, clock, username="asker")
    author = make_user(session, clock, username="author")
    reader = make_user(session, clock, username="reader")
    mod = make_user(session, clock, username="mod", role=Role.moderator)
    admin = make_user(session, clock, username="boss", role=Role.admin)
    category = make_category(session, slug="fibra")
    other = make_category(session, slug="mobile")
    thread = make_thread(
        session, clock, author=asker, category=category, title="Fibre drops every evening"
    )
    # Out when written; the personal data came with an edit, held at once, and a moderator let
    # it through: readers see it (the tests hide it again as the worker does for new text).
    post = make_reply(session, clock, author=author, thread=thread, body="Call me, I can help")
    posting.edit_post(session, Guardian(author), post, body=PII_TEXT, clock=clock)
    assert post.hidden_reason == HiddenReason.personal_data
    assert mod.id is not None
    visibility.unhide_post(session, post, by_id=mod.id, now=clock.now())
    session.commit()
    return Scene(asker, author, reader, mod, admin, category, other, thread, post)


def _hide_for_personal_data(session: Session, clock: FrozenClock, post: Post) -> None:
    visibility.hide_post(
        session, post, reason=HiddenReason.personal_data, by_id=None, now=clock.now()
    )
    session.commit()


# --- a hidden post in a visible thread ----------------------------------------------------------


def test_personal_data_is_hidden_from_a_third_user_but_shown_to_its_author_with_the_reason(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    _hide_for_personal_data(session, clock, scene.post)
    url = f"/t/{scene.thread.id}"

    anonymous = client.get(url)
    assert anonymous.status_code == 200
    assert "333 1234567" not in anonymous.text
    # Held for review: to them it is not there at all, not even as a placeholder.
    assert f'id="post-{scene.post.id}"' not in anonymous.text and PLACEHOLDER not in anonymous.text

    login(client, scene.reader)
    page = client.get(url).text
    assert f'id="post-{scene.post.id}"' not in page
    assert "333 1234567" not in page and "mario.rossi" not in page
    assert "Unhide" not in page

    login(client, scene.author)
    page = client.get(url).text
    assert "333 1234567" in page
    assert PII_REASON in page
    assert "Only you and the moderators can see this post" in page
    assert PLACEHOLDER not in page


def test_moderators_see_a_hidden_post_marked_with_an_unhide_button(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    _hide_for_personal_data(session, clock, scene.post)
    login(client, scene.mod)
    page = client.get(f"/t/{scene.thread.id}").text
    assert "333 1234567" in page
    assert "Hidden from members" in page and PII_REASON in page
    assert f'action="/mod/posts/{scene.post.id}/unhide"' in page


def test_a_suspended_moderator_sees_hidden_posts_as_members_do(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    _hide_for_personal_data(session, clock, scene.post)
    scene.mod.suspended_until = clock.now() + timedelta(days=3)
    scene.mod.suspension_reason = "Leaked a customer's number"
    session.add(scene.mod)
    session.commit()
    login(client, scene.mod)
    page = client.get(f"/t/{scene.thread.id}").text
    assert PII_TEXT not in page and f'id="post-{scene.post.id}"' not in page
    assert client.get(f"/api/v1/posts/{scene.post.id}").status_code == 404
    assert client.get(f"/p/{scene.post.id}/revisions").status_code in (403, 404)
    clock.advance(days=4)  # the suspension ran out
    assert PII_TEXT in client.get(f"/t/{scene.thread.id}").text


def test_a_hidden_post_has_no_text_in_the_api_for_others(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    _hide_for_personal_data(session, clock, scene.post)

    def post_json(user: User | None, path: str) -> dict[str, object]:
        headers = api_headers(session, clock, user) if user is not None else {}
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        body = response.json()
        if "posts" in body:
            return next(p for p in body["posts"] if p["id"] == scene.post.id)
        return dict(body)

    # Held for review: not in the thread for others, nor in its reply count.
    thread = client.get(f"/api/v1/threads/{scene.thread.id}").json()
    assert scene.post.id not in [p["id"] for p in thread["posts"]]
    assert thread["reply_count"] == 0
    # The post alone is a 404 for them, like any post they cannot see.
    assert client.get(f"/api/v1/posts/{scene.post.id}").status_code == 404
    for path in (f"/api/v1/threads/{scene.thread.id}", f"/api/v1/posts/{scene.post.id}"):
        for user in (scene.author, scene.mod):
            seen = post_json(user, path)
            assert seen["body"] == PII_TEXT
            assert seen["hidden_reason"] == "personal_data"

    # Hidden by a moderator's decision, it stays in the thread as a post without text.
    tools.hide_post(session, Guardian(scene.mod, now=clock.now()), scene.post, clock=clock)
    seen = post_json(None, f"/api/v1/threads/{scene.thread.id}")
    assert seen["body"] is None and seen["body_html"] is None
    assert seen["hidden"] is True and seen["hidden_reason"] is None


def test_others_cannot_give_kudos_to_a_hidden_post(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    _hide_for_personal_data(session, clock, scene.post)
    response = client.post(
        f"/api/v1/posts/{scene.post.id}/kudos", headers=api_headers(session, clock, scene.reader)
    )
    assert response.status_code == 404


def test_a_hidden_post_is_a_404_for_others_wherever_it_is_read_or_changed(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    _hide_for_personal_data(session, clock, scene.post)
    post_id = scene.post.id
    login(client, scene.reader)
    token = csrf_token(client)
    for response in (
        client.get(f"/p/{post_id}/edit"),
        client.post(f"/p/{post_id}/edit", data={"csrf_token": token, "body": "Mine now."}),
        client.get(f"/p/{post_id}/revisions"),
        client.get(f"/p/{post_id}/flag"),
        client.get(f"/api/v1/posts/{post_id}"),
        client.put(
            f"/api/v1/posts/{post_id}", json={"body": "Mine now."}, headers={"X-CSRF-Token": token}
        ),
    ):
        assert response.status_code == 404, response.request.url
        assert "333 1234567" not in response.text
    session.refresh(scene.post)
    assert scene.post.body == PII_TEXT

    login(client, scene.author)
    form = client.get(f"/p/{post_id}/edit")
    assert form.status_code == 200 and "333 1234567" in form.text


def test_hidden_posts_leave_profiles_and_search(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    assert "Fibre drops every evening" in client.get("/u/author").text
    _hide_for_personal_data(session, clock, scene.post)
    assert "Fibre drops every evening" not in client.get("/u/author").text
    document = documents.thread_document(session, scene.thread.id)
    assert document is not None
    assert PII_TEXT not in str(document)


# --- a hidden thread ----------------------------------------------------------------------------


def test_a_hidden_thread_is_404_for_others_in_pages_api_lists_and_search(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    thread_id, post_id = scene.thread.id, scene.post.id
    title = "Fibre drops every evening"
    assert _found(session, "fibre") == [thread_id]
    tools.hide_thread(session, Guardian(scene.mod), scene.thread, clock=clock)

    # Anonymous readers and other members: it does not exist.
    for user in (None, scene.reader):
        client.cookies.clear()
        headers = {}
        if user is not None:
            login(client, user)
            headers = api_headers(session, clock, user)
        for path in (f"/t/{thread_id}", f"/t/{thread_id}/fibre", f"/p/{post_id}"):
            assert client.get(path, follow_redirects=False).status_code == 404, path
        for path in (f"/api/v1/threads/{thread_id}", f"/api/v1/posts/{post_id}"):
            assert client.get(path, headers=headers).status_code == 404, path
        for path in ("/", "/c/fibra", "/c/fibra?filter=unanswered"):
            assert title not in client.get(path).text, path
        listed = client.get("/api/v1/threads", headers=headers).json()["items"]
        assert thread_id not in [item["id"] for item in listed]

    # Its author and moderators still see it.
    client.cookies.clear()
    login(client, scene.asker)
    page = client.get(f"/t/{thread_id}")
    assert page.status_code == 200
    assert "only you and the moderators can see it" in page.text
    assert title in client.get("/my/threads").text
    client.cookies.clear()
    login(client, scene.mod)
    assert client.get(f"/t/{thread_id}").status_code == 200
    assert title in client.get("/c/fibra").text
    detail = client.get(
        f"/api/v1/threads/{thread_id}", headers=api_headers(session, clock, scene.mod)
    )
    assert detail.json()["hidden"] is True
    listed = client.get("/api/v1/threads", headers=api_headers(session, clock, scene.mod)).json()
    assert [(i["id"], i["hidden"]) for i in listed["items"]] == [(thread_id, True)]
    assert 'class="chip hidden-chip"' in client.get("/c/fibra").text

    # Search: no document (the indexer deletes it), and the database fallback skips it.
    assert documents.thread_document(session, thread_id) is None
    assert _found(session, "fibre") == []


def _found(session: Session, q: str) -> list[int]:
    """Thread ids the database fallback of search finds (what anyone may find)."""
    results = queries.search_threads_in_db(session, queries.SearchQuery(q=q))
    return [hit.id for hit in results.items]


def test_the_search_indexer_follows_moderation_events() -> None:
    handled = indexer.handlers()
    for name in (
        "post_hidden",
        "post_unhidden",
        "thread_hidden",
        "thread_unhidden",
        "thread_moved",
        "thread_merged",
    ):
        assert name in handled, name


def test_notifications_about_a_hidden_thread_no_longer_show_its_title(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    make_reply(session, clock, author=scene.reader, thread=scene.thread, body="Try the modem.")
    events.drain(session, now=clock.now())
    login(client, scene.asker)
    assert "Fibre drops every evening" in client.get("/notifications").text
    client.cookies.clear()
    tools.hide_thread(session, Guardian(scene.mod), scene.thread, clock=clock)
    events.drain(session, now=clock.now())
    login(client, scene.author)  # notified of the reply as a watcher; cannot see the thread now
    page = client.get("/notifications").text
    assert "Fibre drops every evening" not in page


# --- merged threads -------------------------------------------------------------------------------


def test_a_merged_threads_url_leads_to_the_thread_it_was_merged_into(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    other = make_thread(session, clock, author=scene.reader, category=scene.other_category)
    moved = make_reply(session, clock, author=scene.asker, thread=other, body="Same problem here")
    tools.merge_thread(session, Guardian(scene.mod), other, into=scene.thread, clock=clock)

    response = client.get(f"/t/{other.id}", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == f"/t/{scene.thread.id}"
    link = client.get(f"/p/{moved.id}", follow_redirects=False)
    assert link.headers["location"].startswith(f"/t/{scene.thread.id}")
    assert "Same problem here" in client.get(f"/t/{scene.thread.id}").text
    api = client.get(f"/api/v1/threads/{other.id}")
    assert api.status_code == 200 and api.json()["id"] == scene.thread.id
    assert documents.thread_document(session, other.id) is None


# --- the tools' pages and forms -------------------------------------------------------------------


def test_moderator_controls_show_on_the_thread_page_for_moderators_only(
    client: TestClient, scene: Scene
) -> None:
    login(client, scene.reader)
    page = client.get(f"/t/{scene.thread.id}").text
    assert "Moderator tools" not in page and "/mod/posts/" not in page
    client.cookies.clear()
    login(client, scene.mod)
    page = client.get(f"/t/{scene.thread.id}").text
    assert "Moderator tools" in page
    assert f'action="/mod/threads/{scene.thread.id}/hide"' in page
    assert f'action="/mod/threads/{scene.thread.id}/lock"' in page
    assert f'action="/mod/posts/{scene.post.id}/hide"' in page
    assert 'value="mobile"' in page  # the move menu lists the categories


def test_hiding_a_post_with_htmx_swaps_it_and_without_js_redirects(
    client: TestClient, session: Session, scene: Scene
) -> None:
    login(client, scene.mod)
    token = csrf_token(client)
    swapped = client.post(
        f"/mod/posts/{scene.post.id}/hide",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert swapped.status_code == 200
    assert swapped.text.lstrip().startswith(f'<article id="post-{scene.post.id}"')
    assert "Hidden from members" in swapped.text and "a moderator hid it" in swapped.text
    back = client.post(
        f"/mod/posts/{scene.post.id}/unhide", data={"csrf_token": token}, follow_redirects=False
    )
    assert back.status_code == 303
    assert back.headers["location"].startswith(f"/t/{scene.thread.id}")
    session.expire_all()
    post = session.get(Post, scene.post.id)
    assert post is not None and not post.is_hidden


def test_thread_forms_lock_move_and_merge(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    login(client, scene.mod)
    token = csrf_token(client)
    base = f"/mod/threads/{scene.thread.id}"
    locked = client.post(f"{base}/lock", data={"csrf_token": token}, follow_redirects=False)
    assert locked.status_code == 303
    assert "This thread is locked" in client.get(f"/t/{scene.thread.id}").text or "Locked" in (
        client.get(f"/t/{scene.thread.id}").text
    )

    refused = client.post(f"{base}/move", data={"csrf_token": token, "category": ""})
    assert refused.status_code == 422
    assert "Choose the category to move the thread to." in refused.text
    moved = client.post(
        f"{base}/move", data={"csrf_token": token, "category": "mobile"}, follow_redirects=False
    )
    assert moved.status_code == 303
    session.expire_all()
    thread = session.get(Thread, scene.thread.id)
    assert thread is not None and thread.category_id == scene.other_category.id

    target = make_thread(session, clock, author=scene.reader, category=scene.category)
    bad = client.post(f"{base}/merge", data={"csrf_token": token, "into": "not a thread"})
    assert bad.status_code == 422
    assert "Give the number or the link of the thread to merge into." in bad.text
    merged = client.post(
        f"{base}/merge",
        data={
            "csrf_token": token,
            "into": f"https://testserver/t/{target.id}/some-slug",
            "confirm": "yes",
        },
        follow_redirects=False,
    )
    assert merged.status_code == 303 and merged.headers["location"] == f"/t/{target.id}"


def test_a_suspension_from_the_profile_blocks_posting_with_the_message(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    login(client, scene.mod)
    profile = client.get("/u/reader").text
    assert 'action="/mod/users/reader/suspend"' in profile
    assert 'action="/mod/users/mod/suspend"' not in client.get("/u/mod").text
    assert 'action="/mod/users/boss/suspend"' not in client.get("/u/boss").text
    token = csrf_token(client)
    refused = client.post(
        "/mod/users/reader/suspend",
        data={"csrf_token": token, "days": "2", "hours": "", "reason": ""},
    )
    assert refused.status_code == 422 and "Say why" in refused.text
    done = client.post(
        "/mod/users/reader/suspend",
        data={"csrf_token": token, "days": "2", "hours": "0", "reason": "Spam links"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/u/reader"
    assert "Suspended until" in client.get("/u/reader").text

    client.cookies.clear()
    login(client, scene.reader)
    token = csrf_token(client)
    reply = client.post(
        f"/t/{scene.thread.id}/posts", data={"csrf_token": token, "body": "Buy cheap stuff"}
    )
    assert reply.status_code == 403
    assert (
        "Your account is suspended until Jan 17, 2026, 10:00\u202fAM CET: Spam links" in reply.text
    )
    page = client.get(f"/t/{scene.thread.id}").text
    assert "Your account is suspended until" in page and "Spam links" in page
    assert 'name="body"' not in page  # no reply box
    api = client.post(
        f"/api/v1/threads/{scene.thread.id}/posts",
        json={"body": "Buy cheap stuff"},
        headers=api_headers(session, clock, scene.reader),
    )
    assert api.status_code == 403 and "Spam links" in api.json()["detail"]
    assert client.get("/t/new").status_code == 403

    clock.advance(days=2, minutes=1)  # it runs out by itself
    ok = client.post(
        f"/t/{scene.thread.id}/posts",
        data={"csrf_token": token, "body": "Sorry about that."},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_the_audit_log_page_shows_before_and_after_and_filters(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    mod = Guardian(scene.mod)
    tools.lock_thread(session, mod, scene.thread, clock=clock)
    tools.move_thread(session, mod, scene.thread, category=scene.other_category, clock=clock)
    login(client, scene.admin)
    page = client.get("/mod/audit")
    assert page.status_code == 200
    assert "Locked a thread" in page.text and "Moved a thread" in page.text  # not the codes
    assert "&#34;fibra&#34;" in page.text or '"fibra"' in page.text
    assert "→" in page.text
    filtered = client.get("/mod/audit?action=lock_thread").text
    assert 'title="lock_thread"' in filtered and 'title="move_thread"' not in filtered
    client.headers["Accept-Language"] = "it"
    assert "Ha bloccato una discussione" in client.get("/mod/audit").text
    client.headers["Accept-Language"] = "en"
    by_actor = client.get("/mod/audit?actor=boss").text
    assert "No audit entries match." in by_actor

    api = client.get("/api/v1/moderation/audit", headers=api_headers(session, clock, scene.admin))
    assert api.status_code == 200
    items = api.json()["items"]
    assert [i["action"] for i in items] == ["move_thread", "lock_thread"]
    assert items[0]["before"]["category"] == "fibra" and items[0]["after"]["category"] == "mobile"
    assert items[0]["actor"] == "mod"
    page_one = client.get(
        "/api/v1/moderation/audit?limit=1", headers=api_headers(session, clock, scene.admin)
    ).json()
    assert len(page_one["items"]) == 1 and page_one["next_cursor"]
    page_two = client.get(
        f"/api/v1/moderation/audit?limit=1&cursor={page_one['next_cursor']}",
        headers=api_headers(session, clock, scene.admin),
    ).json()
    assert [i["action"] for i in page_two["items"]] == ["lock_thread"]


def test_the_api_tools_work_for_moderators(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    headers = api_headers(session, clock, scene.mod)
    base = f"/api/v1/moderation/threads/{scene.thread.id}"
    assert client.post(f"{base}/hide", headers=headers).json()["hidden"] is True
    assert client.post(f"{base}/unhide", headers=headers).json()["hidden"] is False
    assert client.post(f"{base}/lock", headers=headers).json()["locked"] is True
    assert client.post(f"{base}/unlock", headers=headers).json()["locked"] is False
    moved = client.post(f"{base}/move", json={"category": "mobile"}, headers=headers)
    assert moved.json()["category_id"] == scene.other_category.id
    unknown = client.post(f"{base}/move", json={"category": "nope"}, headers=headers)
    assert unknown.status_code == 422
    post = f"/api/v1/moderation/posts/{scene.post.id}"
    assert client.post(f"{post}/hide", headers=headers).json()["hidden_reason"] == "moderator"
    assert client.post(f"{post}/unhide", headers=headers).json()["hidden"] is False
    suspended = client.post(
        "/api/v1/moderation/users/reader/suspend",
        json={"days": 1, "reason": "Flooding"},
        headers=headers,
    )
    assert suspended.status_code == 200
    assert suspended.json()["suspension_reason"] == "Flooding"
    admin = client.post(
        "/api/v1/moderation/users/boss/suspend", json={"days": 1, "reason": "x"}, headers=headers
    )
    assert admin.status_code == 403
    lifted = client.post("/api/v1/moderation/users/reader/unsuspend", headers=headers)
    assert lifted.json()["suspended_until"] is None
    into = make_thread(session, clock, author=scene.reader, category=scene.category)
    merged = client.post(f"{base}/merge", json={"into_thread_id": into.id}, headers=headers)
    assert merged.status_code == 200
    body = merged.json()
    assert body["merged"]["merged_into_id"] == into.id and body["into"]["reply_count"] == 2
    assert client.get("/api/v1/moderation/audit", headers=headers).status_code == 403
    actions = {e.action for e in session.exec(select(AuditEntry))}
    assert actions == {
        "hide_thread",
        "unhide_thread",
        "lock_thread",
        "unlock_thread",
        "move_thread",
        "hide_post",
        "unhide_post",
        "suspend_user",
        "unsuspend_user",
        "merge_thread",
    }


# --- members 403, anonymous 401 / login, on every page and route ----------------------------------


def _api_routes(scene: Scene) -> list[tuple[str, str, dict[str, object] | None]]:
    t, p = scene.thread.id, scene.post.id
    return [
        ("POST", f"/api/v1/moderation/threads/{t}/hide", None),
        ("POST", f"/api/v1/moderation/threads/{t}/unhide", None),
        ("POST", f"/api/v1/moderation/threads/{t}/lock", None),
        ("POST", f"/api/v1/moderation/threads/{t}/unlock", None),
        ("POST", f"/api/v1/moderation/threads/{t}/move", {"category": "mobile"}),
        ("POST", f"/api/v1/moderation/threads/{t}/merge", {"into_thread_id": t}),
        ("POST", f"/api/v1/moderation/posts/{p}/hide", None),
        ("POST", f"/api/v1/moderation/posts/{p}/unhide", None),
        ("POST", "/api/v1/moderation/users/asker/suspend", {"days": 1, "reason": "x"}),
        ("POST", "/api/v1/moderation/users/asker/unsuspend", None),
        ("GET", "/api/v1/moderation/audit", None),
    ]


def _form_routes(scene: Scene) -> list[tuple[str, dict[str, str]]]:
    t, p = scene.thread.id, scene.post.id
    return [
        (f"/mod/threads/{t}/hide", {}),
        (f"/mod/threads/{t}/unhide", {}),
        (f"/mod/threads/{t}/lock", {}),
        (f"/mod/threads/{t}/unlock", {}),
        (f"/mod/threads/{t}/move", {"category": "mobile"}),
        (f"/mod/threads/{t}/merge", {"into": str(t)}),
        (f"/mod/posts/{p}/hide", {}),
        (f"/mod/posts/{p}/unhide", {}),
        ("/mod/users/asker/suspend", {"days": "1", "reason": "x"}),
        ("/mod/users/asker/unsuspend", {}),
    ]


def _pages(scene: Scene) -> list[str]:
    return [f"/mod/threads/{scene.thread.id}", "/mod/users/asker", "/mod/audit"]


def test_members_get_403_on_every_moderation_page_and_route(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    headers = api_headers(session, clock, scene.reader)
    for method, path, body in _api_routes(scene):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (method, path, response.text)
        assert "detail" in response.json()
    login(client, scene.reader)
    token = csrf_token(client)
    for path in _pages(scene):
        assert client.get(path, follow_redirects=False).status_code == 403, path
    for path, data in _form_routes(scene):
        response = client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
        assert response.status_code == 403, path
    assert session.exec(select(AuditEntry)).all() == []


def test_moderators_get_403_on_the_audit_log_page(client: TestClient, scene: Scene) -> None:
    login(client, scene.mod)
    assert client.get("/mod/audit").status_code == 403


def test_anonymous_readers_are_sent_to_log_in_or_get_401(
    client: TestClient, session: Session, scene: Scene
) -> None:
    for method, path, body in _api_routes(scene):
        response = client.request(method, path, json=body)
        assert response.status_code == 401, (method, path)
    for path in _pages(scene):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
    token = csrf_token(client)
    for path, data in _form_routes(scene):
        response = client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
        assert response.status_code == 401, path


# Every staff page: the one-off redirects of the tools and cases pages, and main.py's for the rest.
STAFF_PAGES = [
    "/mod/queue?reason=flagged",
    "/mod/service-levels",
    "/mod/advocates",
    "/care/analytics",
    "/mod/canned",
    "/mod/cases",
    "/mod/audit",
]


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_signed_out_visitors_of_a_staff_page_log_in_and_land_on_it(
    client: TestClient, scene: Scene, page: str
) -> None:
    sent = client.get(page, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    login_page = client.get(sent.headers["location"])
    next_field = re.search(r'action="/login".*?name="next" value="([^"]*)"', login_page.text, re.S)
    assert next_field is not None and html.unescape(next_field.group(1)) == page

    landed = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(client),
            "username": scene.admin.username,
            "password": PASSWORD,
            "next": html.unescape(next_field.group(1)),
        },
        follow_redirects=False,
    )

    assert landed.headers["location"] == page
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_members_still_get_403_on_staff_pages(client: TestClient, scene: Scene, page: str) -> None:
    login(client, scene.reader)
    assert client.get(page, follow_redirects=False).status_code == 403


def test_signed_out_visitors_of_the_advocates_page_are_sent_to_log_in(client: TestClient) -> None:
    sent = client.get("/advocate", follow_redirects=False)
    assert sent.headers["location"] == "/login?next=/advocate"


def test_only_a_person_opening_a_staff_page_is_sent_to_log_in(client: TestClient) -> None:
    # htmx swaps the answer in place (a login page there would be a page inside the page); a
    # program gets 401 and JSON.
    partial = client.get("/mod/queue", headers={"HX-Request": "true"}, follow_redirects=False)
    assert partial.status_code == 401 and partial.headers["HX-Retarget"] == "#flash"
    program = client.get("/mod/queue", headers={"Accept": "application/json"})
    assert program.status_code == 401 and program.json()["detail"] == "Please log in first."
    assert client.get("/api/v1/moderation/queue").status_code == 401


def test_moderators_use_the_tools_pages(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    login(client, scene.mod)
    page = client.get(f"/mod/threads/{scene.thread.id}")
    assert page.status_code == 200 and "Merge into thread" in page.text
    user_page = client.get("/mod/users/reader")
    assert user_page.status_code == 200 and "Suspend" in user_page.text
    assert client.get("/mod/threads/999999").status_code == 404


@pytest.mark.parametrize("days", ["-1", "many"])
def test_a_bad_duration_is_shown_next_to_the_field(
    client: TestClient, scene: Scene, days: str
) -> None:
    login(client, scene.mod)
    response = client.post(
        "/mod/users/reader/suspend",
        data={"csrf_token": csrf_token(client), "days": days, "reason": "spam"},
    )
    assert response.status_code == 422
    assert "Give the duration in whole days and hours." in response.text


@pytest.mark.parametrize(("days", "hours"), [("3651", "0"), ("0", "87625"), ("9" * 30, "0")])
def test_a_suspension_longer_than_ten_years_is_refused_as_such(
    client: TestClient, scene: Scene, days: str, hours: str
) -> None:
    login(client, scene.mod)
    response = client.post(
        "/mod/users/reader/suspend",
        data={"csrf_token": csrf_token(client), "days": days, "hours": hours, "reason": "spam"},
    )
    assert response.status_code == 422
    assert "A suspension lasts at most ten years." in response.text
    assert "whole days and hours" not in response.text


def test_suspension_runs_out_on_the_clock(
    session: Session, clock: FrozenClock, scene: Scene
) -> None:
    tools.suspend_user(
        session,
        Guardian(scene.mod),
        scene.reader,
        duration=timedelta(hours=1),
        reason="cool down",
        clock=clock,
    )
    assert Guardian(scene.reader, now=clock.now()).is_suspended
    clock.advance(hours=1)
    assert not Guardian(scene.reader, now=clock.now()).is_suspended


def test_members_are_told_a_moderator_hid_a_post_not_that_it_is_under_review(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    tools.hide_post(session, Guardian(scene.mod, now=clock.now()), scene.post, clock=clock)
    login(client, scene.reader)
    page = client.get(f"/t/{scene.thread.id}").text
    assert "A moderator hid this post." in page and PLACEHOLDER not in page


def test_a_hidden_solution_shows_no_text_in_the_solution_box(
    client: TestClient, session: Session, clock: FrozenClock, scene: Scene
) -> None:
    solutions.accept_solution(session, Guardian(scene.asker), scene.thread, scene.post, clock=clock)
    assert "333 1234567" in client.get(f"/t/{scene.thread.id}").text
    _hide_for_personal_data(session, clock, scene.post)
    page = client.get(f"/t/{scene.thread.id}").text
    assert "Accepted solution" in page
    assert "333 1234567" not in page and PLACEHOLDER in page
