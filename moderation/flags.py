"""Flags: a member tells the moderators a post is spam, abuse, off-topic or needs the brand.

Once per post and member, never on one's own post, rate-limited like posting. Open flags put the
thread in the listening queue (the care worker sees ``flag_raised``); a moderator upholds or
dismisses them (``flag_resolved``), and the care worker then tells the flagger with a
notification of kind "flag" that says which. Upholding a spam or abuse flag hides the post.
"""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from community import events, ranks, reputation
from community.clock import Clock
from community.errors import Conflict, Invalid, NotFound, RateLimited
from community.models import Post, ReputationEntry, ReputationReason, Thread
from community.policy import Guardian, ensure, ensure_signed_in
from community.security import rate_limiter
from community.settings import get_settings as community_settings
from moderation import audit, hiding
from moderation.models import Flag, FlagKind, FlagStatus

MAX_COMMENT = 500


# Raised by the system, never by a member (see moderation.mutual_kudos).
SYSTEM_KINDS = frozenset({FlagKind.mutual_kudos})
# Upheld, these say the post must not be read, so it is hidden; an off-topic post or one that
# needs the brand may stay where it is (a moderator moves the thread, the brand answers).
HIDING_KINDS = frozenset({FlagKind.spam, FlagKind.abuse})


def parse_kind(raw: str) -> FlagKind:
    value = raw.strip()
    if value not in FlagKind.__members__ or value in SYSTEM_KINDS:
        raise Invalid("Choose why you are flagging this post.", field="kind")
    return FlagKind(value)


def parse_status(raw: str) -> FlagStatus:
    value = raw.strip()
    if value not in (FlagStatus.upheld, FlagStatus.dismissed):
        raise Invalid("Choose upheld or dismissed.", field="status")
    return FlagStatus(value)


def existing_flag(session: Session, guardian: Guardian, post: Post) -> Flag | None:
    if guardian.user is None:
        return None
    return session.exec(
        select(Flag).where(col(Flag.post_id) == post.id, col(Flag.flagger_id) == guardian.user.id)
    ).first()


def raise_flag(
    session: Session,
    guardian: Guardian,
    post: Post,
    *,
    kind: FlagKind,
    comment: str = "",
    clock: Clock,
) -> Flag:
    ensure_signed_in(guardian)
    thread = session.get(Thread, post.thread_id)
    assert thread is not None
    if not guardian.can_see_thread(thread) or not guardian.can_see_post(post):
        raise NotFound("This post does not exist or was deleted.")  # looks missing: get_post
    guardian.ensure_not_suspended()
    if kind in SYSTEM_KINDS:
        raise Invalid("Choose why you are flagging this post.", field="kind")
    if guardian.is_author(post):
        raise Invalid("You cannot flag your own post.", field="kind")
    if post.is_hidden or thread.is_hidden:
        raise Conflict("This post is already hidden from members, so it cannot be flagged.")
    ensure(guardian.can_flag_post(post, thread), "You cannot flag this post.")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid(
            "The comment can have at most %(count)s characters.",
            field="comment",
            count=MAX_COMMENT,
        )
    if existing_flag(session, guardian, post) is not None:
        raise Conflict("You have already flagged this post.")
    limit = community_settings().posts_limit_per_minute
    if not rate_limiter.allow(f"flag:{guardian.user_id}", limit=limit, window_seconds=60):
        raise RateLimited(
            "You are flagging too fast: at most %(count)s flags a minute. "
            "Wait a moment and try again.",
            count=limit,
        )
    now = clock.now()
    flag = Flag(
        post_id=post.id,  # type: ignore[arg-type]
        thread_id=post.thread_id,
        flagger_id=guardian.user_id,
        kind=kind,
        comment=comment,
        # Trusted members' flags weigh more in the queue (community.ranks).
        weight=ranks.flag_weight(guardian.user) if guardian.user is not None else 1.0,
        created_at=now,
    )
    session.add(flag)
    try:
        session.flush()
    except IntegrityError:  # the same member, twice at once
        session.rollback()
        raise Conflict("You have already flagged this post.") from None
    events.record(
        session,
        "flag_raised",
        at=now,
        thread_id=post.thread_id,
        flag_id=flag.id,
        post_id=post.id,
        kind=str(kind),
        flagger_id=guardian.user_id,
    )
    session.commit()
    return flag


def get_flag(session: Session, guardian: Guardian, flag_id: int) -> Flag:
    ensure_signed_in(guardian)
    ensure(guardian.can_resolve_flags(), "Only moderators can resolve flags.")
    flag = session.get(Flag, flag_id)
    if flag is None:
        raise NotFound("This flag does not exist.")
    return flag


def open_flags(
    session: Session, guardian: Guardian, thread: Thread, *, which: str = ""
) -> list[Flag]:
    """The thread's open flags: all of them, or only ``which`` = "members" (raised by members)
    or a kind ("mutual_kudos")."""
    ensure_signed_in(guardian)
    ensure(guardian.can_resolve_flags(), "Only moderators can resolve flags.")
    query = (
        select(Flag)
        .where(col(Flag.thread_id) == thread.id, col(Flag.status) == FlagStatus.open)
        .order_by(col(Flag.id))
    )
    if which == "members":
        query = query.where(col(Flag.kind).not_in([str(k) for k in SYSTEM_KINDS]))
    elif which:
        query = query.where(col(Flag.kind) == which)
    return list(session.exec(query))


