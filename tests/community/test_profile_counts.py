"""A member's threads started, answers and accepted solutions, as their profile counts them, are
what its lists show to every reader: their questions among their recent posts, their public
replies to other members' threads, and those answers that are a thread's accepted solution. The
counts and the lists agree whatever moderation, review and deletion do to the question, the
reply, the solution or their thread."""

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from community import accounts, posting, profiles, solutions, visibility
from community.clock import FrozenClock
from community.models import HiddenReason, Post, Role, Thread, User
from community.policy import Guardian
from community.settings import get_settings
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.brand_helpers import client_for

LINK = "Here is how: https://example.org/guide"  # a newcomer's link waits for approval
PHONE = "Call me on 333 123 4567 and I will walk you through it."  # held for personal data
EVERYTHING = 10_000  # a list's limit that shows it in full


@pytest.fixture(autouse=True)
def many_posts_a_minute(monkeypatch):
    monkeypatch.setattr(get_settings(), "posts_limit_per_minute", 100_000)


@pytest.fixture(autouse=True)
def personal_data_is_held(monkeypatch):
    """A hold check as moderation's signals install one (community cannot import it)."""

    def phone(post: Post, thread: Thread) -> HiddenReason | None:
        return HiddenReason.personal_data if "333 123 4567" in post.body else None

    monkeypatch.setattr(posting, "hold_checks", [phone])


@pytest.fixture
def people(session: Session, clock: FrozenClock) -> dict[str, User]:
    return {
        "asker": make_user(session, clock, username="asker"),
        "helper": make_user(session, clock, username="helper"),
        "mod": make_user(session, clock, username="mod", role=Role.moderator),
    }


@pytest.fixture
def thread(session: Session, clock: FrozenClock, people: dict[str, User]) -> Thread:
    return make_thread(session, clock, author=people["asker"], category=make_category(session))


def standing(session: Session, member: User) -> tuple[int, int]:
    """The member's (threads started, accepted solutions), each checked against the list their
    profile draws it from, shown in full (and their answers, likewise)."""
    session.commit()
    session.expire_all()
    user = session.get(User, member.id)
    assert user is not None
    asked = [
        r for r in accounts.recent_posts(session, user, limit=EVERYTHING) if r.post.is_question
    ]
    assert user.thread_count == len(asked), "threads started: the count and the list disagree"
    solved = profiles.recent_solutions(session, user, limit=EVERYTHING)
    assert user.solution_count == len(solved), "solutions: the count and the list disagree"
    answered = profiles.recent_answers(session, user, limit=EVERYTHING)
    assert user.answer_count == len(answered), "answers: the count and the list disagree"
    return user.thread_count, user.solution_count


def answers(session: Session, member: User) -> int:
    """The member's answer count, checked against the list the profile draws from."""
    session.commit()
    session.expire_all()
    user = session.get(User, member.id)
    assert user is not None
    listed = session.exec(profiles._public_posts_of(user)).all()
    assert user.answer_count == len(listed), "the profile's count and its list disagree"
    return user.answer_count


def _now(clock: FrozenClock):
    clock.advance(minutes=1)
    return clock.now()


def _question(session: Session, thread: Thread) -> Post:
    return session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()


def _solved(session: Session, clock: FrozenClock, thread: Thread, helper: User) -> Post:
    """A reply of ``helper``'s, accepted by the thread's author."""
    reply = make_reply(session, clock, author=helper, thread=thread)
    asker = session.get(User, thread.author_id)
    solutions.accept_solution(session, Guardian(asker), thread, reply, clock=clock)
    return reply


@pytest.mark.parametrize("reason", list(HiddenReason))
def test_a_hidden_thread_and_its_solution_stop_counting_until_it_is_shown(
    session, clock, people, thread, reason
):
    asker, helper, mod = people["asker"], people["helper"], people["mod"]
    _solved(session, clock, thread, helper)
    assert (standing(session, asker), standing(session, helper)) == ((1, 0), (0, 1))

    visibility.hide_thread(session, thread, reason=reason, by_id=None, now=_now(clock))
    assert (standing(session, asker), standing(session, helper)) == ((0, 0), (0, 0))
    # Hidden again for another reason: still one thread out of sight, not two.
    other = next(r for r in HiddenReason if r != reason)
    visibility.hide_thread(session, thread, reason=other, by_id=None, now=_now(clock))
    assert (standing(session, asker), standing(session, helper)) == ((0, 0), (0, 0))

    visibility.unhide_thread(session, thread, by_id=mod.id, now=_now(clock))
    assert (standing(session, asker), standing(session, helper)) == ((1, 0), (0, 1))
    visibility.unhide_thread(session, thread, by_id=mod.id, now=_now(clock))
    assert (standing(session, asker), standing(session, helper)) == ((1, 0), (0, 1))


