"""Notifications come from the outbox worker: nobody is pinged in the request itself."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlmodel import Session, col, select

from community import events, kudos, notifications, posting, solutions, watching
from community.clock import FrozenClock
from community.cursors import encode_time_cursor
from community.errors import Invalid, NotAuthenticated, NotFound
from community.models import Kudos, Notification, Post, Solution, Thread, User
from community.policy import Guardian
from tests.conftest import drain
from tests.factories import make_category, make_reply, make_thread, make_user


def _inbox(session: Session, user: User) -> list[tuple[str, int | None]]:
    """(kind, actor_id) of the user's notifications about the forum's activity, oldest first
    (the badges a first answer earns are test_badges.py's)."""
    session.expire_all()
    rows = session.exec(
        select(Notification)
        .where(Notification.user_id == user.id, Notification.kind != "badge")
        .order_by(col(Notification.id))
    )
    return [(n.kind, n.actor_id) for n in rows]


def _all_notifications(session: Session) -> list[Notification]:
    session.expire_all()
    return list(session.exec(select(Notification)))


@pytest.fixture
def forum(session: Session, clock: FrozenClock) -> dict[str, User | Thread]:
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    return {"asker": asker, "helper": helper, "thread": thread}


def test_a_reply_notifies_the_asker_only_once_the_worker_ran(session, clock, forum):
    asker, helper, thread = forum["asker"], forum["helper"], forum["thread"]

    post = make_reply(session, clock, author=helper, thread=thread)

    assert _all_notifications(session) == []
    drain(session, clock)
    assert _inbox(session, asker) == [("reply", helper.id)]
    assert _inbox(session, helper) == []  # nobody hears about their own reply
    notification = _all_notifications(session)[0]
    assert (notification.thread_id, notification.post_id) == (thread.id, post.id)
    assert notification.created_at == post.created_at
    assert notification.read_at is None


def test_repliers_watch_the_thread_and_hear_about_later_replies(session, clock, forum):
    asker, helper, thread = forum["asker"], forum["helper"], forum["thread"]
    other = make_user(session, clock)
    make_reply(session, clock, author=helper, thread=thread)
    clock.advance(minutes=3)
    make_reply(session, clock, author=other, thread=thread)

    drain(session, clock)  # late: ``other`` already watches, but only since their own reply

    assert _inbox(session, asker) == [("reply", helper.id), ("reply", other.id)]
    assert _inbox(session, helper) == [("reply", other.id)]
    assert _inbox(session, other) == []


def test_the_asker_replying_to_their_own_thread_notifies_the_watchers_but_not_themselves(
    session, clock, forum
):
    asker, helper, thread = forum["asker"], forum["helper"], forum["thread"]
    make_reply(session, clock, author=helper, thread=thread)
    drain(session, clock)

    make_reply(session, clock, author=asker, thread=thread, body="That did not help.")
    drain(session, clock)

    assert _inbox(session, asker) == [("reply", helper.id)]
    assert _inbox(session, helper) == [("reply", asker.id)]


def test_an_explicit_unwatch_stops_reply_notifications_even_after_replying_again(
    session, clock, forum
):
    asker, helper, thread = forum["asker"], forum["helper"], forum["thread"]
    watching.unwatch(session, Guardian(asker), thread, clock=clock)

    make_reply(session, clock, author=helper, thread=thread)
    make_reply(session, clock, author=asker, thread=thread, body="Replying does not re-watch.")
    make_reply(session, clock, author=helper, thread=thread, body="Try another cable.")
    drain(session, clock)

    assert _inbox(session, asker) == []
    assert not watching.is_watching(session, asker, thread)


def test_mentions_notify_existing_users_but_never_the_author(session, clock, forum):
    helper, thread = forum["helper"], forum["thread"]
    expert = make_user(session, clock, username="expert")

    make_reply(
        session,
        clock,
        author=helper,
        thread=thread,
        body="@Expert can you look? cc @nobody_here and me @helper",
    )
    drain(session, clock)

    assert _inbox(session, expert) == [("mention", helper.id)]
    assert _inbox(session, helper) == []


def test_a_watcher_who_is_also_mentioned_gets_a_single_mention(session, clock, forum):
    asker, helper, thread = forum["asker"], forum["helper"], forum["thread"]

    make_reply(session, clock, author=helper, thread=thread, body="@asker which modem is it?")
    drain(session, clock)

    assert _inbox(session, asker) == [("mention", helper.id)]


def test_mentions_in_a_new_thread_notify_the_mentioned(session, clock):
    asker = make_user(session, clock, username="newasker")
    expert = make_user(session, clock, username="guru")

    make_thread(
        session,
        clock,
        author=asker,
        category=make_category(session),
        body="Hello @guru, you fixed this for me last year.",
    )
    assert _all_notifications(session) == []
    drain(session, clock)

    assert _inbox(session, expert) == [("mention", asker.id)]
    assert _inbox(session, asker) == []


def test_inactive_users_are_not_mentioned(session, clock, forum):
    helper, thread = forum["helper"], forum["thread"]
    gone = make_user(session, clock, username="gone")
    gone.is_active = False
    session.add(gone)
    session.commit()

    make_reply(session, clock, author=helper, thread=thread, body="ask @gone")
    drain(session, clock)

    assert _inbox(session, gone) == []


def test_an_accepted_answer_notifies_its_author(session, clock, forum):
    asker, helper, thread = forum["asker"], forum["helper"], forum["thread"]
    answer = make_reply(session, clock, author=helper, thread=thread)
    drain(session, clock)
    _accept(session, clock, thread, answer, by=asker)

    assert _inbox(session, helper) == []
    drain(session, clock)

    assert _inbox(session, helper) == [("solution", asker.id)]


def test_accepting_ones_own_answer_notifies_nobody(session, clock, forum):
    asker, thread = forum["asker"], forum["thread"]
    own = make_reply(session, clock, author=asker, thread=thread, body="Fixed: new filter.")
    _accept(session, clock, thread, own, by=asker)

    drain(session, clock)

    assert _all_notifications(session) == []


def test_a_solution_unmarked_before_the_worker_ran_notifies_nobody(session, clock, forum):
    asker, helper, thread = forum["asker"], forum["helper"], forum["thread"]
    answer = make_reply(session, clock, author=helper, thread=thread)
    drain(session, clock)
    _accept(session, clock, thread, answer, by=asker)
    session.delete(session.get(Solution, thread.id))
    events.record(
        session,
        "solution_unmarked",
        at=clock.now(),
        thread_id=thread.id,
        post_id=answer.id,
        by_id=asker.id,
    )
    session.commit()

    drain(session, clock)

    assert _inbox(session, helper) == []


def test_kudos_notify_the_post_author_once_per_giver(session, clock, forum):
    asker, helper, thread = forum["asker"], forum["helper"], forum["thread"]
    answer = make_reply(session, clock, author=helper, thread=thread)
    drain(session, clock)

    _give_kudos(session, clock, answer, by=asker)
    assert _inbox(session, helper) == []
    drain(session, clock)
    assert _inbox(session, helper) == [("kudos", asker.id)]

    _withdraw_kudos(session, clock, answer, by=asker)
    _give_kudos(session, clock, answer, by=asker)
    drain(session, clock)
    assert _inbox(session, helper) == [("kudos", asker.id)]


def test_kudos_withdrawn_before_the_worker_ran_notify_nobody(session, clock, forum):
    asker, helper, thread = forum["asker"], forum["helper"], forum["thread"]
    answer = make_reply(session, clock, author=helper, thread=thread)
    drain(session, clock)

    _give_kudos(session, clock, answer, by=asker)
    _withdraw_kudos(session, clock, answer, by=asker)
    drain(session, clock)

    assert _inbox(session, helper) == []


def test_kudos_on_ones_own_post_notify_nobody(session, clock, forum):
    """The service refuses self-kudos; the handler still never pings a giver about themselves."""
    helper, thread = forum["helper"], forum["thread"]
    answer = make_reply(session, clock, author=helper, thread=thread)
    drain(session, clock)
    assert answer.id is not None and helper.id is not None
    session.add(Kudos(post_id=answer.id, user_id=helper.id, created_at=clock.now()))
    events.record(
        session,
        "kudos_given",
        at=clock.now(),
        thread_id=thread.id,
        post_id=answer.id,
        giver_id=helper.id,
        author_id=helper.id,
    )
    session.commit()

    drain(session, clock)

    assert _inbox(session, helper) == []


def test_a_post_deleted_before_the_worker_ran_notifies_nobody(session, clock, forum):
    helper, thread = forum["helper"], forum["thread"]
    post = make_reply(session, clock, author=helper, thread=thread, body="spam @asker")
    _delete_post(session, clock, post, by=helper)

    drain(session, clock)

    assert _all_notifications(session) == []


def test_deleting_a_post_later_marks_its_notifications_read(session, clock, forum):
    asker, helper, thread = forum["asker"], forum["helper"], forum["thread"]
    post = make_reply(session, clock, author=helper, thread=thread)
    drain(session, clock)
    assert notifications.unread_count(session, Guardian(asker)) == 1

    _delete_post(session, clock, post, by=helper)
    drain(session, clock)

    assert notifications.unread_count(session, Guardian(asker)) == 0


def test_replies_in_a_deleted_thread_notify_nobody(session, clock, forum):
    helper, thread = forum["helper"], forum["thread"]
    make_reply(session, clock, author=helper, thread=thread)
    thread.deleted_at = clock.now()
    session.add(thread)
    session.commit()

    drain(session, clock)

    assert _all_notifications(session) == []


def test_a_redelivered_event_notifies_nobody_twice(session, clock, forum):
    asker, helper, thread = forum["asker"], forum["helper"], forum["thread"]
    expert = make_user(session, clock, username="expert")
    make_reply(session, clock, author=helper, thread=thread, body="@expert any idea?")
    event = session.exec(
        select(events.OutboxEvent).order_by(col(events.OutboxEvent.id).desc())
    ).first()
    consumer = notifications.consumer()

    for _ in range(2):
        with session.begin_nested():
            consumer.handlers[event.name](session, event)
        session.commit()
    drain(session, clock)  # and the worker delivers it a third time

    assert _inbox(session, asker) == [("reply", helper.id)]
    assert _inbox(session, expert) == [("mention", helper.id)]


# Reading and marking read ----------------------------------------------------------------------


def _notify_asker(session: Session, clock: FrozenClock, forum, times: int) -> None:
    for i in range(times):
        clock.advance(minutes=1)
        make_reply(session, clock, author=forum["helper"], thread=forum["thread"], body=f"#{i}")
    drain(session, clock)


def test_the_list_is_newest_first_and_paginated_without_gaps(session, clock, forum):
    _notify_asker(session, clock, forum, 5)
    guardian = Guardian(forum["asker"])

    first = notifications.list_notifications(session, guardian, limit=2)
    second = notifications.list_notifications(session, guardian, limit=2, cursor=first.next_cursor)
    third = notifications.list_notifications(session, guardian, limit=2, cursor=second.next_cursor)

    assert _bodies(first, second, third) == ["#4", "#3", "#2", "#1", "#0"]
    assert third.next_cursor is None
    newest = first.items[0]
    assert newest.actor is not None and newest.thread is not None and newest.post is not None
    assert newest.actor.id == forum["helper"].id
    assert newest.thread.id == forum["thread"].id
    assert newest.target_url == f"/t/{forum['thread'].id}#post-{newest.post.id}"


def test_same_time_notifications_are_paginated_by_id(session, clock, forum):
    for i in range(3):
        make_reply(session, clock, author=forum["helper"], thread=forum["thread"], body=f"#{i}")
    drain(session, clock)
    guardian = Guardian(forum["asker"])

    first = notifications.list_notifications(session, guardian, limit=2)
    second = notifications.list_notifications(session, guardian, limit=2, cursor=first.next_cursor)

    assert _bodies(first, second) == ["#2", "#1", "#0"]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        # Well formed but out of range: the id for the database, the time once moved to UTC.
        encode_time_cursor(datetime(2024, 1, 1, tzinfo=UTC), 2**80),
        encode_time_cursor(datetime(2024, 1, 1, tzinfo=UTC), -1),
        encode_time_cursor(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), 1),
    ],
    ids=["garbage", "huge-id", "negative-id", "before-year-1"],
)
def test_a_broken_cursor_is_a_clear_error(session, clock, forum, cursor):
    with pytest.raises(Invalid, match="This page link is not valid any more"):
        notifications.list_notifications(session, Guardian(forum["asker"]), cursor=cursor)


