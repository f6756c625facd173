"""Badges: rules that run on outbox events (the ``badges`` consumer) and award each member each
badge at most once (``badge_award`` is unique per member and badge).

Handlers run inside the savepoint the worker opens for each delivery and never commit. They read
the database when they run rather than trusting the payload, and they are idempotent: an award
that exists is left alone, and two workers racing to insert the same one end with one row (the
loser's IntegrityError is rolled back to its own savepoint). ``award_all`` evaluates the same
rules for every member in bulk, for rows loaded without events (``peerdesk seed``).

| badge          | when                                                                     |
| first_answer   | the member's first reply to someone else's thread (post_created)         |
| first_solution | their first answer accepted as a solution (solution_accepted)             |
| solutions_10   | User.solution_count reaches 10 (solution_accepted)                        |
| solutions_100  | ... reaches 100                                                           |
| kudos_50       | one of their answers reaches 50 kudos (kudos_given)                       |
| lifeline       | their accepted answer was a rescue: the first reply to a thread that had  |
|                | waited ``rescue_after_hours`` (a standing ``rescue`` ledger row)          |
| bilingual      | they have answered in Italian and in English (post_signalled: Post.language|
|                | is set by moderation's signals worker)                                    |
| advocate       | a moderator nominated them to the advocate programme (advocate_nominated) |
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, literal, null, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from community import events
from community.i18n import N_
from community.models import (
    BadgeAward,
    Kudos,
    Post,
    ReputationEntry,
    ReputationReason,
    Solution,
    Thread,
    User,
)

CONSUMER = "badges"
KUDOS_ON_ONE_ANSWER = 50
SOLUTION_MILESTONES = ((1, "first_solution"), (10, "solutions_10"), (100, "solutions_100"))
BILINGUAL_LANGUAGES = ("it", "en")


class Badge(StrEnum):
    first_answer = "first_answer"
    first_solution = "first_solution"
    solutions_10 = "solutions_10"
    solutions_100 = "solutions_100"
    kudos_50 = "kudos_50"
    lifeline = "lifeline"
    bilingual = "bilingual"
    advocate = "advocate"


@dataclass(frozen=True)
class BadgeInfo:
    badge: Badge
    label: str  # English msgids: translate with _() where shown
    description: str


BADGES: dict[Badge, BadgeInfo] = {
    info.badge: info
    for info in (
        BadgeInfo(Badge.first_answer, N_("First answer"), N_("Answered someone else's question")),
        BadgeInfo(
            Badge.first_solution,
            N_("First solution"),
            N_("Gave an answer that was accepted as the solution"),
        ),
        BadgeInfo(Badge.solutions_10, N_("Problem solver"), N_("10 accepted solutions")),
        BadgeInfo(Badge.solutions_100, N_("Master solver"), N_("100 accepted solutions")),
        BadgeInfo(Badge.kudos_50, N_("Great answer"), N_("50 kudos on one answer")),
        BadgeInfo(
            Badge.lifeline,
            N_("Lifeline"),
            N_("Gave the accepted answer to a question that had waited a day for a reply"),
        ),
        BadgeInfo(Badge.bilingual, N_("Bilingual"), N_("Answered in both Italian and English")),
        BadgeInfo(
            Badge.advocate,
            N_("Advocate"),
            N_("Nominated by the moderators to the advocate programme"),
        ),
    )
}


def info(badge: str) -> BadgeInfo | None:
    """The badge's label and description, or None for an id this version does not know."""
    try:
        return BADGES[Badge(badge)]
    except ValueError:
        return None


# Awarding --------------------------------------------------------------------------------------


def has_badge(session: Session, user_id: int, badge: Badge) -> bool:
    query = select(col(BadgeAward.id)).where(
        col(BadgeAward.user_id) == user_id, col(BadgeAward.badge) == badge
    )
    return session.execute(query).first() is not None


def grant(
    session: Session, user_id: int, badge: Badge, *, at: datetime, post_id: int | None = None
) -> BadgeAward | None:
    """Award ``badge`` unless the member has it, and announce it (``badge_awarded``, which
    notifies the member); returns the new award, or None. Never commits."""
    if has_badge(session, user_id, badge):
        return None
    award = BadgeAward(user_id=user_id, badge=badge, post_id=post_id, awarded_at=at)
    try:
        with session.begin_nested():
            session.add(award)
            session.flush()
    except IntegrityError:  # another worker awarded it between our check and our insert
        return None
    post = session.get(Post, post_id) if post_id is not None else None
    events.record(
        session,
        "badge_awarded",
        at=at,
        thread_id=post.thread_id if post is not None else None,
        user_id=user_id,
        badge=badge.value,
        post_id=post_id,
    )
    return award


