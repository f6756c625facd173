"""Watching a thread: askers and repliers watch automatically, an explicit unwatch sticks."""

import pytest
from sqlmodel import Session, select

from community import watching
from community.clock import FrozenClock
from community.errors import NotAuthenticated, NotFound
from community.models import Notification, Role, Thread, User
from community.policy import Guardian
from tests.conftest import drain
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.helpers import csrf_token, login


@pytest.fixture
def asker(session: Session, clock: FrozenClock) -> User:
    return make_user(session, clock, username="asker")


@pytest.fixture
def thread(session: Session, clock: FrozenClock, asker: User) -> Thread:
    return make_thread(session, clock, author=asker, category=make_category(session))


def _replies_to(session: Session, user: User) -> int:
    session.expire_all()
    query = select(Notification).where(
        Notification.user_id == user.id, Notification.kind == "reply"
    )
    return len(session.exec(query).all())


def test_the_asker_and_repliers_watch_automatically(session, clock, asker, thread):
    helper = make_user(session, clock)
    reader = make_user(session, clock)
    make_reply(session, clock, author=helper, thread=thread)

    assert watching.is_watching(session, asker, thread)
    assert watching.is_watching(session, helper, thread)
    assert not watching.is_watching(session, reader, thread)
    assert not watching.is_watching(session, None, thread)


def test_watching_a_thread_brings_its_replies(session, clock, asker, thread):
    reader = make_user(session, clock)
    watching.watch(session, Guardian(reader), thread, clock=clock)

    clock.advance(minutes=1)
    make_reply(session, clock, author=asker, thread=thread, body="Update: still broken.")
    drain(session, clock)

    assert _replies_to(session, reader) == 1


def test_watch_and_unwatch_are_idempotent(session, clock, asker, thread):
    guardian = Guardian(asker)
    watching.unwatch(session, guardian, thread, clock=clock)
    watching.unwatch(session, guardian, thread, clock=clock)
    assert not watching.is_watching(session, asker, thread)

    watching.watch(session, guardian, thread, clock=clock)
    watching.watch(session, guardian, thread, clock=clock)
    assert watching.is_watching(session, asker, thread)


def test_toggle_flips_the_state(session, clock, asker, thread):
    assert not watching.toggle(session, Guardian(asker), thread, clock=clock).watching
    assert watching.toggle(session, Guardian(asker), thread, clock=clock).watching


def test_replies_from_while_one_was_not_watching_do_not_arrive_late(session, clock, asker, thread):
    helper = make_user(session, clock)
    watching.unwatch(session, Guardian(asker), thread, clock=clock)
    clock.advance(minutes=1)
    make_reply(session, clock, author=helper, thread=thread, body="while away")
    clock.advance(minutes=1)
    watching.watch(session, Guardian(asker), thread, clock=clock)
    clock.advance(minutes=1)
    make_reply(session, clock, author=helper, thread=thread, body="after coming back")

    drain(session, clock)  # the worker was behind: both replies are processed only now

    assert _replies_to(session, asker) == 1


def test_signed_out_visitors_cannot_watch(session, clock, thread):
    with pytest.raises(NotAuthenticated):
        watching.watch(session, Guardian(None), thread, clock=clock)


def test_a_deleted_thread_cannot_be_watched_by_members(session, clock, asker, thread):
    reader = make_user(session, clock)
    thread.deleted_at = clock.now()
    session.add(thread)
    session.commit()

    with pytest.raises(NotFound):
        watching.unwatch(session, Guardian(reader), thread, clock=clock)
    moderator = make_user(session, clock, role=Role.moderator)
    assert watching.watch(session, Guardian(moderator), thread, clock=clock).watching


# Over HTTP: POST /t/{id}/watch -------------------------------------------------------------------


def test_the_thread_page_shows_the_button_in_the_right_state(client, session, clock, asker, thread):
    reader = make_user(session, clock)
    assert 'id="watch-button"' not in client.get(f"/t/{thread.id}").text  # signed out

    login(client, asker)
    page = client.get(f"/t/{thread.id}").text
    assert 'id="watch-button"' in page
    assert 'name="watch" value="0"' in page  # the asker watches: the button stops it

    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, reader)
    assert 'name="watch" value="1"' in client.get(f"/t/{thread.id}").text


def test_the_watch_button_works_without_javascript(client, session, clock, asker, thread):
    login(client, asker)

    response = client.post(
        f"/t/{thread.id}/watch",
        data={"csrf_token": csrf_token(client), "watch": "0"},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{thread.id}"
    assert not watching.is_watching(session, asker, _fresh(session, thread))


def test_the_watch_button_with_htmx_returns_the_new_button(client, session, clock, asker, thread):
    login(client, asker)
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf_token(client)}

    response = client.post(f"/t/{thread.id}/watch", headers=headers)  # no value: toggles

    assert response.status_code == 200
    assert 'id="watch-button"' in response.text
    assert 'name="watch" value="1"' in response.text  # the next click watches again
    assert not watching.is_watching(session, asker, _fresh(session, thread))

    response = client.post(f"/t/{thread.id}/watch", headers=headers, data={"watch": "1"})
    assert 'name="watch" value="0"' in response.text
    assert watching.is_watching(session, asker, _fresh(session, thread))


def test_a_double_submitted_watch_button_does_not_flip_back(client, session, asker, thread):
    login(client, asker)
    token = csrf_token(client)

    for _ in range(2):
        client.post(f"/t/{thread.id}/watch", data={"csrf_token": token, "watch": "0"})

    assert not watching.is_watching(session, asker, _fresh(session, thread))


def test_signed_out_visitors_are_sent_to_log_in(client, thread):
    response = client.post(
        f"/t/{thread.id}/watch",
        data={"csrf_token": csrf_token(client), "watch": "1"},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/t/{thread.id}"


def test_watching_a_missing_thread_is_404(client, asker):
    login(client, asker)
    response = client.post("/t/999999/watch", data={"csrf_token": csrf_token(client), "watch": "1"})
    assert response.status_code == 404


def test_the_api_watches_and_unwatches(client, session, asker, thread):
    login(client, asker)
    headers = {"X-CSRF-Token": csrf_token(client)}

    response = client.delete(f"/api/v1/threads/{thread.id}/watch", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"thread_id": thread.id, "watching": False}
    assert not watching.is_watching(session, asker, _fresh(session, thread))

    response = client.post(f"/api/v1/threads/{thread.id}/watch", headers=headers)
    assert response.json() == {"thread_id": thread.id, "watching": True}
    assert client.post("/api/v1/threads/999999/watch", headers=headers).status_code == 404


def test_the_api_wants_a_signed_in_user_to_watch(client, thread):
    response = client.post(f"/api/v1/threads/{thread.id}/watch")
    assert response.status_code == 401
    assert "detail" in response.json()


def _fresh(session: Session, thread: Thread) -> Thread:
    session.expire_all()
    fresh = session.get(Thread, thread.id)
    assert fresh is not None
    return fresh
