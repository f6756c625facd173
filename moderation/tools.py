"""Moderator tools: hide and unhide posts and threads, lock, move and merge threads, suspend users.

Each service checks the Guardian (members get Forbidden, anonymous readers NotAuthenticated),
changes the rows, records its outbox event and an audit entry with the state before and after,
and commits: one transaction, nothing written when a check fails. Doing what is already done
(hiding a hidden post, locking a locked thread) changes nothing and records nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from community import (
    categories,
    events,
    first_response,
    posting,
    profile_counts,
    solutions,
    textrules,
    visibility,
)
from community.clock import Clock, as_utc
from community.counters import bump
from community.errors import Conflict, Invalid, NotFound
from community.models import (
    Category,
    HiddenReason,
    Notification,
    Post,
    Solution,
    Thread,
    User,
    Watch,
)
from community.policy import Guardian, ensure, ensure_signed_in
from moderation import audit, flags, hiding
from moderation.models import AuditEntry, Flag, FlagStatus, PostSignal

MAX_REASON_CHARS = 500
MAX_SUSPENSION = timedelta(days=3650)
ONLY_MODERATORS = "Only moderators can do that."


def ensure_moderator(guardian: Guardian) -> int:
    """The moderator's id; NotAuthenticated for anonymous readers, Forbidden for members."""
    ensure_signed_in(guardian)
    ensure(guardian.can_moderate(), ONLY_MODERATORS)
    return guardian.user_id


# --- Lookups (moderators see every thread and post, hidden or deleted) ------------------------


def get_thread(session: Session, guardian: Guardian, thread_id: int) -> Thread:
    ensure_moderator(guardian)
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise NotFound("This thread does not exist or was deleted.")
    return thread


def get_post(session: Session, guardian: Guardian, post_id: int) -> Post:
    ensure_moderator(guardian)
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound("This post does not exist or was deleted.")
    return post


def get_category(session: Session, slug: str) -> Category:
    category = session.exec(select(Category).where(col(Category.slug) == slug.strip())).first()
    if category is None:
        raise Invalid("There is no category %(slug)s.", field="category", slug=slug[:60])
    return category


def get_user(session: Session, guardian: Guardian, username: str) -> User:
    ensure_moderator(guardian)
    user = session.exec(select(User).where(col(User.username) == username.strip().lower())).first()
    if user is None:
        raise NotFound("There is no member called %(username)s.", username=username[:40])
    return user


# --- Hide and unhide ----------------------------------------------------------------------------


def hide_post(session: Session, guardian: Guardian, post: Post, *, clock: Clock) -> Post:
    """Hiding a flagged post is the moderator's verdict on it: its members' open flags are
    upheld (a flag on a moderator-hidden post never reaches the queue), and the flaggers told."""
    by_id = ensure_moderator(guardian)
    now = clock.now()
    if not hiding.hide_post_within(session, post, by_id=by_id, now=now):
        return post
    open_ones = flags.open_member_flags(session, post)
    flags.resolve_within(session, open_ones, status=FlagStatus.upheld, by_id=by_id, now=now)
    session.commit()
    return post


def unhide_post(session: Session, guardian: Guardian, post: Post, *, clock: Clock) -> Post:
    """Also the review of a post hidden for personal data: the moderator found it fine."""
    by_id = ensure_moderator(guardian)
    before = hiding.hidden_state(post)
    now = clock.now()
    if not visibility.unhide_post(session, post, by_id=by_id, now=now):
        return post
    _audit(session, by_id, "unhide_post", "post", post.id, before, hiding.hidden_state(post), now)
    session.commit()
    return post