def test_a_thread_whose_question_is_hidden_stops_counting_until_it_is_shown(
    session, clock, people, thread
):
    question = _question(session, thread)
    visibility.hide_post(
        session, question, reason=HiddenReason.moderator, by_id=None, now=_now(clock)
    )
    assert standing(session, people["asker"]) == (0, 0)
    visibility.unhide_post(session, question, by_id=people["mod"].id, now=_now(clock))
    assert standing(session, people["asker"]) == (1, 0)


def test_a_newcomers_thread_waiting_for_approval_counts_once_approved(session, clock, people):
    newcomer = make_user(session, clock, username="newbie")
    held = make_thread(
        session, clock, author=newcomer, category=make_category(session), body=f"Help? {LINK}"
    )
    assert held.hidden_reason == HiddenReason.awaiting_approval
    assert standing(session, newcomer) == (0, 0)

    visibility.unhide_thread(session, held, by_id=people["mod"].id, now=_now(clock))
    assert standing(session, newcomer) == (1, 0)


def test_a_thread_held_for_personal_data_counts_once_its_question_is_shown(session, clock, people):
    held = make_thread(
        session, clock, author=people["asker"], category=make_category(session), body=PHONE
    )
    question = _question(session, held)
    assert (held.hidden_reason, question.hidden_reason) == (HiddenReason.personal_data,) * 2
    assert standing(session, people["asker"]) == (0, 0)

    mod_id = people["mod"].id
    visibility.unhide_thread(session, held, by_id=mod_id, now=_now(clock))
    assert standing(session, people["asker"]) == (0, 0)  # its question is still held
    visibility.unhide_post(session, question, by_id=mod_id, now=_now(clock))
    assert standing(session, people["asker"]) == (1, 0)


def test_an_edit_held_for_review_takes_the_thread_out_of_the_count(session, clock, people, thread):
    question = _question(session, thread)
    posting.edit_post(session, Guardian(people["asker"]), question, body=PHONE, clock=clock)
    assert standing(session, people["asker"]) == (0, 0)


@pytest.mark.parametrize("reason", list(HiddenReason))
def test_a_hidden_solution_stops_counting_until_it_is_shown(session, clock, people, thread, reason):
    helper = people["helper"]
    answer = _solved(session, clock, thread, helper)
    visibility.hide_post(session, answer, reason=reason, by_id=None, now=_now(clock))
    assert standing(session, helper) == (0, 0)
    other = next(r for r in HiddenReason if r != reason)
    visibility.hide_post(session, answer, reason=other, by_id=None, now=_now(clock))
    assert standing(session, helper) == (0, 0)

    visibility.unhide_post(session, answer, by_id=people["mod"].id, now=_now(clock))
    assert standing(session, helper) == (0, 1)


def test_a_hidden_reply_accepted_or_unmarked_counts_only_once_shown(session, clock, people, thread):
    helper, mod = people["helper"], people["mod"]
    reply = make_reply(session, clock, author=helper, thread=thread)
    visibility.hide_post(session, reply, reason=HiddenReason.moderator, by_id=None, now=_now(clock))
    solutions.accept_solution(session, Guardian(mod), thread, reply, clock=clock)
    assert standing(session, helper) == (0, 0)
    solutions.unmark_solution(session, Guardian(mod), thread, clock=clock)
    assert standing(session, helper) == (0, 0)

    solutions.accept_solution(session, Guardian(mod), thread, reply, clock=clock)
    visibility.unhide_post(session, reply, by_id=mod.id, now=_now(clock))
    assert standing(session, helper) == (0, 1)


def test_deleting_a_hidden_solution_leaves_the_count_alone(session, clock, people, thread):
    helper = people["helper"]
    answer = _solved(session, clock, thread, helper)
    visibility.hide_post(
        session, answer, reason=HiddenReason.moderator, by_id=None, now=_now(clock)
    )
    assert standing(session, helper) == (0, 0)
    posting.delete_post(session, Guardian(helper), answer, clock=clock)
    assert standing(session, helper) == (0, 0)


