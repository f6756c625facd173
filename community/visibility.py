"""Hidden posts and threads: only their author and moderators see them, and nothing is destroyed.

A moderator hides something (``HiddenReason.moderator``), or moderation's signals find personal
data in a post (``HiddenReason.personal_data``) and hide it until a moderator reviews it.
These functions change the state, move the profile counts of the members it concerns
(community.profile_counts) and record the event in the caller's transaction; who may call them
is the caller's business (moderation's services check the Guardian; the worker acts for the
brand). The author is shown why (``hidden_reason``).

A post *held* for review (personal data, or a newcomer's link waiting for approval) does not
exist yet for other readers: not shown, not counted, no activity, nobody notified. When a
moderator's unhide makes it readable by everyone for the first time it is *published*: it counts
from then (``published_at``, its category's post and thread counters, the thread's activity, its
first answer) and ``post_published`` tells the people it concerns (community.notifications).
"""

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session, col, select

from community import events, first_response, profile_counts, reputation
from community.counters import bump
from community.models import Category, HiddenReason, Post, Thread
from community.policy import Guardian

# Hidden until a moderator has looked, as opposed to hidden by a moderator's decision.
HELD_REASONS = frozenset({HiddenReason.personal_data, HiddenReason.awaiting_approval})


def _hide(
    session: Session,
    row: Post | Thread,
    event: str,
    *,
    thread_id: int | None,
    reason: HiddenReason,
    by_id: int | None,
    now: datetime,
    **ids: int | None,
) -> bool:
    if row.hidden_at is not None and row.hidden_reason == reason:
        return False
    row.hidden_at = now
    row.hidden_by_id = by_id
    row.hidden_reason = reason
    session.add(row)
    events.record(
        session,
        event,
        at=now,
        thread_id=thread_id,
        reason=str(reason),
        by_id=by_id,
        author_id=row.author_id,
        **ids,
    )
    return True


def _unhide(
    session: Session,
    row: Post | Thread,
    event: str,
    *,
    thread_id: int | None,
    by_id: int,
    now: datetime,
    **ids: int | None,
) -> bool:
    if row.hidden_at is None:
        return False
    reason = row.hidden_reason
    row.hidden_at = None
    row.hidden_by_id = None
    row.hidden_reason = None
    session.add(row)
    events.record(
        session,
        event,
        at=now,
        thread_id=thread_id,
        reason=reason,
        by_id=by_id,
        author_id=row.author_id,
        **ids,
    )
    return True


def hide_post(
    session: Session, post: Post, *, reason: HiddenReason, by_id: int | None, now: datetime
) -> bool:
    """Hide ``post``; False (and no event) when it already was hidden for the same reason."""
    thread = session.get(Thread, post.thread_id)
    assert thread is not None
    _lock(session, thread, post)
    before = profile_counts.of_posts(session, [post], thread)
    hidden = _hide(
        session,
        post,
        "post_hidden",
        thread_id=post.thread_id,
        reason=reason,
        by_id=by_id,
        now=now,
        post_id=post.id,
    )
    if hidden:
        profile_counts.move(session, before, profile_counts.of_posts(session, [post], thread))
        _refresh_first_response(session, post)
    return hidden


def unhide_post(session: Session, post: Post, *, by_id: int, now: datetime) -> bool:
    thread = session.get(Thread, post.thread_id)
    assert thread is not None
    _lock(session, thread, post)
    before = profile_counts.of_posts(session, [post], thread)
    held = post.hidden_reason in HELD_REASONS
    shown = _unhide(
        session,
        post,
        "post_unhidden",
        thread_id=post.thread_id,
        by_id=by_id,
        now=now,
        post_id=post.id,
    )
    if shown:
        profile_counts.move(session, before, profile_counts.of_posts(session, [post], thread))
        _went_public(session, post, thread, reviewed=held, by_id=by_id, now=now)
        _refresh_first_response(session, post)
    return shown


