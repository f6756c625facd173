"""In-app notifications, produced by the outbox worker from community events.

A post held for review (community.visibility) notifies nobody when it is written: its replies,
mentions and watchers are told when it is published, and its author that it is out.

Handlers run inside the savepoint the worker opens for each delivery, so they only add rows and
never commit. They are idempotent: a notification is unique per (event, user, kind) and a handler
checks before inserting, so a re-delivered event notifies nobody twice. Everything a handler needs
is read from the database when it runs, not trusted from the payload: a post deleted (or a kudos
withdrawn, a solution unmarked) before the worker got to it notifies nobody.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from community import badges, category_watching, events, markdown, posting
from community.clock import Clock, as_utc
from community.cursors import decode_time_cursor, encode_time_cursor
from community.errors import NotFound
from community.i18n import N_
from community.models import (
    Kudos,
    Notification,
    NotificationKind,
    Post,
    Solution,
    Thread,
    User,
    Watch,
)
from community.policy import Guardian, ensure_signed_in

PAGE_SIZE = 30
MAX_MENTIONS = 20
# News of the user's private cases with the brand (moderation): they link to /cases.
# What the notification list (and a notification e-mail) says of each kind whose text names no
# more than who did it and in which thread: msgids, translated where shown. Badges and flags
# say more (templates/community/_notification.html).
TEXTS: dict[str, str] = {
    NotificationKind.reply: N_("%(actor)s replied to %(thread)s"),
    NotificationKind.mention: N_("%(actor)s mentioned you in %(thread)s"),
    NotificationKind.solution: N_("%(actor)s accepted your answer in %(thread)s"),
    NotificationKind.kudos: N_("%(actor)s gave kudos to your post in %(thread)s"),
    NotificationKind.case: N_(
        "%(actor)s of the support team wrote to you privately about %(thread)s"
    ),
    NotificationKind.case_reply: N_("%(actor)s answered in their private case about %(thread)s"),
    NotificationKind.case_pending: N_(
        "The support team is waiting for your reply about %(thread)s"
    ),
    NotificationKind.case_resolved: N_("Your private case about %(thread)s was resolved"),
    NotificationKind.survey: N_(
        "Your question %(thread)s was solved. Did this solve your problem? Tell us"
    ),
    NotificationKind.case_survey: N_(
        "Your private case was resolved. Did this solve your problem? Tell us"
    ),
    NotificationKind.published: N_(
        "A moderator reviewed your post in %(thread)s: everyone can read it now"
    ),
    NotificationKind.sla_at_risk: N_(
        "%(thread)s, which you claimed, is close to missing its first-response target"
    ),
    NotificationKind.new_thread: N_("%(actor)s asked %(thread)s in a category you watch"),
}

CASE_KINDS = frozenset(
    {NotificationKind.case, NotificationKind.case_pending, NotificationKind.case_resolved}
)
# What a member may flag a post for, as the flag's outcome names it: moderation's flag kinds
# (moderation.models.FlagKind, labelled alike in its queue), which community may not import.
FLAG_KINDS: dict[str, str] = {
    "spam": N_("spam"),
    "abuse": N_("abuse"),
    "off_topic": N_("off-topic"),
    "needs_brand": N_("needs the brand"),
}
# How much of the flagged post a flag notification quotes.
FLAG_EXCERPT_CHARS = 80


# Handlers --------------------------------------------------------------------------------------


def consumer() -> events.Consumer:
    return events.Consumer(
        name="notifications",
        handlers={
            "thread_created": on_thread_created,
            "post_created": on_post_created,
            "solution_accepted": on_solution_accepted,
            "kudos_given": on_kudos_given,
            "post_deleted": on_post_deleted,
            "badge_awarded": on_badge_awarded,
            "post_published": on_post_published,
        },
    )


def on_badge_awarded(session: Session, event: events.OutboxEvent) -> None:
    """ "You earned the badge ...": about the member, not a thread (deleting the post that
    earned it leaves the news alone); the link goes to their own profile (the actor)."""
    user_id = int(event.data["user_id"])
    _notify(session, event, user_id, NotificationKind.badge, None, user_id)


def on_thread_created(session: Session, event: events.OutboxEvent) -> None:
    post = _live_post(session, event.data["post_id"])
    if post is not None and _published_when_written(post):
        _notify_new_question(session, event, post)


def on_post_created(session: Session, event: events.OutboxEvent) -> None:
    post = _live_post(session, event.data["post_id"])
    if post is not None and _published_when_written(post):
        _notify_readers(session, event, post)


def on_post_published(session: Session, event: events.OutboxEvent) -> None:
    """A held post is out: its author hears so from the moderator who let it through, and, the
    first time, the people it would have notified when written hear of it now."""
    post = _live_post(session, event.data["post_id"])
    if post is None:
        return
    by_id = event.data.get("by_id")
    if post.author_id != by_id:
        _notify(session, event, post.author_id, NotificationKind.published, post, by_id)
    if not event.data.get("first_time"):
        return
    if post.is_question:
        _notify_new_question(session, event, post)
    else:
        _notify_readers(session, event, post)


def _published_when_written(post: Post) -> bool:
    """False for a post held for review: ``post_published`` notifies its readers instead,
    however late this worker got to its creation."""
    return post.published_at is not None and as_utc(post.published_at) == as_utc(post.created_at)


def _notify_new_question(session: Session, event: events.OutboxEvent, post: Post) -> None:
    """The people a new question concerns: those it mentions, and its category's watchers."""
    mentioned = _notify_mentions(session, event, post)
    thread = session.get(Thread, post.thread_id)
    if thread is None or thread.is_deleted or thread.is_hidden:
        return
    skip = mentioned | {post.author_id}
    for user_id in category_watching.watchers(
        session, thread.category_id, since_before=event.created_at
    ):
        if user_id not in skip:
            _notify(session, event, user_id, NotificationKind.new_thread, post, post.author_id)