def badges_of(session: Session, user_id: int) -> list[BadgeAward]:
    """The member's badges, earliest first (one index lookup: the unique (user_id, badge))."""
    query = (
        select(BadgeAward)
        .where(col(BadgeAward.user_id) == user_id)
        .order_by(col(BadgeAward.awarded_at), col(BadgeAward.id))
    )
    return list(session.scalars(query))


# The consumer ----------------------------------------------------------------------------------


def consumer() -> events.Consumer:
    return events.Consumer(
        name=CONSUMER,
        handlers={
            "post_created": on_post_created,
            "post_published": on_post_published,
            "post_unhidden": on_shown_again,
            "thread_unhidden": on_shown_again,
            "solution_accepted": on_solution_accepted,
            "kudos_given": on_kudos_given,
            "post_signalled": on_post_signalled,
            "advocate_nominated": on_advocate_nominated,
        },
        batch_size=100,
    )


def _live(session: Session, post_id: Any) -> tuple[Post, Thread] | None:
    """The post and its thread while everyone can read the post: one held for review (or hidden)
    earns nothing, and earns it when it is published (``post_published``)."""
    post = session.get(Post, int(post_id))
    if post is None or post.is_deleted or post.is_hidden or post.published_at is None:
        return None
    thread = session.get(Thread, post.thread_id)
    if thread is None or thread.is_deleted or thread.is_hidden:
        return None
    return post, thread


def _is_answer(post: Post, thread: Thread) -> bool:
    """A reply to someone else's question."""
    return not post.is_question and post.author_id != thread.author_id


def on_post_created(session: Session, event: events.OutboxEvent) -> None:
    found = _live(session, event.data["post_id"])
    if found is None or not _is_answer(*found):
        return
    post, _ = found
    grant(session, post.author_id, Badge.first_answer, at=event.created_at, post_id=post.id)


def on_post_published(session: Session, event: events.OutboxEvent) -> None:
    """A post out of review: what it would have earned when it was written."""
    on_post_created(session, event)
    on_post_signalled(session, event)
    on_shown_again(session, event)


def on_solution_accepted(session: Session, event: events.OutboxEvent) -> None:
    found = _live(session, event.data["post_id"])
    if found is None or not _is_answer(*found):
        return
    post, thread = found
    solution = session.get(Solution, thread.id)
    if solution is None or solution.post_id != post.id:
        return  # unmarked (or replaced) before we got here
    _grant_solution_milestones(session, post, at=event.created_at)
    if _is_rescue(session, post):
        grant(session, post.author_id, Badge.lifeline, at=event.created_at, post_id=post.id)


def on_shown_again(session: Session, event: events.OutboxEvent) -> None:
    """A post or thread shown again (or published): the thread's accepted solution, if that was
    out of sight, counts for its author again (community.profile_counts), and may complete a
    milestone that its acceptance could not."""
    solution = session.get(Solution, event.thread_id) if event.thread_id else None
    found = _live(session, solution.post_id) if solution is not None else None
    if found is not None and _is_answer(*found):
        _grant_solution_milestones(session, found[0], at=event.created_at)


def _grant_solution_milestones(session: Session, post: Post, *, at: datetime) -> None:
    author = session.get(User, post.author_id)
    if author is None:
        return
    for threshold, badge in SOLUTION_MILESTONES:
        if author.solution_count >= threshold:
            grant(session, post.author_id, Badge(badge), at=at, post_id=post.id)


def _is_rescue(session: Session, post: Post) -> bool:
    query = select(col(ReputationEntry.id)).where(
        col(ReputationEntry.post_id) == post.id,  # ix_reputation_entry_post (post_id, reason)
        col(ReputationEntry.reason) == ReputationReason.rescue,
        col(ReputationEntry.user_id) == post.author_id,
        col(ReputationEntry.reverses_id).is_(None),
        col(ReputationEntry.reversed_at).is_(None),
    )
    return session.execute(query).first() is not None