def test_marking_read_and_unread_count(session, clock, forum):
    _notify_asker(session, clock, forum, 3)
    asker = Guardian(forum["asker"])
    page = notifications.list_notifications(session, asker)
    assert notifications.unread_count(session, asker) == 3

    clock.advance(minutes=1)
    notifications.mark_read(session, asker, page.items[0].notification, clock=clock)

    assert page.items[0].notification.read_at == clock.now()
    assert notifications.unread_count(session, asker) == 2
    unread = notifications.list_notifications(session, asker, unread_only=True)
    assert len(unread.items) == 2

    assert notifications.mark_all_read(session, asker, clock=clock) == 2
    assert notifications.unread_count(session, asker) == 0
    assert notifications.list_notifications(session, asker, unread_only=True).items == []


def test_nobody_else_can_see_or_mark_my_notifications(session, clock, forum):
    _notify_asker(session, clock, forum, 1)
    mine = notifications.list_notifications(session, Guardian(forum["asker"])).items[0]
    stranger = Guardian(forum["helper"])

    with pytest.raises(NotFound):
        notifications.get_notification(session, stranger, mine.notification.id or 0)
    with pytest.raises(NotFound):
        notifications.mark_read(session, stranger, mine.notification, clock=clock)
    theirs = notifications.list_notifications(session, stranger).items
    assert mine.notification.id not in {item.notification.id for item in theirs}
    notifications.mark_all_read(session, stranger, clock=clock)
    assert notifications.unread_count(session, Guardian(forum["asker"])) == 1