def hide_thread(session: Session, guardian: Guardian, thread: Thread, *, clock: Clock) -> Thread:
    """As hiding a post: the open member flags on any of its posts are upheld (the whole thread is
    out of members' sight, which is what each flag asked for), and the flaggers told."""
    by_id = ensure_moderator(guardian)
    before = hiding.hidden_state(thread)
    now = clock.now()
    if not visibility.hide_thread(
        session, thread, reason=HiddenReason.moderator, by_id=by_id, now=now
    ):
        return thread
    _audit(
        session, by_id, "hide_thread", "thread", thread.id, before, hiding.hidden_state(thread), now
    )
    open_ones = flags.open_member_flags(session, thread)
    flags.resolve_within(session, open_ones, status=FlagStatus.upheld, by_id=by_id, now=now)
    session.commit()
    return thread


def unhide_thread(session: Session, guardian: Guardian, thread: Thread, *, clock: Clock) -> Thread:
    by_id = ensure_moderator(guardian)
    before = hiding.hidden_state(thread)
    now = clock.now()
    if not visibility.unhide_thread(session, thread, by_id=by_id, now=now):
        return thread
    after = hiding.hidden_state(thread)
    _audit(session, by_id, "unhide_thread", "thread", thread.id, before, after, now)
    session.commit()
    return thread


# --- Lock and unlock ----------------------------------------------------------------------------


def lock_thread(session: Session, guardian: Guardian, thread: Thread, *, clock: Clock) -> Thread:
    return _set_locked(session, guardian, thread, locked=True, clock=clock)


def unlock_thread(session: Session, guardian: Guardian, thread: Thread, *, clock: Clock) -> Thread:
    return _set_locked(session, guardian, thread, locked=False, clock=clock)


def _set_locked(
    session: Session, guardian: Guardian, thread: Thread, *, locked: bool, clock: Clock
) -> Thread:
    by_id = ensure_moderator(guardian)
    if thread.is_locked == locked:
        return thread
    now = clock.now()
    thread.is_locked = locked
    session.add(thread)
    name = "thread_locked" if locked else "thread_unlocked"
    events.record(session, name, at=now, thread_id=thread.id, by_id=by_id)
    action = "lock_thread" if locked else "unlock_thread"
    _audit(
        session,
        by_id,
        action,
        "thread",
        thread.id,
        {"locked": not locked},
        {"locked": locked},
        now,
    )
    session.commit()
    return thread


# --- Move ---------------------------------------------------------------------------------------


def move_thread(
    session: Session, guardian: Guardian, thread: Thread, *, category: Category, clock: Clock
) -> Thread:
    """Move a thread to another category; both categories' counters follow it."""
    by_id = ensure_moderator(guardian)
    if thread.merged_into_id is not None:
        raise Invalid("This thread was merged into another: move that one.", field="category")
    if category.id == thread.category_id:
        raise Invalid(
            "The thread is already in %(category)s.", field="category", category=category.name
        )
    assert thread.id is not None and category.id is not None
    now = clock.now()
    _lock(session, thread)
    source = session.get(Category, thread.category_id)
    assert source is not None
    categories.hold_against_delete(session, category, source)
    before = {"category_id": source.id, "category": source.slug}
    if not thread.is_deleted:
        posts = posting.counted_post_count(session, thread.id)
        threads = int(_question_published(session, thread.id))
        bump(session, Category, source.id, thread_count=-threads, post_count=-posts)
        bump(session, Category, category.id, thread_count=threads, post_count=posts)
    thread.category_id = category.id
    session.add(thread)
    session.flush()
    refresh_last_thread(session, source)
    consider_last_thread(session, category, thread)
    events.record(
        session,
        "thread_moved",
        at=now,
        thread_id=thread.id,
        from_category_id=source.id,
        to_category_id=category.id,
        by_id=by_id,
    )
    after = {"category_id": category.id, "category": category.slug}
    _audit(session, by_id, "move_thread", "thread", thread.id, before, after, now)
    session.commit()
    return thread


# --- Merge --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeResult:
    into: Thread
    moved_post_ids: list[int]


