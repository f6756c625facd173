"""The notifications page, the header badge, and /api/v1/notifications."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from community import kudos, solutions
from community.clock import FrozenClock
from community.models import Notification, Post, Thread, User
from community.policy import Guardian
from community.security import rate_limiter
from tests.conftest import drain
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token, login


@pytest.fixture
def asker(session: Session, clock: FrozenClock) -> User:
    return make_user(session, clock, username="asker", language="en")


@pytest.fixture
def helper(session: Session, clock: FrozenClock) -> User:
    return make_user(session, clock, username="helper", language="en")


@pytest.fixture
def thread(session: Session, clock: FrozenClock, asker: User) -> Thread:
    return make_thread(
        session, clock, author=asker, category=make_category(session), title="Fibre drops at 9pm"
    )


@pytest.fixture
def other_client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as other:
        yield other


def _replies(session, clock, helper, thread, count: int) -> list[Post]:
    posts = []
    for i in range(count):
        clock.advance(minutes=1)
        rate_limiter.reset()  # it counts real seconds; these replies are minutes apart
        posts.append(make_reply(session, clock, author=helper, thread=thread, body=f"Idea {i}"))
    drain(session, clock)
    return posts


def _notifications(session: Session, user: User) -> list[Notification]:
    session.expire_all()
    query = (
        select(Notification).where(Notification.user_id == user.id).order_by(col(Notification.id))
    )
    return list(session.exec(query))


# The page ---------------------------------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get("/notifications", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/notifications"


def test_the_page_lists_what_happened_newest_first(client, session, clock, asker, helper, thread):
    posts = _replies(session, clock, helper, thread, 2)
    login(client, asker)

    page = client.get("/notifications").text

    first = page.index(f'id="notification-{_notifications(session, asker)[1].id}"')
    second = page.index(f'id="notification-{_notifications(session, asker)[0].id}"')
    assert first < second
    assert page.count("Helper replied to Fibre drops at 9pm") == 2
    assert page.count('class="notification notification-reply unread"') == 2
    assert "<time" in page
    # Clicking one marks it read, then opens the reply it is about.
    notification = _notifications(session, asker)[1]
    response = client.post(
        f"/notifications/{notification.id}/read",
        data={"csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{thread.id}#post-{posts[1].id}"
    assert _notifications(session, asker)[1].read_at == clock.now()
    assert _notifications(session, asker)[0].read_at is None


def test_each_kind_has_its_own_sentence(client, session, clock, asker, helper, thread):
    answer = make_reply(session, clock, author=asker, thread=thread, body="Thanks @helper!")
    helper_post = make_reply(session, clock, author=helper, thread=thread, body="Cable.")
    kudos.give_kudos(session, Guardian(asker), helper_post, clock=clock)
    solutions.accept_solution(session, Guardian(asker), thread, helper_post, clock=clock)
    drain(session, clock)
    assert answer.id is not None
    login(client, helper)

    page = client.get("/notifications").text

    assert "Asker mentioned you in Fibre drops at 9pm" in page
    assert "Asker gave kudos to your post in Fibre drops at 9pm" in page
    assert "Asker accepted your answer in Fibre drops at 9pm" in page


def test_the_unread_tab_and_older_pages(client, session, clock, asker, helper, thread):
    _replies(session, clock, helper, thread, 35)
    login(client, asker)

    page = client.get("/notifications").text
    assert page.count('class="notification ') == 30
    older = page.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert older.startswith("/notifications?cursor=")

    rest = client.get(older.replace("&amp;", "&")).text
    assert rest.count('class="notification ') == 5
    assert 'rel="next"' not in rest

    client.post("/notifications/read-all", data={"csrf_token": csrf_token(client)})
    unread = client.get("/notifications?unread=1").text
    assert 'class="notification ' not in unread
    assert "You have read everything." in unread


def test_a_broken_page_link_is_a_clear_error(client, asker):
    login(client, asker)

    response = client.get("/notifications?cursor=not-a-cursor")

    assert response.status_code == 422


def test_mark_read_with_htmx_returns_the_item_and_the_new_badge(
    client, session, clock, asker, helper, thread
):
    _replies(session, clock, helper, thread, 2)
    notification = _notifications(session, asker)[0]
    login(client, asker)

    response = client.post(
        f"/notifications/{notification.id}/read",
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_token(client)},
    )

    assert response.status_code == 200
    assert f'id="notification-{notification.id}"' in response.text
    assert "unread" not in response.text.split(">")[0]
    assert 'id="unread-count"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert ">1<" in response.text  # one left


def test_mark_read_and_stay_on_the_list(client, session, clock, asker, helper, thread):
    _replies(session, clock, helper, thread, 1)
    notification = _notifications(session, asker)[0]
    login(client, asker)

    response = client.post(
        f"/notifications/{notification.id}/read",
        data={"csrf_token": csrf_token(client), "stay": "1"},
        follow_redirects=False,
    )

    assert response.headers["location"] == "/notifications"
    assert _notifications(session, asker)[0].read_at is not None


def test_read_all(client, session, clock, asker, helper, thread):
    _replies(session, clock, helper, thread, 3)
    login(client, asker)

    response = client.post(
        "/notifications/read-all", data={"csrf_token": csrf_token(client)}, follow_redirects=False
    )

    assert response.status_code == 303
    assert all(n.read_at is not None for n in _notifications(session, asker))


def test_nobody_can_mark_someone_elses_notification(client, session, clock, asker, helper, thread):
    _replies(session, clock, helper, thread, 1)
    notification = _notifications(session, asker)[0]
    login(client, helper)

    response = client.post(
        f"/notifications/{notification.id}/read", data={"csrf_token": csrf_token(client)}
    )

    assert response.status_code == 404
    assert _notifications(session, asker)[0].read_at is None


# The header badge -------------------------------------------------------------------------------


def test_the_header_shows_the_unread_count_and_polls_it(
    client, session, clock, asker, helper, thread
):
    login(client, asker)
    badge = client.get("/notifications/unread").text
    assert 'id="unread-count"' in badge
    assert "hidden" in badge.split(">")[0]  # nothing unread: no badge to see

    _replies(session, clock, helper, thread, 3)

    page = client.get("/notifications").text
    header = page.split("</header>")[0]
    assert 'hx-get="/notifications/unread"' in header
    assert 'hx-trigger="every 30s"' in header
    assert ">3<" in header
    badge = client.get("/notifications/unread", headers={"HX-Request": "true"}).text
    assert badge.strip().startswith('<span id="unread-count"')
    assert "hidden" not in badge.split(">")[0]
    assert ">3<span" in badge
    assert "unread notifications" in badge  # for screen readers


# The API ----------------------------------------------------------------------------------------


def test_notifications_appear_only_once_the_worker_ran(
    client, other_client, session, clock, asker, helper, thread
):
    login(client, asker)
    login(other_client, helper)

    response = other_client.post(
        f"/api/v1/threads/{thread.id}/posts",
        json={"body": "Swap the filter."},
        headers={"X-CSRF-Token": csrf_token(other_client)},
    )
    assert response.status_code == 201, response.text

    assert client.get("/api/v1/notifications").json() == {
        "items": [],
        "next_cursor": None,
        "unread_count": 0,
    }
    drain(session, clock)
    body = client.get("/api/v1/notifications").json()
    assert body["unread_count"] == 1
    [item] = body["items"]
    assert item["kind"] == "reply"
    assert item["actor"] == {"id": helper.id, "username": "helper", "display_name": "Helper"}
    assert item["thread_id"] == thread.id
    assert item["post_id"] == response.json()["id"]
    assert item["thread_title"] == "Fibre drops at 9pm"
    assert item["read"] is False
    # The helper hears only of the badge their first answer earned.
    theirs = other_client.get("/api/v1/notifications").json()["items"]
    assert [(item["kind"], item["badge"]) for item in theirs] == [("badge", "first_answer")]


def test_the_api_pages_filters_and_marks_read(client, session, clock, asker, helper, thread):
    _replies(session, clock, helper, thread, 5)
    login(client, asker)
    headers = {"X-CSRF-Token": csrf_token(client)}

    first = client.get("/api/v1/notifications", params={"limit": 3}).json()
    second = client.get(
        "/api/v1/notifications", params={"limit": 3, "cursor": first["next_cursor"]}
    ).json()
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert len(ids) == 5
    assert ids == sorted(ids, reverse=True)
    assert second["next_cursor"] is None

    response = client.post(f"/api/v1/notifications/{ids[0]}/read", headers=headers)
    assert response.status_code == 200
    assert response.json()["read"] is True
    unread = client.get("/api/v1/notifications", params={"unread": "true"}).json()
    assert [item["id"] for item in unread["items"]] == ids[1:]
    assert unread["unread_count"] == 4

    response = client.post("/api/v1/notifications/read-all", headers=headers)
    assert response.json() == {"marked": 4, "unread_count": 0}
    assert client.get("/api/v1/notifications?unread=true").json()["items"] == []


def test_the_api_hides_other_peoples_notifications(
    client, other_client, session, clock, asker, helper, thread
):
    _replies(session, clock, helper, thread, 1)
    mine = _notifications(session, asker)[0]
    login(other_client, helper)

    response = other_client.post(
        f"/api/v1/notifications/{mine.id}/read", headers={"X-CSRF-Token": csrf_token(other_client)}
    )

    assert response.status_code == 404
    assert response.json()["detail"]
    assert _notifications(session, asker)[0].read_at is None


def test_the_api_wants_a_signed_in_user(client):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/read-all").status_code == 401
    assert client.get("/api/v1/notifications?cursor=%%%").status_code in (401, 422)