def test_signed_out_visitors_have_no_notifications(session, clock):
    with pytest.raises(NotAuthenticated):
        notifications.list_notifications(session, Guardian(None))
    with pytest.raises(NotAuthenticated):
        notifications.mark_all_read(session, Guardian(None), clock=clock)


# The forum helpers' kudos and solution services record these events; here the rows and events
# are written directly so these tests do not depend on those services. (Rows are typed Any: their
# ids are set once committed.)


def _bodies(*pages: notifications.NotificationPage) -> list[str]:
    return [item.post.body if item.post else "" for page in pages for item in page.items]


# Through the real services, so the handlers see exactly the rows and events the forum writes.


def _accept(session: Session, clock: FrozenClock, thread: Any, post: Any, *, by: Any) -> None:
    solutions.accept_solution(session, Guardian(by), thread, post, clock=clock)


def _give_kudos(session: Session, clock: FrozenClock, post: Any, *, by: Any) -> None:
    kudos.give_kudos(session, Guardian(by), post, clock=clock)


def _withdraw_kudos(session: Session, clock: FrozenClock, post: Any, *, by: Any) -> None:
    kudos.withdraw_kudos(session, Guardian(by), post, clock=clock)


def _delete_post(session: Session, clock: FrozenClock, post: Any, *, by: Any) -> None:
    posting.delete_post(session, Guardian(by), post, clock=clock)