def merge_thread(
    session: Session, guardian: Guardian, thread: Thread, *, into: Thread, clock: Clock
) -> MergeResult:
    """Merge ``thread`` into ``into``: its posts are appended after ``into``'s, in their order.

    Appending keeps every post number of ``into`` (so its links and pages stay) and numbers the
    moved posts after them; /p/<id> links find them, and /t/<thread> redirects to ``into``.
    Counters, the solution (kept when ``into`` has none), watches and the search documents of both
    follow. The merged thread keeps its row, with ``merged_into_id``.
    """
    by_id = ensure_moderator(guardian)
    if thread.id == into.id:
        raise Invalid("A thread cannot be merged into itself.", field="into")
    if thread.merged_into_id is not None:
        raise Conflict("This thread was already merged into another.")
    if into.merged_into_id is not None:
        raise Invalid(
            "That thread was itself merged into another: merge into that one.", field="into"
        )
    if thread.is_deleted or into.is_deleted:
        raise Invalid("Deleted threads cannot be merged.", field="into")
    assert thread.id is not None and into.id is not None
    now = clock.now()
    for locked in sorted((thread, into), key=lambda t: t.id or 0):
        _lock(session, locked)
    before = {
        "merged_into_id": None,
        "reply_count": thread.reply_count,
        "into_thread_id": into.id,
        "into_reply_count": into.reply_count,
        "into_solved": into.is_solved,
    }
    posts = list(
        session.exec(
            select(Post).where(col(Post.thread_id) == thread.id).order_by(col(Post.post_number))
        )
    )
    live = [p for p in posts if not p.is_deleted]
    # What the categories count (published posts; the thread if its question is), before the
    # posts are renumbered into ``into``.
    counted = sum(post.published_at is not None for post in live)
    threads = int(any(post.is_question and post.published_at is not None for post in live))

    # The solution: kept when ``into`` has none, otherwise unmarked (the reply stays).
    moved_solution = session.get(Solution, thread.id)
    kept_solution = session.get(Solution, into.id)
    if moved_solution is not None and kept_solution is not None:
        solutions.unmark_within(session, thread, moved_solution, by_id=by_id, now=now)
        moved_solution = None

    # Profile counts (community.profile_counts): what counted here stops counting, what counts
    # there starts (the moved question is a reply there; nothing counts in a hidden thread).
    counted_before = profile_counts.of_posts(session, live, thread)

    last_number = session.scalar(
        select(func.max(col(Post.post_number))).where(col(Post.thread_id) == into.id)
    )
    next_number = int(last_number or 1) + 1
    numbers: dict[int, list[int]] = {}
    for offset, post in enumerate(posts):
        assert post.id is not None
        numbers[post.id] = [post.post_number, next_number + offset]
        post.thread_id = into.id
        post.post_number = next_number + offset
        session.add(post)
    session.flush()
    moved_ids = [p.id for p in posts if p.id is not None]
    if moved_ids:
        for model in (PostSignal, Flag):
            session.execute(
                update(model).where(col(model.post_id).in_(moved_ids)).values(thread_id=into.id)
            )
    session.execute(
        update(Notification)
        .where(col(Notification.thread_id) == thread.id)
        .values(thread_id=into.id)
    )

    if moved_solution is not None:
        session.add(
            Solution(
                thread_id=into.id,
                post_id=moved_solution.post_id,
                accepted_by_id=moved_solution.accepted_by_id,
                accepted_at=moved_solution.accepted_at,
            )
        )
        session.delete(moved_solution)
        into.solved_at = thread.solved_at or now
        thread.solved_at = None
        session.flush()
    profile_counts.move(session, counted_before, profile_counts.of_posts(session, live, into))

    _move_watches(session, thread.id, into.id)

    into.reply_count += len(posts)
    into.kudos_count += thread.kudos_count
    into.last_activity_at = max(as_utc(into.last_activity_at), as_utc(thread.last_activity_at))
    session.add(into)
    session.flush()
    into.last_post_id = _last_live_post_id(session, into.id)
    thread.merged_into_id = into.id
    session.add(thread)
    session.flush()
    first_response.refresh(session, into)
    thread.reply_count = 0
    thread.kudos_count = 0
    thread.last_post_id = None
    thread.first_response_at = None
    thread.is_locked = True
    session.add_all([thread, into])

    source = session.get(Category, thread.category_id)
    target = session.get(Category, into.category_id)
    assert source is not None and target is not None
    if source.id == target.id:
        bump(session, Category, source.id, thread_count=-threads)
    else:
        bump(session, Category, source.id, thread_count=-threads, post_count=-counted)
        bump(session, Category, target.id, post_count=counted)
    session.flush()
    refresh_last_thread(session, source)
    consider_last_thread(session, target, into)

    events.record(
        session, "thread_merged", at=now, thread_id=thread.id, into_thread_id=into.id, by_id=by_id
    )
    after = {
        "merged_into_id": into.id,
        "into_thread_id": into.id,
        "into_reply_count": into.reply_count,
        "into_solved": into.is_solved,
        "post_numbers": {str(k): v for k, v in numbers.items()},
    }
    _audit(session, by_id, "merge_thread", "thread", thread.id, before, after, now)
    session.commit()
    return MergeResult(into=into, moved_post_ids=moved_ids)