def _notify_readers(session: Session, event: events.OutboxEvent, post: Post) -> None:
    """The people a new reply concerns: those it mentions, and the thread's watchers."""
    mentioned = _notify_mentions(session, event, post)
    # Someone both mentioned and watching gets the mention alone: one ping per event.
    skip = mentioned | {post.author_id}
    # Watchers as of the reply: someone who started watching later (often by replying after it)
    # has already seen it, however late the worker is.
    watchers = session.exec(
        select(col(Watch.user_id)).where(
            col(Watch.thread_id) == post.thread_id,
            col(Watch.watching).is_(True),
            col(Watch.created_at) <= event.created_at,
        )
    ).all()
    for user_id in watchers:
        if user_id not in skip:
            _notify(session, event, user_id, NotificationKind.reply, post, actor_id=post.author_id)


def on_solution_accepted(session: Session, event: events.OutboxEvent) -> None:
    data = event.data
    post = _live_post(session, data["post_id"])
    if post is None:
        return
    solution = session.get(Solution, post.thread_id)
    if solution is None or solution.post_id != post.id:
        return  # unmarked (or replaced) before we got here
    accepter_id: int = data["accepted_by_id"]
    if post.author_id != accepter_id:
        _notify(session, event, post.author_id, NotificationKind.solution, post, accepter_id)


def on_kudos_given(session: Session, event: events.OutboxEvent) -> None:
    data = event.data
    post = _live_post(session, data["post_id"])
    if post is None:
        return
    giver_id: int = data["giver_id"]
    if post.author_id == giver_id:
        return
    given = session.exec(
        select(col(Kudos.id)).where(col(Kudos.post_id) == post.id, col(Kudos.user_id) == giver_id)
    ).first()
    if given is None:
        return  # withdrawn before we got here
    # Withdrawing and giving again must not ping the author each time: one per giver and post.
    earlier = session.exec(
        select(col(Notification.id)).where(
            col(Notification.user_id) == post.author_id,
            col(Notification.kind) == NotificationKind.kudos,
            col(Notification.actor_id) == giver_id,
            col(Notification.post_id) == post.id,
        )
    ).first()
    if earlier is None:
        _notify(session, event, post.author_id, NotificationKind.kudos, post, giver_id)