def on_kudos_given(session: Session, event: events.OutboxEvent) -> None:
    found = _live(session, event.data["post_id"])
    if found is None or not _is_answer(*found):
        return
    post, _ = found
    if post.kudos_count >= KUDOS_ON_ONE_ANSWER:
        grant(session, post.author_id, Badge.kudos_50, at=event.created_at, post_id=post.id)


def on_post_signalled(session: Session, event: events.OutboxEvent) -> None:
    found = _live(session, event.data["post_id"])
    if found is None or not _is_answer(*found):
        return
    post, _ = found
    if post.language not in BILINGUAL_LANGUAGES:
        return
    if has_badge(session, post.author_id, Badge.bilingual):
        return
    other = next(lang for lang in BILINGUAL_LANGUAGES if lang != post.language)
    if _has_answered_in(session, post.author_id, other):
        grant(session, post.author_id, Badge.bilingual, at=event.created_at, post_id=post.id)


def _has_answered_in(session: Session, user_id: int, language: str) -> bool:
    """Whether the member has a live reply to someone else's thread in ``language`` (walks the
    member's posts by ix_post_author_created)."""
    query = (
        select(col(Post.id))
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .where(
            col(Post.author_id) == user_id,
            col(Post.language) == language,
            col(Post.post_number) > 1,
            col(Post.deleted_at).is_(None),
            col(Post.hidden_at).is_(None),
            col(Post.published_at).is_not(None),
            col(Thread.author_id) != user_id,
            col(Thread.deleted_at).is_(None),
        )
        .limit(1)
    )
    return session.execute(query).first() is not None


def on_advocate_nominated(session: Session, event: events.OutboxEvent) -> None:
    user_id = int(event.data["user_id"])
    if session.get(User, user_id) is not None:
        grant(session, user_id, Badge.advocate, at=event.created_at)


# Every member at once --------------------------------------------------------------------------


def _answers() -> Any:
    """Published, live replies to someone else's live thread: (post id, author, published_at,
    language)."""
    return (
        select(
            col(Post.id).label("post_id"),
            col(Post.author_id).label("user_id"),
            col(Post.published_at).label("published_at"),
            col(Post.language).label("language"),
            col(Post.kudos_count).label("kudos_count"),
        )
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .where(
            col(Post.post_number) > 1,
            col(Post.deleted_at).is_(None),
            col(Post.hidden_at).is_(None),
            col(Post.published_at).is_not(None),
            col(Post.author_id) != col(Thread.author_id),
            col(Thread.deleted_at).is_(None),
        )
    )


def _ranked_per_member(rows: Any, at: Any) -> Any:
    """``rows`` (user_id, post_id and the time ``at``) with ``n``: the n-th of the member's."""
    return select(
        rows.c.user_id,
        rows.c.post_id,
        at.label("at"),
        func.row_number()
        .over(partition_by=rows.c.user_id, order_by=(at, rows.c.post_id))
        .label("n"),
    ).subquery()


def _earliest_per_member(badge: Badge, rows: Any, at: Any) -> Any:
    """``badge`` for each member's earliest of ``rows`` (user_id, post_id and the time ``at``)."""
    ranked = _ranked_per_member(rows, at)
    return select(
        literal(badge.value).label("badge"),
        ranked.c.user_id,
        ranked.c.post_id,
        ranked.c.at,
    ).where(ranked.c.n == 1)


def _first_answers() -> Any:
    answers = _answers().subquery()
    return _earliest_per_member(Badge.first_answer, answers, answers.c.published_at)


def _accepted() -> Any:
    """Standing solutions of answers: (user, post, accepted at, n-th of the member's)."""
    solved = (
        select(
            col(Post.author_id).label("user_id"),
            col(Post.id).label("post_id"),
            col(Solution.accepted_at).label("accepted_at"),
        )
        .join(Post, col(Post.id) == col(Solution.post_id))
        .join(Thread, col(Thread.id) == col(Solution.thread_id))
        .where(
            col(Post.deleted_at).is_(None),
            col(Thread.deleted_at).is_(None),
            col(Post.author_id) != col(Thread.author_id),
        )
        .subquery()
    )
    return _ranked_per_member(solved, solved.c.accepted_at)