def _move_watches(session: Session, from_id: int, to_id: int) -> None:
    watches = list(session.exec(select(Watch).where(col(Watch.thread_id) == from_id)))
    for watch in watches:
        if session.get(Watch, (watch.user_id, to_id)) is None:
            session.add(
                Watch(
                    user_id=watch.user_id,
                    thread_id=to_id,
                    watching=watch.watching,
                    created_at=watch.created_at,
                )
            )
        session.delete(watch)


# --- Suspend ------------------------------------------------------------------------------------


def _suspension_state(user: User) -> dict[str, Any]:
    return {"suspended_until": user.suspended_until, "suspension_reason": user.suspension_reason}


def suspend_user(
    session: Session,
    guardian: Guardian,
    user: User,
    *,
    duration: timedelta,
    reason: str,
    clock: Clock,
) -> User:
    """Until ``now + duration`` the user can read but not post, reply, edit, kudo or flag."""
    by_id = ensure_moderator(guardian)
    ensure(
        guardian.can_suspend(user),
        "Moderators cannot suspend an admin, nor themselves.",
    )
    if duration <= timedelta(0):
        raise Invalid("Choose how long the suspension lasts.", field="duration")
    if duration > MAX_SUSPENSION:
        raise Invalid("A suspension lasts at most ten years.", field="duration")
    textrules.reject_control_characters(reason, field="reason")
    reason = " ".join(reason.split())
    if not reason:
        raise Invalid("Say why: the member is shown the reason.", field="reason")
    if len(reason) > MAX_REASON_CHARS:
        raise Invalid(
            "The reason can have at most %(count)s characters.",
            field="reason",
            count=MAX_REASON_CHARS,
        )
    now = clock.now()
    before = _suspension_state(user)
    user.suspended_until = now + duration
    user.suspension_reason = reason
    session.add(user)
    events.record(
        session,
        "user_suspended",
        at=now,
        user_id=user.id,
        until=user.suspended_until.isoformat(),
        reason=reason,
        by_id=by_id,
    )
    _audit(session, by_id, "suspend_user", "user", user.id, before, _suspension_state(user), now)
    session.commit()
    return user


def unsuspend_user(session: Session, guardian: Guardian, user: User, *, clock: Clock) -> User:
    by_id = ensure_moderator(guardian)
    ensure(guardian.can_suspend(user), "Moderators cannot suspend an admin, nor themselves.")
    if user.suspended_until is None:
        return user
    now = clock.now()
    before = _suspension_state(user)
    user.suspended_until = None
    user.suspension_reason = None
    session.add(user)
    events.record(session, "user_unsuspended", at=now, user_id=user.id, by_id=by_id)
    after = _suspension_state(user)
    _audit(session, by_id, "unsuspend_user", "user", user.id, before, after, now)
    session.commit()
    return user


