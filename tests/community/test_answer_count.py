"""A member's answers, as their profile counts them, are the public replies its list draws from:
their replies to other members' threads that every reader can see. The count and the list agree
whatever moderation, review and deletion do to the reply or its thread."""

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from community import posting, profiles, visibility
from community.clock import FrozenClock
from community.models import HiddenReason, Post, Role, Thread, User
from community.policy import Guardian
from community.settings import get_settings
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.moderation.brand_helpers import client_for

LINK = "Here is how: https://example.org/guide"  # a newcomer's link waits for approval
PHONE = "Call me on 333 123 4567 and I will walk you through it."  # held for personal data


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