# The same, through the forum's real services --------------------------------------------------


def test_the_forum_services_events_produce_notifications(session, clock, forum):
    asker, helper, thread = forum["asker"], forum["helper"], forum["thread"]
    answer = make_reply(session, clock, author=helper, thread=thread)
    kudos.give_kudos(session, Guardian(asker), answer, clock=clock)
    solutions.accept_solution(session, Guardian(asker), thread, answer, clock=clock)

    assert _inbox(session, helper) == []
    drain(session, clock)

    assert _inbox(session, helper) == [("kudos", asker.id), ("solution", asker.id)]
    # Accepting is the asker's answer to "Did this solve your problem?": nobody asks them.
    assert _inbox(session, asker) == [("reply", helper.id)]


def test_deleting_the_question_marks_the_whole_threads_notifications_read(session, clock, forum):
    asker, helper, thread = forum["asker"], forum["helper"], forum["thread"]
    make_reply(session, clock, author=helper, thread=thread)
    make_reply(session, clock, author=asker, thread=thread, body="Any other idea?")
    drain(session, clock)
    # The reply to the asker's follow-up, and the news of the "First answer" badge.
    assert notifications.unread_count(session, Guardian(helper)) == 2

    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    posting.delete_post(session, Guardian(asker), question, clock=clock)
    drain(session, clock)

    assert notifications.unread_count(session, Guardian(helper)) == 1  # the badge stays earned
    assert notifications.unread_count(session, Guardian(asker)) == 0


def test_a_post_naming_crowds_notifies_only_the_first_few(session, clock, forum):
    helper, thread = forum["helper"], forum["thread"]
    crowd = [make_user(session, clock, username=f"crowd{i:02d}") for i in range(25)]

    body = " ".join(f"@{user.username}" for user in crowd)
    make_reply(session, clock, author=helper, thread=thread, body=body)
    drain(session, clock)

    mentioned = [user for user in crowd if _inbox(session, user)]
    assert len(mentioned) == notifications.MAX_MENTIONS