def on_post_deleted(session: Session, event: events.OutboxEvent) -> None:
    """Nobody needs nagging about a post that is gone (or a thread, when its question goes):
    their notifications count as read."""
    thread = session.get(Thread, event.thread_id) if event.thread_id is not None else None
    if thread is not None and thread.is_deleted:
        about = col(Notification.thread_id) == thread.id
    else:
        about = col(Notification.post_id) == event.data["post_id"]
    session.execute(
        update(Notification)
        .where(about, col(Notification.read_at).is_(None))
        .values(read_at=event.created_at)
    )


def _live_post(session: Session, post_id: int) -> Post | None:
    """The post, if it is still there for everyone (not deleted, nor hidden by moderation)."""
    post = session.get(Post, post_id)
    if post is None or post.is_deleted or post.is_hidden:
        return None
    thread = session.get(Thread, post.thread_id)
    if thread is None or thread.is_deleted or thread.is_hidden:
        return None
    return post


def _notify_mentions(session: Session, event: events.OutboxEvent, post: Post) -> set[int]:
    """Notify the existing, active users ``@named`` in the post; returns their ids."""
    # A post naming half the community is spam, not a conversation: at most a few names count.
    names = sorted(markdown.mentioned_usernames(post.body))[:MAX_MENTIONS]
    if not names:
        return set()
    users = session.exec(
        select(User).where(
            func.lower(col(User.username)).in_(names),
            col(User.is_active).is_(True),
            col(User.id) != post.author_id,
        )
    ).all()
    notified: set[int] = set()
    for user in users:
        assert user.id is not None
        _notify(session, event, user.id, NotificationKind.mention, post, post.author_id)
        notified.add(user.id)
    return notified


def _notify(
    session: Session,
    event: events.OutboxEvent,
    user_id: int,
    kind: NotificationKind,
    post: Post | None,
    actor_id: int | None,
) -> None:
    exists = session.exec(
        select(col(Notification.id)).where(
            col(Notification.event_id) == event.id,
            col(Notification.user_id) == user_id,
            col(Notification.kind) == kind,
        )
    ).first()
    if exists is not None:
        return
    assert event.id is not None
    session.add(
        Notification(
            user_id=user_id,
            kind=kind,
            event_id=event.id,
            actor_id=actor_id,
            thread_id=post.thread_id if post is not None else None,
            post_id=post.id if post is not None else None,
            # When it happened, not when the worker caught up with it.
            created_at=event.created_at,
        )
    )
    session.flush()


# Reading notifications -------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationItem:
    notification: Notification
    actor: User | None
    thread: Thread | None
    post: Post | None
    # False when moderation hid the thread or post from this reader since the notification.
    visible: bool = True
    badge: str | None = None  # the badge earned (kind "badge"), from its badge_awarded event
    # What became of the reader's flag (kind "flag"), from its flag_resolved event: "hidden"
    # (upheld, and the post is out of members' sight), "upheld" (the post stays) or "dismissed".
    flag_outcome: str | None = None
    # The kind of the reader's flag ("abuse": FLAG_KINDS), when its event says (events from
    # before flags said so do not: the text then names no kind).
    flag_kind: str | None = None
    # Which post a flag was about, while the reader may see its thread: its author, and the start
    # of its text only while the reader may still read it (not once hidden or deleted).
    post_author: User | None = None
    post_excerpt: str = ""
    case_id: int | None = None  # the case the customer wrote in (kind "case_reply")

    @property
    def badge_label(self) -> str:
        """The badge's English msgid (translate where shown)."""
        found = badges.info(self.badge) if self.badge else None
        return found.label if found is not None else (self.badge or "")

    @property
    def post_number(self) -> int | None:
        """The number of the post a flag was about, where its author is named."""
        if self.post is None or self.post_author is None:
            return None
        return self.post.post_number

    @property
    def flag_kind_label(self) -> str | None:
        """The flag kind's English msgid (translate where shown)."""
        return FLAG_KINDS.get(self.flag_kind) if self.flag_kind else None

    @property
    def target_url(self) -> str:
        if self.notification.kind == NotificationKind.badge and self.actor is not None:
            return f"/u/{self.actor.username}#badges"  # the reader's own profile
        if self.notification.kind in CASE_KINDS:
            return "/cases"  # the user's private cases (moderation); never the case's text here
        if self.notification.kind == NotificationKind.case_reply and self.case_id is not None:
            return f"/mod/cases/{self.case_id}"  # the brand's page of the case
        if self.notification.kind == NotificationKind.case_survey:
            return "/cases"  # the survey waits on the resolved case's page
        if self.notification.kind == NotificationKind.survey and self.notification.thread_id:
            return f"/t/{self.notification.thread_id}#satisfaction"
        if self.post is not None:
            return posting.post_url(self.post)  # on the right page of a long thread
        if self.notification.thread_id is not None:
            return f"/t/{self.notification.thread_id}"
        return "/notifications"

    @property
    def is_gone(self) -> bool:
        """The thread or post was deleted after the notification was made."""
        if self.notification.kind == NotificationKind.badge:
            return False  # a badge stays earned whatever happens to the post
        return (
            self.thread is None
            or self.thread.is_deleted
            or (self.post is not None and self.post.is_deleted)
            or not self.visible
        )


