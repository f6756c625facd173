"""A hidden post or thread is seen by its author and moderators only, and is never destroyed."""

from sqlmodel import Session, col, select

from community import visibility
from community.clock import FrozenClock
from community.events import OutboxEvent
from community.models import HiddenReason, Post, Role
from community.policy import Guardian
from tests.factories import make_category, make_reply, make_thread, make_user


def _event_names(session: Session) -> list[str]:
    return list(session.exec(select(OutboxEvent.name).order_by(col(OutboxEvent.id))))


def test_a_hidden_post_is_seen_by_its_author_and_moderators_only(
    session: Session, clock: FrozenClock
) -> None:
    author = make_user(session, clock)
    other = make_user(session, clock)
    moderator = make_user(session, clock, role=Role.moderator)
    thread = make_thread(session, clock, author=other, category=make_category(session))
    # Out when written (no personal data then): hidden afterwards, as after an edit.
    post = make_reply(session, clock, author=author, thread=thread, body="call me on Monday")

    assert visibility.hide_post(
        session, post, reason=HiddenReason.personal_data, by_id=None, now=clock.now()
    )
    session.commit()

    assert not Guardian(other).can_see_post(post)
    assert not Guardian(None).can_see_post(post)
    assert Guardian(author).can_see_post(post)
    assert Guardian(moderator).can_see_post(post)
    stored = session.get(Post, post.id)
    assert stored is not None and stored.body == "call me on Monday"
    assert stored.hidden_reason == HiddenReason.personal_data
    assert _event_names(session)[-1] == "post_hidden"

    assert visibility.unhide_post(session, post, by_id=moderator.id or 0, now=clock.now())
    session.commit()
    assert Guardian(other).can_see_post(post)
    # Let through after a review: its author will hear it is out again.
    assert _event_names(session)[-2:] == ["post_unhidden", "post_published"]


def test_hiding_again_for_the_same_reason_records_nothing(
    session: Session, clock: FrozenClock
) -> None:
    author = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    now = clock.now()
    assert visibility.hide_thread(session, thread, reason=HiddenReason.moderator, by_id=1, now=now)
    session.commit()
    count = len(_event_names(session))

    assert not visibility.hide_thread(
        session, thread, reason=HiddenReason.moderator, by_id=1, now=now
    )
    assert len(_event_names(session)) == count


def test_a_hidden_thread_is_seen_by_its_author_and_moderators_only(
    session: Session, clock: FrozenClock
) -> None:
    author = make_user(session, clock)
    moderator = make_user(session, clock, role=Role.moderator)
    thread = make_thread(session, clock, author=author, category=make_category(session))

    visibility.hide_thread(
        session, thread, reason=HiddenReason.moderator, by_id=moderator.id, now=clock.now()
    )
    session.commit()

    assert not Guardian(make_user(session, clock)).can_see_thread(thread)
    assert not Guardian(None).can_see_thread(thread)
    assert Guardian(author).can_see_thread(thread)
    assert Guardian(moderator).can_see_thread(thread)