def resolve(
    session: Session,
    guardian: Guardian,
    flags: list[Flag],
    *,
    status: FlagStatus,
    clock: Clock,
) -> list[Flag]:
    """Uphold or dismiss open flags; each flagger will be told. Resolving a resolved flag is a
    conflict (someone else got there first).

    Upholding a member's flag costs the post's author ``points_flag_upheld`` once per post (however
    many flags, however many times). A mutual-kudos flag is the moderator's verdict on the pair:
    dismissed clears it (their kudos earn points again), upheld confirms it; it costs no penalty
    (the pair's traded points were already taken back when it was detected)."""
    ensure_signed_in(guardian)
    ensure(guardian.can_resolve_flags(), "Only moderators can resolve flags.")
    if status not in (FlagStatus.upheld, FlagStatus.dismissed):
        raise Invalid("Choose upheld or dismissed.", field="status")
    if not flags:
        raise Conflict("There is no open flag to resolve here.")
    now = clock.now()
    resolved = resolve_within(session, flags, status=status, by_id=guardian.user_id, now=now)
    if len(resolved) < len(flags):  # someone else resolved one first: none of them, then
        session.rollback()
        raise Conflict("This flag was already resolved.")
    session.commit()
    for flag in flags:
        session.refresh(flag)
    return flags


def open_member_flags(session: Session, item: Post | Thread) -> list[Flag]:
    """The open flags members raised on ``item``, a post or every post of a thread (not the
    system's: see SYSTEM_KINDS)."""
    on = col(Flag.post_id) == item.id if isinstance(item, Post) else col(Flag.thread_id) == item.id
    query = (
        select(Flag)
        .where(
            on,
            col(Flag.status) == FlagStatus.open,
            col(Flag.kind).not_in([str(k) for k in SYSTEM_KINDS]),
        )
        .order_by(col(Flag.id))
    )
    return list(session.exec(query))


def resolve_within(
    session: Session, flags: list[Flag], *, status: FlagStatus, by_id: int, now: datetime
) -> list[Flag]:
    """Resolve those of ``flags`` still open in the caller's transaction, as ``resolve`` does
    (the caller checked the moderator and commits); the ones it resolved.

    Upholding a spam or abuse flag hides its post as the moderator's Hide button does (audited,
    undone by Unhide), and so upholds the post's other open flags, as that button does."""
    resolved = [f for f in flags if _close(session, f, status=status, by_id=by_id, now=now)]
    also: list[Flag] = []
    if status == FlagStatus.upheld:
        for post_id in sorted({f.post_id for f in resolved if f.kind in HIDING_KINDS}):
            post = session.get(Post, post_id)
            if post is None or post.is_deleted:
                continue
            if hiding.hide_post_within(session, post, by_id=by_id, now=now):
                also += [
                    f
                    for f in open_member_flags(session, post)
                    if _close(session, f, status=status, by_id=by_id, now=now)
                ]
    for flag in resolved + also:
        _record(session, flag, status=status, by_id=by_id, now=now)
    if status == FlagStatus.upheld:
        penalised = {f.post_id for f in resolved + also if f.kind not in SYSTEM_KINDS}
        for post_id in sorted(penalised):
            _penalise(session, post_id, moderator_id=by_id, now=now)
    return resolved


def _close(session: Session, flag: Flag, *, status: FlagStatus, by_id: int, now: datetime) -> bool:
    """Mark ``flag`` resolved unless it no longer is open. Conditional, so two moderators
    resolving at once cannot both tell the flagger."""
    changed = session.execute(
        update(Flag)
        .where(col(Flag.id) == flag.id, col(Flag.status) == FlagStatus.open)
        .values(status=status, resolved_by_id=by_id, resolved_at=now)
    )
    return bool(changed.rowcount == 1)  # type: ignore[attr-defined]


def _record(session: Session, flag: Flag, *, status: FlagStatus, by_id: int, now: datetime) -> None:
    """The audit entry and the ``flag_resolved`` event of a resolved flag, which says whether
    the post is now out of members' sight (the flagger is told so)."""
    assert flag.id is not None
    audit.record(
        session,
        actor_id=by_id,
        action=f"flag_{status}",
        target_type="flag",
        target_id=flag.id,
        before={"status": FlagStatus.open, "post_id": flag.post_id, "kind": flag.kind},
        after={"status": status, "post_id": flag.post_id, "kind": flag.kind},
        now=now,
    )
    events.record(
        session,
        "flag_resolved",
        at=now,
        thread_id=flag.thread_id,
        flag_id=flag.id,
        post_id=flag.post_id,
        kind=flag.kind,
        status=str(status),
        post_hidden=_out_of_sight(session, flag),
        by_id=by_id,
        flagger_id=flag.flagger_id,
    )
    if flag.kind == FlagKind.mutual_kudos and flag.pair_low_id and flag.pair_high_id:
        reputation.resolve_pair(
            session,
            flag.pair_low_id,
            flag.pair_high_id,
            cleared=status == FlagStatus.dismissed,
            by_id=by_id,
            at=now,
        )


def _out_of_sight(session: Session, flag: Flag) -> bool:
    post = session.get(Post, flag.post_id)
    thread = session.get(Thread, flag.thread_id)
    return (post is not None and post.is_hidden) or (thread is not None and thread.is_hidden)


def _penalise(session: Session, post_id: int, *, moderator_id: int, now: datetime) -> None:
    """The author's penalty for an upheld flag, unless the post already had one."""
    already = session.exec(
        select(col(ReputationEntry.id)).where(
            col(ReputationEntry.post_id) == post_id,
            col(ReputationEntry.reason) == ReputationReason.flag_upheld,
            col(ReputationEntry.reverses_id).is_(None),
            col(ReputationEntry.reversed_at).is_(None),
        )
    ).first()
    post = session.get(Post, post_id)
    if already is None and post is not None:
        reputation.on_flag_upheld(session, post, moderator_id=moderator_id, at=now)