def _lock(session: Session, thread: Thread, post: Post | None = None) -> None:
    """On PostgreSQL, wait for the thread's other writers (community.posting takes the same lock
    to reply and to delete) and read the thread, and the post, as they left them, so that the
    posts shown or hidden here are counted once (community.profile_counts)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.flush()  # reading the rows again must not drop this transaction's own changes
    session.refresh(thread, with_for_update=True)
    if post is not None:
        session.refresh(post)


def touch_activity(thread: Thread, category: Category, *, now: datetime) -> None:
    """Readers see a new post from ``now``: it is the thread's and its category's latest activity
    (the caller adds the rows to the session)."""
    thread.last_activity_at = now
    category.last_activity_at = now
    category.last_thread_id = thread.id


def _went_public(
    session: Session, post: Post, thread: Thread, *, reviewed: bool, by_id: int, now: datetime
) -> None:
    """``post``, or its thread, was just shown again. If everyone can now read the post and it is
    its first time (it was held from the start), it is published; ``reviewed``: a moderator just
    let through a post or thread held for review, which its author hears of even when the post
    had been out before (held again after an edit)."""
    if post.is_hidden or post.is_deleted or thread.is_hidden or thread.is_deleted:
        return
    first_time = post.published_at is None
    if not first_time and not reviewed:
        return
    if first_time:
        category = session.get(Category, thread.category_id)
        assert category is not None
        post.published_at = now
        bump(session, Category, category.id, post_count=1, thread_count=int(post.is_question))
        touch_activity(thread, category, now=now)
        if not post.is_question:
            reputation.on_reply(session, thread, post, at=now)  # before its first answer moves
        session.add_all([post, thread, category])
    events.record(
        session,
        "post_published",
        at=now,
        thread_id=thread.id,
        post_id=post.id,
        author_id=post.author_id,
        by_id=by_id,
        first_time=first_time,
    )


def _refresh_first_response(session: Session, post: Post) -> None:
    """A reply readers can no longer see (or now can) answers the thread no more (or again)."""
    if post.is_question:
        return
    thread = session.get(Thread, post.thread_id)
    if thread is not None:
        session.flush()
        first_response.refresh(session, thread)


def hold_for_review(
    session: Session, post: Post, thread: Thread, *, reason: HiddenReason, now: datetime
) -> None:
    """Hide ``post`` (and the thread, for its question) until a moderator reviews it, by nobody:
    a moderator's own hiding keeps its reason; waiting for approval gives way (approving would
    publish what must be reviewed)."""
    for item in (post, thread) if post.is_question else (post,):
        if item.hidden_at is None or item.hidden_reason == HiddenReason.awaiting_approval:
            if isinstance(item, Post):
                hide_post(session, item, reason=reason, by_id=None, now=now)
            else:
                hide_thread(session, item, reason=reason, by_id=None, now=now)


def hide_thread(
    session: Session, thread: Thread, *, reason: HiddenReason, by_id: int | None, now: datetime
) -> bool:
    _lock(session, thread)
    before = profile_counts.of_thread(session, thread)
    hidden = _hide(
        session, thread, "thread_hidden", thread_id=thread.id, reason=reason, by_id=by_id, now=now
    )
    if hidden:
        profile_counts.move(session, before, profile_counts.of_thread(session, thread))
    return hidden


def unhide_thread(session: Session, thread: Thread, *, by_id: int, now: datetime) -> bool:
    _lock(session, thread)
    before = profile_counts.of_thread(session, thread)
    held = thread.hidden_reason in HELD_REASONS
    shown = _unhide(session, thread, "thread_unhidden", thread_id=thread.id, by_id=by_id, now=now)
    if shown:
        profile_counts.move(session, before, profile_counts.of_thread(session, thread))
        # The question, and any reply shown while the thread was still hidden.
        waiting = session.exec(
            select(Post)
            .where(
                col(Post.thread_id) == thread.id,
                (col(Post.post_number) == 1) | col(Post.published_at).is_(None),
                col(Post.hidden_at).is_(None),
                col(Post.deleted_at).is_(None),
            )
            .order_by(col(Post.post_number))
        ).all()
        for post in waiting:
            reviewed = held and post.is_question
            _went_public(session, post, thread, reviewed=reviewed, by_id=by_id, now=now)
        if any(not post.is_question for post in waiting):
            session.flush()
            first_response.refresh(session, thread)
    return shown


def held_numbers(
    session: Session, guardian: Guardian, thread_ids: Collection[int]
) -> dict[int, set[int]]:
    """Thread id -> the post numbers of its replies held for review where the reader cannot see
    them (someone else's, and the reader is no moderator): for the reader they do not exist yet."""
    if not thread_ids or guardian.can_moderate():
        return {}
    query = select(col(Post.thread_id), col(Post.post_number)).where(
        col(Post.thread_id).in_(thread_ids),
        col(Post.hidden_at).is_not(None),  # the few hidden posts: ix_post_hidden_thread
        col(Post.hidden_reason).in_(HELD_REASONS),
    )
    if guardian.user is not None:
        query = query.where(col(Post.author_id) != guardian.user.id)
    # Questions are left out here, not in SQL: a range on post_number would walk every post of
    # the threads through the (thread_id, post_number) index instead.
    held: dict[int, set[int]] = {}
    for thread_id, number in session.exec(query).all():
        if number > 1:
            held.setdefault(thread_id, set()).add(number)
    return held


def held_out_of_sight(
    session: Session, guardian: Guardian, thread_ids: Collection[int]
) -> dict[int, int]:
    """Thread id -> how many of its replies are held out of the reader's sight (held_numbers):
    reply counts shown to them leave those out."""
    return {
        thread_id: len(numbers)
        for thread_id, numbers in held_numbers(session, guardian, thread_ids).items()
    }