# --- The audit log ------------------------------------------------------------------------------

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor: User | None

    @property
    def before(self) -> dict[str, Any]:
        return audit.loads(self.entry.before)

    @property
    def after(self) -> dict[str, Any]:
        return audit.loads(self.entry.after)


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditRow]
    next_before_id: int | None


def list_audit(
    session: Session,
    guardian: Guardian,
    *,
    actor: str | None = None,
    action: str | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
    before_id: int | None = None,
    limit: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """Audit entries, newest first, filtered; pages continue below ``before_id``."""
    ensure_signed_in(guardian)
    ensure(guardian.can_browse_audit(), "Only admins can browse the audit log.")
    query = select(AuditEntry)
    if actor:
        actor_user = session.exec(
            select(User).where(col(User.username) == actor.strip().lower())
        ).first()
        query = query.where(col(AuditEntry.actor_id) == (actor_user.id if actor_user else -1))
    if action:
        query = query.where(col(AuditEntry.action) == action)
    if target_type:
        query = query.where(col(AuditEntry.target_type) == target_type)
    if target_id is not None:
        query = query.where(col(AuditEntry.target_id) == target_id)
    if before_id is not None:
        query = query.where(col(AuditEntry.id) < before_id)
    limit = max(1, min(limit, 200))
    entries = list(session.exec(query.order_by(col(AuditEntry.id).desc()).limit(limit + 1)))
    next_before = None
    if len(entries) > limit:
        entries = entries[:limit]
        next_before = entries[-1].id
    actor_ids = {e.actor_id for e in entries}
    actors = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(actor_ids)))}
    return AuditPage(
        items=[AuditRow(entry=e, actor=actors.get(e.actor_id)) for e in entries],
        next_before_id=next_before,
    )


def audit_actions(session: Session) -> list[str]:
    """The actions the log holds, for the filter."""
    query = select(AuditEntry.action).distinct().order_by(col(AuditEntry.action))
    return list(session.exec(query))


# --- Helpers ------------------------------------------------------------------------------------


def _audit(
    session: Session,
    actor_id: int,
    action: str,
    target_type: str,
    target_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
    now: datetime,
) -> None:
    assert target_id is not None
    audit.record(
        session,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
        now=now,
    )


def _lock(session: Session, thread: Thread) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.refresh(thread, with_for_update=True)


def _question_published(session: Session, thread_id: int) -> bool:
    """Whether the category counts the thread (a held question does not count yet)."""
    query = select(col(Post.published_at)).where(
        col(Post.thread_id) == thread_id, col(Post.post_number) == 1
    )
    return session.scalar(query) is not None


def _last_live_post_id(session: Session, thread_id: int) -> int | None:
    query = (
        select(col(Post.id))
        .where(col(Post.thread_id) == thread_id, col(Post.deleted_at).is_(None))
        .order_by(col(Post.post_number).desc())
        .limit(1)
    )
    return session.scalar(query)


def refresh_last_thread(session: Session, category: Category) -> None:
    """After a thread left ``category``: its latest thread and activity, from what remains."""
    session.refresh(category)
    latest = session.exec(
        select(Thread)
        .where(
            col(Thread.category_id) == category.id,
            col(Thread.deleted_at).is_(None),
            col(Thread.merged_into_id).is_(None),
        )
        .order_by(col(Thread.last_activity_at).desc(), col(Thread.id).desc())
        .limit(1)
    ).first()
    category.last_thread_id = latest.id if latest is not None else None
    category.last_activity_at = latest.last_activity_at if latest is not None else None
    session.add(category)


def consider_last_thread(session: Session, category: Category, thread: Thread) -> None:
    """After ``thread`` arrived in ``category``: its latest thread, if no other is more recent."""
    session.refresh(category)
    if thread.is_deleted:
        return
    last = category.last_activity_at
    if last is None or as_utc(thread.last_activity_at) >= as_utc(last):
        category.last_thread_id = thread.id
        category.last_activity_at = thread.last_activity_at
        session.add(category)
