from typing import Any

import pytest
from sqlmodel import col, select

from community import solutions
from community.errors import Forbidden, Invalid, NotFound
from community.events import OutboxEvent
from community.models import Post, Role, Solution
from community.policy import Guardian
from tests.factories import make_category, make_reply, make_thread, make_user


@pytest.fixture
def scene(session, clock):
    asker = make_user(session, clock)
    first = make_user(session, clock)
    second = make_user(session, clock)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    a = make_reply(session, clock, author=first, thread=thread, body="Try channel 6.")
    b = make_reply(session, clock, author=second, thread=thread, body="Update the firmware.")
    return asker, first, second, thread, a, b


def _events(session) -> list[tuple[str, dict[str, Any]]]:
    rows = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id))).all()
    return [(e.name, e.data) for e in rows if e.name.startswith("solution")]


def test_asker_accepts_changes_and_unmarks_a_solution(session, clock, scene):
    asker, first, second, thread, a, b = scene
    solutions.accept_solution(session, Guardian(asker), thread, a, clock=clock)
    assert thread.solved_at == clock.now()
    session.refresh(first)
    assert first.solution_count == 1

    clock.advance(minutes=1)
    solutions.accept_solution(session, Guardian(asker), thread, b, clock=clock)
    session.refresh(first)
    session.refresh(second)
    assert (first.solution_count, second.solution_count) == (0, 1)
    assert solutions.solution_post_id(session, thread) == b.id
    assert len(session.exec(select(Solution)).all()) == 1

    solutions.unmark_solution(session, Guardian(asker), thread, clock=clock)
    session.refresh(second)
    assert second.solution_count == 0
    assert thread.solved_at is None
    assert solutions.solution_post_id(session, thread) is None
    assert _events(session) == [
        (
            "solution_accepted",
            {"post_id": a.id, "accepted_by_id": asker.id, "answer_author_id": first.id},
        ),
        ("solution_unmarked", {"post_id": a.id, "by_id": asker.id}),
        (
            "solution_accepted",
            {"post_id": b.id, "accepted_by_id": asker.id, "answer_author_id": second.id},
        ),
        ("solution_unmarked", {"post_id": b.id, "by_id": asker.id}),
    ]


def test_accepting_the_same_reply_again_changes_nothing(session, clock, scene):
    asker, first, _, thread, a, _ = scene
    solutions.accept_solution(session, Guardian(asker), thread, a, clock=clock)
    solutions.accept_solution(session, Guardian(asker), thread, a, clock=clock)
    session.refresh(first)
    assert first.solution_count == 1
    assert len(_events(session)) == 1


def test_a_moderator_may_choose_the_solution(session, clock, scene):
    *_, thread, a, _ = scene
    moderator = make_user(session, clock, role=Role.moderator)
    solutions.accept_solution(session, Guardian(moderator), thread, a, clock=clock)
    assert solutions.solution_post_id(session, thread) == a.id


def test_nobody_else_accepts_a_solution_on_someone_elses_thread(session, clock, scene):
    _, first, second, thread, a, _ = scene
    with pytest.raises(Forbidden):
        solutions.accept_solution(session, Guardian(second), thread, a, clock=clock)
    with pytest.raises(Forbidden):
        solutions.accept_solution(session, Guardian(first), thread, a, clock=clock)
    assert session.exec(select(Solution)).all() == []
    assert thread.solved_at is None


def test_the_question_or_a_post_elsewhere_cannot_be_the_solution(session, clock, scene):
    asker, *_, thread, _, _ = scene
    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    with pytest.raises(Invalid):
        solutions.accept_solution(session, Guardian(asker), thread, question, clock=clock)
    other = make_thread(session, clock, author=asker, category=make_category(session))
    elsewhere = make_reply(session, clock, author=make_user(session, clock), thread=other)
    with pytest.raises(Invalid):
        solutions.accept_solution(session, Guardian(asker), thread, elsewhere, clock=clock)
    assert session.exec(select(Solution)).all() == []


def test_unmarking_when_there_is_no_solution_is_not_found(session, clock, scene):
    asker, *_, thread, _, _ = scene
    with pytest.raises(NotFound):
        solutions.unmark_solution(session, Guardian(asker), thread, clock=clock)


def test_the_askers_own_reply_solves_the_thread_without_counting_as_help(session, clock, scene):
    asker, *_, thread, _, _ = scene
    own = make_reply(session, clock, author=asker, thread=thread, body="Fixed: new cable.")
    solutions.accept_solution(session, Guardian(asker), thread, own, clock=clock)
    session.refresh(asker)
    assert thread.is_solved
    assert asker.solution_count == 0
