import threading

import pytest
from sqlmodel import Session, col, select

from community import kudos, posting
from community.errors import Conflict, Forbidden, NotAuthenticated
from community.events import OutboxEvent
from community.models import Kudos, Post, User
from community.policy import Guardian
from tests.factories import make_category, make_reply, make_thread, make_user


@pytest.fixture
def scene(session, clock):
    asker = make_user(session, clock)
    helper = make_user(session, clock)
    fan = make_user(session, clock)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    reply = make_reply(session, clock, author=helper, thread=thread)
    return asker, helper, fan, thread, reply


def _refresh(session: Session, *rows: object) -> None:
    for row in rows:
        session.refresh(row)


def test_kudos_move_post_thread_and_author_counters(session, clock, scene):
    asker, helper, fan, thread, reply = scene
    kudos.give_kudos(session, Guardian(fan), reply, clock=clock)
    kudos.give_kudos(session, Guardian(asker), reply, clock=clock)
    _refresh(session, reply, thread, helper)
    assert (reply.kudos_count, thread.kudos_count, helper.kudos_received) == (2, 2, 2)

    kudos.withdraw_kudos(session, Guardian(fan), reply, clock=clock)
    _refresh(session, reply, thread, helper)
    assert (reply.kudos_count, thread.kudos_count, helper.kudos_received) == (1, 1, 1)
    names = [e.name for e in session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id)))]
    assert names[-3:] == ["kudos_given", "kudos_given", "kudos_withdrawn"]
    given = session.exec(select(OutboxEvent).where(OutboxEvent.name == "kudos_given")).first()
    assert given is not None
    assert given.data == {"post_id": reply.id, "giver_id": fan.id, "author_id": helper.id}


def test_no_kudos_on_your_own_post(session, clock, scene):
    _, helper, _, _, reply = scene
    with pytest.raises(Forbidden) as caught:
        kudos.give_kudos(session, Guardian(helper), reply, clock=clock)
    assert "own post" in caught.value.message
    assert session.exec(select(Kudos)).all() == []


def test_no_kudos_twice(session, clock, scene):
    _, helper, fan, _, reply = scene
    kudos.give_kudos(session, Guardian(fan), reply, clock=clock)
    with pytest.raises(Conflict) as caught:
        kudos.give_kudos(session, Guardian(fan), reply, clock=clock)
    assert "already" in caught.value.message
    session.refresh(helper)
    assert helper.kudos_received == 1


def test_withdrawing_kudos_never_given_is_refused(session, clock, scene):
    *_, fan, _, reply = scene
    with pytest.raises(Conflict):
        kudos.withdraw_kudos(session, Guardian(fan), reply, clock=clock)


def test_toggle_gives_then_withdraws(session, clock, scene):
    *_, fan, _, reply = scene
    assert kudos.toggle_kudos(session, Guardian(fan), reply, clock=clock) is True
    assert kudos.has_given(session, Guardian(fan), reply)
    assert kudos.toggle_kudos(session, Guardian(fan), reply, clock=clock) is False
    session.refresh(reply)
    assert reply.kudos_count == 0


def test_anonymous_readers_cannot_give_kudos(session, clock, scene):
    *_, reply = scene
    with pytest.raises(NotAuthenticated):
        kudos.give_kudos(session, Guardian(None), reply, clock=clock)


def test_deleted_posts_take_no_kudos(session, clock, scene):
    _, helper, fan, _, reply = scene
    kudos.give_kudos(session, Guardian(fan), reply, clock=clock)
    posting.delete_post(session, Guardian(helper), reply, clock=clock)
    with pytest.raises(Forbidden):
        kudos.withdraw_kudos(session, Guardian(fan), reply, clock=clock)
    with pytest.raises(Forbidden):
        kudos.give_kudos(session, Guardian(make_user(session, clock)), reply, clock=clock)


def test_racing_double_kudos_ends_in_one_row_and_a_conflict(db, session, clock, scene, monkeypatch):
    """Two requests of the same member pass the "already given?" check at the same moment."""
    _, helper, fan, thread, reply = scene
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    original = kudos.has_given

    def slow_has_given(*args, **kwargs):  # both requests look before either writes
        result = original(*args, **kwargs)
        barrier.wait(timeout=10)
        return result

    def attempt() -> None:
        with Session(db, expire_on_commit=False) as own:
            post = own.get(Post, reply.id)
            assert post is not None
            try:
                kudos.give_kudos(own, Guardian(own.get(User, fan.id)), post, clock=clock)
                outcomes.append("given")
            except Conflict:
                outcomes.append("conflict")

    monkeypatch.setattr(kudos, "has_given", slow_has_given)
    workers = [threading.Thread(target=attempt) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "given"]
    assert len(session.exec(select(Kudos)).all()) == 1
    _refresh(session, reply, helper, thread)
    assert (reply.kudos_count, thread.kudos_count, helper.kudos_received) == (1, 1, 1)
