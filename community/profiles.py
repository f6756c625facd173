"""What a member's public profile shows of their standing: rank and progress, badges, the
reputation ledger a page at a time, their recent answers and accepted solutions.

Every query is an index walk bounded by the member's own rows (``ix_reputation_entry_user``,
``ix_post_author_created``, ``badge_award``'s unique (user_id, badge)) plus lookups by primary
key, so a profile costs the same with 20,000 members as with twenty. Totals come from
``User.reputation`` (kept by community.reputation), never from summing the ledger.

The ledger is public, but what it points at is not always: a row about a post the reader may
not see (hidden by moderation, deleted, in a hidden thread) keeps its points and reason and
loses its title, link and ids. Its reasons speak to the member on their own profile ("Kudos on
your answer") and about them to everyone else ("Kudos received on an answer").
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from community import badges, profile_counts, ranks
from community.i18n import N_
from community.models import (
    Kudos,
    Post,
    ReputationEntry,
    ReputationReason,
    Solution,
    Thread,
    User,
)
from community.policy import Guardian

LEDGER_PAGE = 20
RECENT = 5

# Why points moved, as the member reads it on their own profile and as everyone else reads it
# on theirs: "your answer" is only ever said to its author.
OWN_REASONS: dict[str, str] = {
    ReputationReason.answer_kudos: N_("Kudos on your answer"),
    ReputationReason.question_kudos: N_("Kudos on your question"),
    ReputationReason.answer_accepted: N_("Answer accepted"),
    ReputationReason.accepted_answer: N_("You accepted an answer"),
    ReputationReason.rescue: N_("First answer to a thread that had waited"),
    ReputationReason.flag_upheld: N_("A moderator upheld a flag on your post"),
}
THEIR_REASONS: dict[str, str] = {
    ReputationReason.answer_kudos: N_("Kudos received on an answer"),
    ReputationReason.question_kudos: N_("Kudos received on a question"),
    ReputationReason.answer_accepted: N_("Answer accepted"),
    ReputationReason.accepted_answer: N_("Accepted an answer"),
    ReputationReason.rescue: N_("First answer to a thread that had waited"),
    ReputationReason.flag_upheld: N_("A moderator upheld a flag on one of their posts"),
}
# The asker's +2 when a moderator, not the asker, chose the solution to their question.
OWN_QUESTION_SOLVED = N_("A moderator chose the solution to your question")
THEIR_QUESTION_SOLVED = N_("A moderator chose the solution to their question")
POST_DELETED = N_("Post deleted")
KUDOS_WITHDRAWN = N_("Kudos withdrawn")
KUDOS_SET_ASIDE = N_("Kudos no longer counted")
SOLUTION_UNMARKED = N_("Solution unmarked")
PENALTY_LIFTED = N_("Penalty lifted")
OTHER = N_("Reputation change")
NOTES: dict[str, str] = {
    "daily_cap": N_("daily limit for kudos reached"),
    "mutual_kudos": N_("not counted: mutual kudos"),
}


@dataclass(frozen=True)
class LedgerRow:
    entry: ReputationEntry
    reason: str  # an English msgid: translate where shown
    note: str  # ditto, or ""
    # The post and its thread, only when the reader may see them (else None: no title, no link).
    post: Post | None
    thread: Thread | None

    @property
    def is_reversal(self) -> bool:
        return self.entry.reverses_id is not None


@dataclass(frozen=True)
class LedgerPage:
    rows: list[LedgerRow]
    next_cursor: int | None  # the ``before`` of the next (older) page


def ledger(
    session: Session,
    guardian: Guardian,
    user: User,
    *,
    before: int | None = None,
    limit: int = LEDGER_PAGE,
) -> LedgerPage:
    """The member's reputation history, newest first, ``limit`` rows older than ``before``."""
    query = select(ReputationEntry).where(col(ReputationEntry.user_id) == user.id)
    if before is not None:
        query = query.where(col(ReputationEntry.id) < before)
    query = query.order_by(col(ReputationEntry.id).desc()).limit(limit + 1)
    entries = list(session.exec(query))
    more = len(entries) > limit
    entries = entries[:limit]
    posts = _posts(session, {e.post_id for e in entries if e.post_id is not None})
    threads = _threads(session, {p.thread_id for p in posts.values()})
    still_given = _kudos_still_given(session, entries)
    own = guardian.user is not None and guardian.user.id == user.id
    rows = []
    for entry in entries:
        post = posts.get(entry.post_id) if entry.post_id is not None else None
        thread = threads.get(post.thread_id) if post is not None else None
        shown = post is not None and thread is not None and _may_see(guardian, post, thread)
        rows.append(
            LedgerRow(
                entry=entry,
                reason=reason_label(entry, post, still_given, own=own),
                note=NOTES.get(entry.note, ""),
                post=post if shown else None,
                thread=thread if shown else None,
            )
        )
    next_cursor = entries[-1].id if more and entries else None
    return LedgerPage(rows=rows, next_cursor=next_cursor)


def _posts(session: Session, ids: set[int]) -> dict[int, Post]:
    if not ids:
        return {}
    return {
        row.id: row for row in session.exec(select(Post).where(col(Post.id).in_(ids))) if row.id
    }