def test_deleting_a_thread_takes_it_and_its_solution_out_once(session, clock, people, thread):
    asker, helper, mod = people["asker"], people["helper"], people["mod"]
    _solved(session, clock, thread, helper)
    hidden = make_thread(session, clock, author=asker, category=make_category(session))
    _solved(session, clock, hidden, helper)
    visibility.hide_thread(
        session, hidden, reason=HiddenReason.moderator, by_id=mod.id, now=_now(clock)
    )
    assert (standing(session, asker), standing(session, helper)) == ((1, 0), (0, 1))

    posting.delete_post(session, Guardian(asker), _question(session, thread), clock=clock)
    assert (standing(session, asker), standing(session, helper)) == ((0, 0), (0, 0))
    posting.delete_post(session, Guardian(mod), _question(session, hidden), clock=clock)
    assert (standing(session, asker), standing(session, helper)) == ((0, 0), (0, 0))
    visibility.unhide_thread(session, hidden, by_id=mod.id, now=_now(clock))  # still deleted
    assert (standing(session, asker), standing(session, helper)) == ((0, 0), (0, 0))


def test_the_profile_and_the_api_say_the_counts_their_lists_show(
    session, clock, people, thread, app: FastAPI
):
    _solved(session, clock, thread, people["helper"])
    visibility.hide_thread(
        session, thread, reason=HiddenReason.moderator, by_id=None, now=_now(clock)
    )
    session.commit()
    reader = client_for(app)

    assert "<dt>0</dt><dd>threads started</dd>" in reader.get("/u/asker").text
    assert "<dt>0</dt><dd>accepted solutions</dd>" in reader.get("/u/helper").text
    assert reader.get("/api/v1/users/asker").json()["threads"] == 0
    assert reader.get("/api/v1/users/helper").json()["solutions"] == 0

    visibility.unhide_thread(session, thread, by_id=people["mod"].id, now=_now(clock))
    session.commit()
    assert "<dt>1</dt><dd>thread started</dd>" in reader.get("/u/asker").text
    assert "<dt>1</dt><dd>accepted solution</dd>" in reader.get("/u/helper").text
    assert reader.get("/api/v1/users/asker").json()["threads"] == 1
    assert reader.get("/api/v1/users/helper").json()["solutions"] == 1


# Answers ----------------------------------------------------------------------------------


def test_a_reply_counts_only_in_someone_elses_thread(session, clock, people, thread):
    make_reply(session, clock, author=people["helper"], thread=thread)
    make_reply(session, clock, author=people["asker"], thread=thread)  # a follow-up, no answer
    assert answers(session, people["helper"]) == 1
    assert answers(session, people["asker"]) == 0


@pytest.mark.parametrize("reason", list(HiddenReason))
def test_a_hidden_reply_stops_counting_until_it_is_shown(session, clock, people, thread, reason):
    reply = make_reply(session, clock, author=people["helper"], thread=thread)
    visibility.hide_post(session, reply, reason=reason, by_id=None, now=_now(clock))
    assert answers(session, people["helper"]) == 0
    # Hidden again for another reason: still one reply out of sight, not two.
    other = next(r for r in HiddenReason if r != reason)
    visibility.hide_post(session, reply, reason=other, by_id=None, now=_now(clock))
    assert answers(session, people["helper"]) == 0

    visibility.unhide_post(session, reply, by_id=people["mod"].id, now=_now(clock))
    assert answers(session, people["helper"]) == 1
    visibility.unhide_post(session, reply, by_id=people["mod"].id, now=_now(clock))
    assert answers(session, people["helper"]) == 1


@pytest.mark.parametrize("body", [LINK, PHONE])
def test_a_held_reply_counts_once_it_is_published(session, clock, people, thread, body):
    newcomer = make_user(session, clock, username="newbie")
    held = make_reply(session, clock, author=newcomer, thread=thread, body=body)
    assert held.hidden_reason in visibility.HELD_REASONS
    assert answers(session, newcomer) == 0

    visibility.unhide_post(session, held, by_id=people["mod"].id, now=_now(clock))
    assert answers(session, newcomer) == 1


def test_an_edit_held_for_review_takes_the_reply_out_of_the_count(session, clock, people, thread):
    reply = make_reply(session, clock, author=people["helper"], thread=thread)
    posting.edit_post(session, Guardian(people["helper"]), reply, body=PHONE, clock=clock)
    assert session.get(Post, reply.id).hidden_reason == HiddenReason.personal_data
    assert answers(session, people["helper"]) == 0