@dataclass(frozen=True)
class NotificationPage:
    items: list[NotificationItem]
    next_cursor: str | None


def list_notifications(
    session: Session,
    guardian: Guardian,
    *,
    unread_only: bool = False,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> NotificationPage:
    """The signed-in user's notifications, newest first, one keyset page at a time."""
    ensure_signed_in(guardian)
    actor = aliased(User)
    query = (
        select(Notification, actor, Thread, Post)
        .outerjoin(actor, col(actor.id) == col(Notification.actor_id))
        .outerjoin(Thread, col(Thread.id) == col(Notification.thread_id))
        .outerjoin(Post, col(Post.id) == col(Notification.post_id))
        .where(col(Notification.user_id) == guardian.user_id)
        .order_by(
            col(Notification.created_at).desc(),
            col(Notification.id).desc(),
        )
        .limit(limit + 1)
    )
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    if cursor:
        created_at, last_id = decode_cursor(cursor)
        query = query.where(
            or_(
                col(Notification.created_at) < created_at,
                and_(
                    col(Notification.created_at) == created_at,
                    col(Notification.id) < last_id,
                ),
            )
        )
    rows = session.execute(query).all()
    shown = rows[:limit]
    told = _events_told(session, [n for n, *_ in shown])
    flagged = {p.author_id for n, _, _, p in shown if n.kind == NotificationKind.flag and p}
    authors = _users(session, flagged)
    items = [_item(n, a, t, p, guardian, told.get(n.event_id, {}), authors) for n, a, t, p in shown]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor(items[-1].notification)
    return NotificationPage(items=items, next_cursor=next_cursor)


# The kinds whose text says what their event said (the badge earned, the flag's outcome).
_TOLD_BY_EVENT = (NotificationKind.badge, NotificationKind.flag, NotificationKind.case_reply)


def _events_told(session: Session, notifications: list[Notification]) -> dict[int, dict[str, Any]]:
    """event id -> its data, for the notifications whose text needs it."""
    ids = [n.event_id for n in notifications if n.kind in _TOLD_BY_EVENT]
    if not ids:
        return {}
    found = session.exec(select(events.OutboxEvent).where(col(events.OutboxEvent.id).in_(ids)))
    return {e.id: e.data for e in found if e.id is not None}


def _users(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids))) if u.id}