def _solution_milestones() -> list[Any]:
    accepted = _accepted()
    return [
        select(
            literal(badge).label("badge"),
            accepted.c.user_id,
            accepted.c.post_id,
            accepted.c.at,
        ).where(accepted.c.n == threshold)
        for threshold, badge in SOLUTION_MILESTONES
    ]


def _lifelines() -> Any:
    rescued = (
        select(
            col(Post.author_id).label("user_id"),
            col(Post.id).label("post_id"),
            col(Solution.accepted_at).label("at"),
        )
        .join(Post, col(Post.id) == col(Solution.post_id))
        .join(
            ReputationEntry,
            (col(ReputationEntry.post_id) == col(Post.id))
            & (col(ReputationEntry.reason) == ReputationReason.rescue.value)
            & (col(ReputationEntry.user_id) == col(Post.author_id)),
        )
        .where(
            col(Post.deleted_at).is_(None),
            col(ReputationEntry.reverses_id).is_(None),
            col(ReputationEntry.reversed_at).is_(None),
        )
        .subquery()
    )
    return _earliest_per_member(Badge.lifeline, rescued, rescued.c.at)


def _great_answers() -> Any:
    """The first answer of each member to reach 50 kudos, dated by its 50th kudos."""
    popular = (
        select(col(Post.id).label("post_id"), col(Post.author_id).label("user_id"))
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .where(
            col(Post.kudos_count) >= KUDOS_ON_ONE_ANSWER,
            col(Post.post_number) > 1,
            col(Post.deleted_at).is_(None),
            col(Post.author_id) != col(Thread.author_id),
        )
        .subquery()
    )
    nth = (
        select(
            col(Kudos.post_id).label("post_id"),
            col(Kudos.created_at).label("at"),
            func.row_number()
            .over(partition_by=col(Kudos.post_id), order_by=(col(Kudos.created_at), col(Kudos.id)))
            .label("n"),
        )
        .where(col(Kudos.post_id).in_(select(popular.c.post_id)))
        .subquery()
    )
    reached = (
        select(popular.c.user_id, popular.c.post_id, nth.c.at)
        .join(nth, nth.c.post_id == popular.c.post_id)
        .where(nth.c.n == KUDOS_ON_ONE_ANSWER)
        .subquery()
    )
    return _earliest_per_member(Badge.kudos_50, reached, reached.c.at)


def _bilingual() -> Any:
    """Members with answers in both languages, dated by their first answer in the later one."""
    answers = _answers().where(col(Post.language).in_(BILINGUAL_LANGUAGES)).subquery()
    firsts = (
        select(
            answers.c.user_id,
            answers.c.language,
            func.min(answers.c.published_at).label("first_at"),
        )
        .group_by(answers.c.user_id, answers.c.language)
        .subquery()
    )
    return (
        select(
            literal(Badge.bilingual.value).label("badge"),
            firsts.c.user_id,
            null().label("post_id"),
            func.max(firsts.c.first_at).label("at"),
        )
        .group_by(firsts.c.user_id)
        .having(func.count() == len(BILINGUAL_LANGUAGES))
    )


def _advocates() -> Any:
    return select(
        literal(Badge.advocate.value).label("badge"),
        col(User.id).label("user_id"),
        null().label("post_id"),
        col(User.advocate_since).label("at"),
    ).where(col(User.advocate_since).is_not(None))


def _earned() -> Iterable[Any]:
    return [
        _first_answers(),
        *_solution_milestones(),
        _lifelines(),
        _great_answers(),
        _bilingual(),
        _advocates(),
    ]


def award_all(session: Session) -> int:
    """Award every badge the data already earns, to every member, in bulk (``peerdesk seed``
    loads rows without events); each award is dated when it was earned (the first answer's time,
    the n-th solution's acceptance, the 50th kudos...). Members keep the badges they have.
    Commits; returns how many awards were added. Running it twice adds nothing."""
    have = {
        (user_id, badge)
        for user_id, badge in session.execute(
            select(col(BadgeAward.user_id), col(BadgeAward.badge))
        )
    }
    rows: list[dict[str, Any]] = []
    for badge, user_id, post_id, at in session.execute(union_all(*_earned())):
        if at is None or (user_id, badge) in have:
            continue
        have.add((user_id, badge))
        rows.append({"user_id": user_id, "badge": badge, "post_id": post_id, "awarded_at": at})
    if rows:
        session.bulk_insert_mappings(BadgeAward, rows)
    session.commit()
    return len(rows)