def _threads(session: Session, ids: set[int]) -> dict[int, Thread]:
    if not ids:
        return {}
    query = select(Thread).where(col(Thread.id).in_(ids))
    return {row.id: row for row in session.exec(query) if row.id}


def _may_see(guardian: Guardian, post: Post, thread: Thread) -> bool:
    return (
        guardian.can_see_thread(thread)
        and guardian.can_see_post(post)
        and (not post.is_deleted or guardian.can_moderate())
    )


def _kudos_still_given(session: Session, entries: list[ReputationEntry]) -> set[tuple[int, int]]:
    """(post, giver) pairs among the reversed kudos rows whose kudos is still there (the points
    were set aside for mutual kudos, not withdrawn)."""
    pairs = {
        (e.post_id, e.actor_id)
        for e in entries
        if e.reverses_id is not None
        and e.reason in (ReputationReason.answer_kudos, ReputationReason.question_kudos)
        and e.post_id is not None
        and e.actor_id is not None
    }
    if not pairs:
        return set()
    query = select(col(Kudos.post_id), col(Kudos.user_id)).where(
        col(Kudos.post_id).in_({p for p, _ in pairs}),
        col(Kudos.user_id).in_({a for _, a in pairs}),
    )
    return {(p, u) for p, u in session.exec(query) if (p, u) in pairs}


def reason_label(
    entry: ReputationEntry, post: Post | None, still_given: set[tuple[int, int]], *, own: bool
) -> str:
    """Why the points moved, in words (an English msgid): to the member themselves when ``own``,
    else about them."""
    if entry.reverses_id is None:
        if entry.reason == ReputationReason.accepted_answer and entry.actor_id != entry.user_id:
            return OWN_QUESTION_SOLVED if own else THEIR_QUESTION_SOLVED
        return (OWN_REASONS if own else THEIR_REASONS).get(entry.reason, OTHER)
    if (
        post is not None
        and post.deleted_at is not None
        and entry.created_at >= post.deleted_at
        and entry.reason != ReputationReason.flag_upheld
    ):
        return POST_DELETED
    if entry.reason in (ReputationReason.answer_kudos, ReputationReason.question_kudos):
        if (entry.post_id, entry.actor_id) in still_given:
            return KUDOS_SET_ASIDE
        return KUDOS_WITHDRAWN
    if entry.reason in (ReputationReason.answer_accepted, ReputationReason.accepted_answer):
        return SOLUTION_UNMARKED
    if entry.reason == ReputationReason.flag_upheld:
        return PENALTY_LIFTED
    return POST_DELETED if entry.reason == ReputationReason.rescue else OTHER


# Badges, answers and solutions -----------------------------------------------------------------


@dataclass(frozen=True)
class EarnedBadge:
    badge: str
    label: str  # English msgids
    description: str
    awarded_at: datetime


def earned_badges(session: Session, user: User) -> list[EarnedBadge]:
    """The member's badges with the date earned, earliest first (visible to everyone)."""
    assert user.id is not None
    earned = []
    for award in badges.badges_of(session, user.id):
        info = badges.info(award.badge)
        if info is not None:
            earned.append(EarnedBadge(award.badge, info.label, info.description, award.awarded_at))
    return earned


@dataclass(frozen=True)
class PostLink:
    post: Post
    thread: Thread


def _public_posts_of(user: User) -> Any:
    """The member's answers (community.profile_counts), newest first: ``User.answer_count`` of
    them; those that are their thread's solution are ``User.solution_count``."""
    return (
        select(Post, Thread)
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .where(col(Post.author_id) == user.id, *profile_counts.ANSWER)
        # ix_post_author_created, walked backwards
        .order_by(col(Post.author_id).desc(), col(Post.created_at).desc())
    )


def recent_answers(session: Session, user: User, *, limit: int = RECENT) -> list[PostLink]:
    """The member's latest public replies to other members' threads."""
    query = _public_posts_of(user).limit(limit)
    return [PostLink(post, thread) for post, thread in session.exec(query)]


def recent_solutions(session: Session, user: User, *, limit: int = RECENT) -> list[PostLink]:
    """The member's latest public answers that are their thread's accepted solution."""
    query = (
        _public_posts_of(user).join(Solution, col(Solution.post_id) == col(Post.id)).limit(limit)
    )
    return [PostLink(post, thread) for post, thread in session.exec(query)]


@dataclass(frozen=True)
class Standing:
    progress: ranks.Progress
    badges: list[EarnedBadge]
    answers: list[PostLink]
    solutions: list[PostLink]

    @property
    def rank_label(self) -> str:
        return ranks.LABELS[self.progress.rank]

    @property
    def next_rank_label(self) -> str | None:
        following = self.progress.next_rank
        return ranks.LABELS[following] if following is not None else None


def standing(session: Session, user: User) -> Standing:
    return Standing(
        progress=ranks.progress(user.reputation),
        badges=earned_badges(session, user),
        answers=recent_answers(session, user),
        solutions=recent_solutions(session, user),
    )
