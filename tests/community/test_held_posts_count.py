"""A post held for review does not exist yet for other readers: the category's counters leave it
out, it adds no page to its thread, and it earns its author no badge until it is published."""

import pytest
from sqlmodel import Session, select

from community import badges, events, posting, visibility
from community.clock import FrozenClock
from community.errors import NotFound
from community.models import Category, HiddenReason, Post, Role, Thread, User
from community.policy import Guardian
from community.settings import get_settings
from tests.factories import make_category, make_reply, make_thread, make_user

LINK = "Here is how: https://example.org/guide"  # a newcomer's link waits for approval


@pytest.fixture(autouse=True)
def many_posts_a_minute(monkeypatch):
    monkeypatch.setattr(get_settings(), "posts_limit_per_minute", 100_000)


def _counters(session: Session, category: Category) -> tuple[int, int]:
    session.refresh(category)
    return category.thread_count, category.post_count


def _question(session: Session, thread: Thread) -> Post:
    return session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()


def _approve(session: Session, clock: FrozenClock, row, moderator: User) -> None:
    assert moderator.id is not None
    if isinstance(row, Thread):
        visibility.unhide_thread(session, row, by_id=moderator.id, now=clock.now())
    else:
        visibility.unhide_post(session, row, by_id=moderator.id, now=clock.now())
    session.commit()


def test_the_category_counts_a_held_reply_once_it_is_published(session, clock):
    moderator = make_user(session, clock, role=Role.moderator)
    category = make_category(session)
    thread = make_thread(session, clock, author=make_user(session, clock), category=category)
    newcomer = make_user(session, clock, username="newbie")
    held = make_reply(session, clock, author=newcomer, thread=thread, body=LINK)
    assert held.hidden_reason == HiddenReason.awaiting_approval
    assert _counters(session, category) == (1, 1)

    _approve(session, clock, held, moderator)
    assert _counters(session, category) == (1, 2)
    _approve(session, clock, held, moderator)  # nothing to approve twice
    assert _counters(session, category) == (1, 2)


def test_deleting_a_held_reply_takes_nothing_off_the_category(session, clock):
    category = make_category(session)
    thread = make_thread(session, clock, author=make_user(session, clock), category=category)
    newcomer = make_user(session, clock, username="newbie")
    held = make_reply(session, clock, author=newcomer, thread=thread, body=LINK)
    make_reply(session, clock, author=make_user(session, clock), thread=thread)
    assert _counters(session, category) == (1, 2)

    posting.delete_post(session, Guardian(newcomer), held, clock=clock)
    assert _counters(session, category) == (1, 2)


def test_a_held_thread_counts_once_published_and_its_deletion_only_then(session, clock):
    moderator = make_user(session, clock, role=Role.moderator)
    category = make_category(session)
    newcomer = make_user(session, clock, username="newbie")
    waiting = make_thread(session, clock, author=newcomer, category=category, body=LINK)
    deleted = make_thread(session, clock, author=newcomer, category=category, body=LINK)
    assert waiting.hidden_reason == HiddenReason.awaiting_approval
    assert _counters(session, category) == (0, 0)

    posting.delete_post(session, Guardian(newcomer), _question(session, deleted), clock=clock)
    assert _counters(session, category) == (0, 0)
    _approve(session, clock, waiting, moderator)
    assert _counters(session, category) == (1, 1)
    posting.delete_post(session, Guardian(newcomer), _question(session, waiting), clock=clock)
    assert _counters(session, category) == (0, 0)


def test_a_held_reply_at_the_end_of_a_thread_adds_no_page_for_other_readers(
    session, clock, monkeypatch
):
    monkeypatch.setattr(get_settings(), "posts_per_page", 2)
    moderator = make_user(session, clock, role=Role.moderator)
    reader = make_user(session, clock)
    thread = make_thread(session, clock, author=reader, category=make_category(session))
    for _ in range(2):
        make_reply(session, clock, author=make_user(session, clock), thread=thread)
    newcomer = make_user(session, clock, username="newbie")
    held = make_reply(session, clock, author=newcomer, thread=thread, body=LINK)
    assert held.post_number == 4  # the first reply of page 2

    for guardian in (Guardian(reader), Guardian(None)):
        last = posting.load_thread_page(session, guardian, thread, page=None)
        assert (last.page, last.pages, last.reply_count) == (1, 1, 2)
        with pytest.raises(NotFound):
            posting.load_thread_page(session, guardian, thread, page=2)
    for guardian in (Guardian(newcomer), Guardian(moderator)):
        last = posting.load_thread_page(session, guardian, thread, page=None)
        assert (last.page, last.pages) == (2, 2)
        assert [view.post.id for view in last.replies] == [held.id]

    _approve(session, clock, held, moderator)
    assert posting.load_thread_page(session, Guardian(reader), thread, page=None).page == 2


def test_the_thread_page_links_no_page_made_only_of_held_replies(
    session, clock, client, monkeypatch
):
    monkeypatch.setattr(get_settings(), "posts_per_page", 2)
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    for _ in range(2):
        make_reply(session, clock, author=make_user(session, clock), thread=thread)
    make_reply(
        session,
        clock,
        author=make_user(session, clock, username="newbie"),
        thread=thread,
        body=LINK,
    )

    page = client.get(f"/t/{thread.id}")
    assert page.status_code == 200
    assert f'href="/t/{thread.id}?page=2"' not in page.text
    assert client.get(f"/t/{thread.id}?page=2").status_code == 404


def _awards(session: Session, clock: FrozenClock, user: User) -> list[str]:
    session.expire_all()
    events.drain(session, now=clock.now(), consumers=[badges.CONSUMER])
    return [award.badge for award in badges.badges_of(session, user.id or 0)]


def test_a_held_answer_earns_its_badge_when_it_is_published(session, clock):
    moderator = make_user(session, clock, role=Role.moderator)
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    newcomer = make_user(session, clock, username="newbie")
    held = make_reply(session, clock, author=newcomer, thread=thread, body=LINK)
    assert _awards(session, clock, newcomer) == []

    clock.advance(hours=2)
    _approve(session, clock, held, moderator)
    assert _awards(session, clock, newcomer) == ["first_answer"]
    (award,) = badges.badges_of(session, newcomer.id or 0)
    assert award.awarded_at == clock.now()  # when it was published


def test_award_all_skips_answers_still_held(session, clock):
    thread = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    newcomer = make_user(session, clock, username="newbie")
    make_reply(session, clock, author=newcomer, thread=thread, body=LINK)
    helper = make_user(session, clock)
    make_reply(session, clock, author=helper, thread=thread)

    assert badges.award_all(session) == 1
    assert [a.badge for a in badges.badges_of(session, helper.id or 0)] == ["first_answer"]
    assert badges.badges_of(session, newcomer.id or 0) == []