def _item(
    notification: Notification,
    actor: User | None,
    thread: Thread | None,
    post: Post | None,
    guardian: Guardian | None,
    told: dict[str, Any],
    authors: dict[int, User],
) -> NotificationItem:
    kind = notification.kind
    visible = guardian is None or _visible(guardian, thread)
    badge = told.get("badge") if kind == NotificationKind.badge else None
    flag = kind == NotificationKind.flag
    flagged = post if flag and visible else None
    return NotificationItem(
        notification,
        actor,
        thread,
        post,
        visible,
        badge=str(badge) if badge is not None else None,
        flag_outcome=_flag_outcome(told) if flag else None,
        flag_kind=_flag_kind(told) if flag else None,
        post_author=authors.get(flagged.author_id) if flagged is not None else None,
        post_excerpt=(
            posting.excerpt(flagged, FLAG_EXCERPT_CHARS)
            if flagged is not None and _readable(guardian, thread, flagged)
            else ""
        ),
        case_id=_case_id(told) if kind == NotificationKind.case_reply else None,
    )


def _flag_kind(resolved: dict[str, Any]) -> str | None:
    kind = resolved.get("kind")
    return kind if isinstance(kind, str) and kind in FLAG_KINDS else None


def _readable(guardian: Guardian | None, thread: Thread | None, post: Post) -> bool:
    """Whether the reader may read the post's text now (its thread being in their sight)."""
    if post.is_deleted or thread is None or thread.is_deleted:
        return False
    return guardian.can_see_post(post) if guardian is not None else not post.is_hidden


def _case_id(message_added: dict[str, Any]) -> int | None:
    case_id = message_added.get("case_id")
    return case_id if isinstance(case_id, int) else None


def _flag_outcome(resolved: dict[str, Any]) -> str:
    if resolved.get("status") != "upheld":
        return "dismissed"
    return "hidden" if resolved.get("post_hidden") else "upheld"


def get_notification(session: Session, guardian: Guardian, notification_id: int) -> Notification:
    """One of the signed-in user's notifications; anyone else's does not exist for them."""
    ensure_signed_in(guardian)
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != guardian.user_id:
        raise NotFound("This notification does not exist.")
    return notification


def load_item(
    session: Session, notification: Notification, guardian: Guardian | None = None
) -> NotificationItem:
    thread = session.get(Thread, notification.thread_id) if notification.thread_id else None
    post = session.get(Post, notification.post_id) if notification.post_id else None
    author = None
    if post is not None and notification.kind == NotificationKind.flag:
        author = session.get(User, post.author_id)
    return _item(
        notification,
        session.get(User, notification.actor_id) if notification.actor_id else None,
        thread,
        post,
        guardian,
        _events_told(session, [notification]).get(notification.event_id, {}),
        {author.id: author} if author is not None and author.id is not None else {},
    )


def _visible(guardian: Guardian, thread: Thread | None) -> bool:
    """Whether the reader may still see the thread the notification is about (moderation may
    have hidden it since): a notification about a hidden thread shows no title. A hidden post in
    a visible thread keeps the title (the post shows its placeholder, and a flagger learns that
    the post they flagged was dealt with, not that the thread is gone)."""
    return thread is None or guardian.can_see_thread(thread)


def unread_count(session: Session, guardian: Guardian) -> int:
    ensure_signed_in(guardian)
    query = select(func.count()).where(
        col(Notification.user_id) == guardian.user_id,
        col(Notification.read_at).is_(None),
    )
    return int(session.scalar(query) or 0)


def encode_cursor(notification: Notification) -> str:
    assert notification.id is not None
    return encode_time_cursor(notification.created_at, notification.id)


decode_cursor = decode_time_cursor


# Marking as read -------------------------------------------------------------------------------


def mark_read(
    session: Session, guardian: Guardian, notification: Notification, *, clock: Clock
) -> Notification:
    if notification.user_id != guardian.user_id:
        raise NotFound("This notification does not exist.")
    if notification.read_at is None:
        notification.read_at = clock.now()
        session.add(notification)
        session.commit()
    return notification


def mark_all_read(session: Session, guardian: Guardian, *, clock: Clock) -> int:
    """Marks every unread notification of the signed-in user read; returns how many."""
    ensure_signed_in(guardian)
    result = session.execute(
        update(Notification)
        .where(
            col(Notification.user_id) == guardian.user_id,
            col(Notification.read_at).is_(None),
        )
        .values(read_at=clock.now())
    )
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