def test_a_hidden_thread_takes_its_replies_out_of_the_count(session, clock, people, thread):
    make_reply(session, clock, author=people["helper"], thread=thread)
    hidden = make_reply(session, clock, author=people["helper"], thread=thread)
    other = make_user(session, clock, username="other")
    make_reply(session, clock, author=other, thread=thread)
    make_reply(session, clock, author=people["asker"], thread=thread)
    visibility.hide_post(
        session, hidden, reason=HiddenReason.moderator, by_id=None, now=_now(clock)
    )
    assert (answers(session, people["helper"]), answers(session, other)) == (1, 1)

    mod_id = people["mod"].id
    visibility.hide_thread(
        session, thread, reason=HiddenReason.moderator, by_id=mod_id, now=_now(clock)
    )
    assert (answers(session, people["helper"]), answers(session, other)) == (0, 0)
    # Hidden again for another reason, a reply written or shown meanwhile: none counts yet.
    visibility.hide_thread(
        session, thread, reason=HiddenReason.personal_data, by_id=None, now=_now(clock)
    )
    late = make_reply(session, clock, author=people["mod"], thread=thread)
    visibility.unhide_post(session, hidden, by_id=mod_id, now=_now(clock))
    assert answers(session, people["helper"]) == 0
    assert answers(session, people["mod"]) == 0

    visibility.unhide_thread(session, thread, by_id=mod_id, now=_now(clock))
    assert (answers(session, people["helper"]), answers(session, other)) == (2, 1)
    assert answers(session, people["mod"]) == 1
    assert answers(session, people["asker"]) == 0
    assert late.id is not None


def test_a_thread_held_with_its_question_counts_its_replies_once_approved(session, clock, people):
    newcomer = make_user(session, clock, username="newbie")
    held = make_thread(
        session, clock, author=newcomer, category=make_category(session), body=f"Help? {LINK}"
    )
    assert held.hidden_reason == HiddenReason.awaiting_approval
    make_reply(session, clock, author=people["mod"], thread=held)
    assert answers(session, people["mod"]) == 0

    visibility.unhide_thread(session, held, by_id=people["mod"].id, now=_now(clock))
    assert answers(session, people["mod"]) == 1


def test_deleting_a_reply_or_its_thread_takes_it_out_once(session, clock, people, thread):
    first = make_reply(session, clock, author=people["helper"], thread=thread)
    make_reply(session, clock, author=people["helper"], thread=thread)
    hidden = make_reply(session, clock, author=people["helper"], thread=thread)
    visibility.hide_post(
        session, hidden, reason=HiddenReason.moderator, by_id=None, now=_now(clock)
    )
    assert answers(session, people["helper"]) == 2

    posting.delete_post(session, Guardian(people["helper"]), first, clock=clock)
    assert answers(session, people["helper"]) == 1
    posting.delete_post(session, Guardian(people["helper"]), hidden, clock=clock)
    assert answers(session, people["helper"]) == 1  # it no longer counted

    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    posting.delete_post(session, Guardian(people["asker"]), question, clock=clock)
    assert answers(session, people["helper"]) == 0


def test_deleting_a_hidden_thread_leaves_the_count_alone(session, clock, people, thread):
    make_reply(session, clock, author=people["helper"], thread=thread)
    mod_id = people["mod"].id
    visibility.hide_thread(
        session, thread, reason=HiddenReason.moderator, by_id=mod_id, now=_now(clock)
    )
    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    posting.delete_post(session, Guardian(people["mod"]), question, clock=clock)
    assert answers(session, people["helper"]) == 0
    visibility.unhide_thread(session, thread, by_id=mod_id, now=_now(clock))  # still deleted
    assert answers(session, people["helper"]) == 0


def test_the_profile_and_the_api_say_the_count_its_list_shows(
    session, clock, people, thread, app: FastAPI
):
    reply = make_reply(session, clock, author=people["helper"], thread=thread, body="Reboot it.")
    visibility.hide_post(session, reply, reason=HiddenReason.moderator, by_id=None, now=_now(clock))
    session.commit()
    reader = client_for(app)

    page = reader.get("/u/helper").text
    assert "<dt>0</dt><dd>answers</dd>" in page and "Reboot it." not in page
    assert reader.get("/api/v1/users/helper").json()["answers"] == 0

    visibility.unhide_post(session, reply, by_id=people["mod"].id, now=_now(clock))
    session.commit()
    page = reader.get("/u/helper").text
    assert "<dt>1</dt><dd>answer</dd>" in page
    assert reader.get("/api/v1/users/helper").json()["answers"] == 1
