"""The "care" outbox consumer: one CareThread row per thread, what the listening queue reads.

Every event about a thread rebuilds its row from the database (the handlers never trust or add up
payloads, so a re-delivered or reordered event cannot skew a count); ``catch_up`` builds the rows
of threads that were seeded without events. ``build`` works on a batch of threads with a fixed
number of queries, whatever the batch size.

**Priority.** The queue is ``ORDER BY urgent_at, thread_id`` over the rows ``in_queue``.
``urgent_at`` is the moment the thread's deadline passes, moved earlier by its severity:

    urgent_at = deadline - (sum of the weights below, in hours)

The deadline is the first-response deadline (``due_at`` = question + the category's target) while
the thread is unanswered, awaits the brand or reads negative; for a thread that is in the queue
only because of a flag, hidden personal data or abusive language, it is the moment that arrived
plus the target. Because both the deadline and the shift are fixed once the events are in,
ordering by ``urgent_at`` is the priority order at any "now" and nothing is recomputed as time
passes; the priority shown to people (``priority_level``) is derived from it when read.

Weights (hours moved earlier):

====================  ======================================================================
personal data hidden  24 (a customer's data waits for a moderator's review)
awaiting approval     12 (a newcomer's post with a link waits for a moderator, issue 6)
negative              8, while no official reply: a customer post reads negative
needs the brand       6, while no official reply
abusive language      6: a post reads toxic (and no moderator has hidden it)
flags                 4 per unit of open flags' weight (a member's flag weighs 1, a trusted
                      member's ``trusted_flag_weight``: community.ranks.flag_weight), at most 12
repeat contact        3 per contact, at most 9: the asker wrote again while waiting, or has
                      other open threads from the 7 days around this one
reach                 2 per doubling of 1 + "me too" votes + views / 100, at most 6
====================  ======================================================================

Signals come from ``PostSignal`` rows; a moderator's ``SignalCorrection`` overrides the model.
Negativity and needs-the-brand are read on the asker's own posts; abusive language on any post.

**In the queue** means: not deleted, merged away or hidden by a moderator, and either
personal data hidden, a post or question awaiting approval, or an open flag (even on a solved
thread: a flag always reaches a moderator), or, while neither solved nor locked: unanswered,
awaiting the brand, negative with no official reply, or toxic.

**Locked** threads take no more answers: a moderator locking one has dealt with it for the
brand, so it is neither unanswered, awaiting the brand nor negative, whatever its posts say (no
deadline, no weight for those). Like a solved thread, it stays in the queue only for what a
moderator must still act on: personal data hidden, a post awaiting approval (approved from the
queue) or an open flag; abusive language alone no longer keeps it. Unlocking it brings the other
reasons back (``thread_locked`` and ``thread_unlocked`` rebuild the row).
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, func, update
from sqlmodel import Session, col, select

from community import events
from community.clock import as_utc
from community.models import (
    HiddenReason,
    Notification,
    NotificationKind,
    Post,
    Role,
    Solution,
    Thread,
    User,
)
from moderation import care_figures, service_levels, sla_alerts
from moderation.models import (
    CareThread,
    Flag,
    FlagKind,
    FlagStatus,
    PostSignal,
    Sentiment,
    SignalCorrection,
    SupportCase,
)

CONSUMER = "care"
CATCH_UP_BATCH = 500
REPEAT_WINDOW = timedelta(days=7)

WEIGHT_PII = 24.0
WEIGHT_APPROVAL = 12.0
WEIGHT_NEGATIVE = 8.0
WEIGHT_NEEDS_BRAND = 6.0
WEIGHT_TOXIC = 6.0
WEIGHT_PER_FLAG = 4.0
MAX_FLAGS_SHIFT = 12.0
WEIGHT_PER_REPEAT = 3.0
MAX_REPEAT_SHIFT = 9.0
WEIGHT_PER_REACH_DOUBLING = 2.0
MAX_REACH_SHIFT = 6.0
VIEWS_PER_VOTE = 100

# The notification kind a flagger gets when their flag is resolved (community.NotificationKind).
FLAG_NOTIFICATION_KIND = NotificationKind.flag


# What a thread needs, worked out from the database -----------------------------------------------


@dataclass
class Facts:
    """Everything the row of one thread is made from (filled by ``_gather``)."""

    thread: Thread
    target: timedelta
    first_official_at: datetime | None = None
    negative_since: datetime | None = None
    sentiment_score: float = 0.0
    needs_brand: bool = False
    toxic_since: datetime | None = None
    pii_since: datetime | None = None
    approval_since: datetime | None = None
    open_flags: int = 0
    flag_weight: float = 0.0
    flagged_since: datetime | None = None
    follow_ups: int = 0
    other_threads: int = 0
    language: str | None = None
    me_too: int = 0  # kudos on the question
    moderator_post_ids: set[int] = field(default_factory=set)
    # For the analytics (moderation.care_figures).
    replies: care_figures.Replies = field(default_factory=care_figures.Replies)
    solver_id: int | None = None
    solver_is_brand: bool | None = None
    escalations: int = 0
    sentiments: dict[int, tuple[datetime, bool]] = field(default_factory=dict)  # post: negative?


def severity_hours(
    *,
    negative: bool,
    awaiting_brand: bool,
    toxic: bool,
    pii_hidden: bool,
    flag_weight: float,
    repeat_contact: int,
    me_too: int,
    views: int,
    awaiting_approval: bool = False,
) -> float:
    """How many hours earlier than its deadline a thread becomes urgent (see the module doc)."""
    shift = 0.0
    if pii_hidden:
        shift += WEIGHT_PII
    if awaiting_approval:
        shift += WEIGHT_APPROVAL
    if negative:
        shift += WEIGHT_NEGATIVE
    if awaiting_brand:
        shift += WEIGHT_NEEDS_BRAND
    if toxic:
        shift += WEIGHT_TOXIC
    shift += min(MAX_FLAGS_SHIFT, WEIGHT_PER_FLAG * flag_weight)
    shift += min(MAX_REPEAT_SHIFT, WEIGHT_PER_REPEAT * repeat_contact)
    reach = 1 + max(0, me_too) + max(0, views) / VIEWS_PER_VOTE
    shift += min(MAX_REACH_SHIFT, WEIGHT_PER_REACH_DOUBLING * math.log2(reach))
    return shift


def _row_values(facts: Facts) -> dict[str, object]:
    """The CareThread columns (all but the claim) for the gathered facts."""
    thread = facts.thread
    assert thread.id is not None
    created = as_utc(thread.created_at)
    due = service_levels.due_at(created, facts.target)
    official = facts.first_official_at
    # A locked thread takes no more answers: it waits for none, from anyone.
    waits = not thread.is_locked
    negative = waits and facts.negative_since is not None and official is None
    awaiting = waits and service_levels.is_awaiting_brand(facts.needs_brand, official)
    unanswered = waits and service_levels.is_unanswered(thread.first_response_at)
    toxic = facts.toxic_since is not None
    pii = facts.pii_since is not None
    approval = facts.approval_since is not None
    live = (
        thread.deleted_at is None
        and thread.merged_into_id is None
        and not (thread.hidden_at is not None and thread.hidden_reason == HiddenReason.moderator)
    )
    # Solved or locked, a thread stays only for what a moderator must act on whatever its state.
    open_need = (
        thread.solved_at is None
        and not thread.is_locked
        and (unanswered or awaiting or negative or toxic)
    )
    in_queue = live and (pii or approval or facts.open_flags > 0 or open_need)
    # The deadline: the first-response one while the thread waits for an answer, otherwise the
    # target counted from the moment the later need arose.
    deadlines: list[datetime] = []
    if unanswered or awaiting or negative:
        deadlines.append(due)
    for since in (facts.pii_since, facts.approval_since, facts.flagged_since, facts.toxic_since):
        if since is not None:
            deadlines.append(as_utc(since) + facts.target)
    deadline = min(deadlines) if deadlines else due
    repeat = facts.follow_ups + facts.other_threads
    me_too = facts.me_too
    shift = severity_hours(
        negative=negative,
        awaiting_brand=awaiting,
        toxic=toxic,
        pii_hidden=pii,
        awaiting_approval=approval,
        flag_weight=facts.flag_weight,
        repeat_contact=repeat,
        me_too=me_too,
        views=thread.view_count,
    )
    return {
        "category_id": thread.category_id,
        "customer_id": thread.author_id,
        "language": facts.language or thread.language,
        "created_at": created,
        "due_at": due,
        "urgent_at": deadline - timedelta(hours=shift),
        "first_response_at": thread.first_response_at,
        "first_official_at": official,
        "needs_brand": facts.needs_brand,
        "negative": facts.negative_since is not None,
        "sentiment_score": facts.sentiment_score,
        "toxic": toxic,
        "pii_hidden": pii,
        "awaiting_approval": approval,
        "open_flags": facts.open_flags,
        "me_too": me_too,
        "repeat_contact": repeat,
        "locked": thread.is_locked,
        "in_queue": in_queue,
        **care_figures.figure_columns(
            thread,
            facts.replies,
            solver_id=facts.solver_id,
            solver_is_brand=facts.solver_is_brand,
            escalations=facts.escalations,
        ),
    }


def _gather(session: Session, thread_ids: Sequence[int]) -> dict[int, Facts]:
    threads = session.exec(select(Thread).where(col(Thread.id).in_(thread_ids))).all()
    targets = service_levels.targets(session)
    default = service_levels.default_target()
    facts = {
        t.id: Facts(thread=t, target=targets.get(t.category_id, default))
        for t in threads
        if t.id is not None
    }
    if not facts:
        return facts
    ids = list(facts)
    staff = {Role.moderator.value, Role.admin.value}

    # Posts still there, with their authors' roles.
    posts = session.exec(
        select(Post, col(User.role))
        .join(User, col(User.id) == col(Post.author_id))
        .where(col(Post.thread_id).in_(ids), col(Post.deleted_at).is_(None))
        .order_by(col(Post.thread_id), col(Post.post_number))
    ).all()
    # The askers of questions merged into a thread: more of the question, not replies to it.
    merged_askers: dict[int, set[int]] = defaultdict(set)
    for into_id, author_id in session.exec(
        select(col(Thread.merged_into_id), col(Thread.author_id)).where(
            col(Thread.merged_into_id).in_(ids)
        )
    ):
        if into_id is not None:
            merged_askers[into_id].add(author_id)
    asker_posts: dict[int, list[Post]] = defaultdict(list)
    moderator_hidden: set[int] = set()
    live_posts: dict[int, Post] = {}
    posts_by_id: dict[int, Post] = {}
    last_other: dict[int, datetime] = {}
    for post, role in posts:
        f = facts[post.thread_id]
        thread = f.thread
        assert post.id is not None
        posts_by_id[post.id] = post
        if (
            post.post_number > 1
            and post.author_id != thread.author_id
            and post.author_id not in merged_askers[post.thread_id]
            and post.hidden_at is None
            and as_utc(post.created_at) >= as_utc(thread.created_at)
        ):
            f.replies.see(post.published_at or post.created_at, brand=role in staff)
        if post.hidden_at is not None and post.hidden_reason == HiddenReason.moderator:
            moderator_hidden.add(post.id)
            continue
        live_posts[post.id] = post
        if post.post_number == 1:
            f.me_too = post.kudos_count
        if post.hidden_at is not None and post.hidden_reason == HiddenReason.personal_data:
            f.pii_since = _earliest(f.pii_since, post.hidden_at)
        if post.hidden_at is not None and post.hidden_reason == HiddenReason.awaiting_approval:
            f.approval_since = _earliest(f.approval_since, post.hidden_at)
        if post.author_id == thread.author_id:
            asker_posts[post.thread_id].append(post)
            continue
        if post.post_number > 1:
            last_other[post.thread_id] = _latest(last_other.get(post.thread_id), post.created_at)
            if role in staff:
                f.first_official_at = _earliest(
                    f.first_official_at, post.published_at or post.created_at
                )
                f.moderator_post_ids.add(post.id)
    for thread_id, f in facts.items():
        thread = f.thread
        if thread.hidden_at is not None and thread.hidden_reason == HiddenReason.personal_data:
            f.pii_since = _earliest(f.pii_since, thread.hidden_at)
        if thread.hidden_at is not None and thread.hidden_reason == HiddenReason.awaiting_approval:
            f.approval_since = _earliest(f.approval_since, thread.hidden_at)
        since = last_other.get(thread_id)
        f.follow_ups = sum(
            1
            for p in asker_posts.get(thread_id, [])
            if p.post_number > 1 and (since is None or as_utc(p.created_at) > as_utc(since))
        )

    # Signals, with the moderators' corrections on top.
    signals = session.exec(select(PostSignal).where(col(PostSignal.thread_id).in_(ids))).all()
    corrections: dict[tuple[int, str], str] = {}
    signal_post_ids = [s.post_id for s in signals]
    for chunk in care_figures.chunks(signal_post_ids):
        for c in session.exec(
            select(SignalCorrection).where(col(SignalCorrection.post_id).in_(chunk))
        ):
            corrections[(c.post_id, c.signal)] = c.value
    for signal in signals:
        sentiment = corrections.get((signal.post_id, "sentiment"), signal.sentiment)
        written = posts_by_id.get(signal.post_id)
        if written is not None and written.thread_id in facts:
            facts[written.thread_id].sentiments[signal.post_id] = (
                written.created_at,
                sentiment == Sentiment.negative,
            )
        signalled = live_posts.get(signal.post_id)
        if signalled is None:
            continue
        post = signalled
        f = facts[signal.thread_id]
        if post.post_number == 1:
            f.language = signal.language
        needs = _flag_value(corrections.get((post.id, "needs_brand")), signal.needs_brand)  # type: ignore[arg-type]
        toxic = _flag_value(corrections.get((post.id, "toxic")), signal.toxic)  # type: ignore[arg-type]
        if toxic:
            f.toxic_since = _earliest(f.toxic_since, post.created_at)
        if post.author_id != f.thread.author_id:
            continue
        if sentiment == Sentiment.negative:
            f.negative_since = _earliest(f.negative_since, post.created_at)
            f.sentiment_score = max(f.sentiment_score, float(signal.sentiment_score))
        if needs:
            f.needs_brand = True

    # Accepted answers, and whether the brand wrote them.
    for thread_id, author_id, role in session.exec(
        select(col(Solution.thread_id), col(Post.author_id), col(User.role))
        .join(Post, col(Post.id) == col(Solution.post_id))
        .join(User, col(User.id) == col(Post.author_id))
        .where(col(Solution.thread_id).in_(ids))
    ):
        facts[thread_id].solver_id = author_id
        facts[thread_id].solver_is_brand = role in staff
    for case_thread_id, opened in session.exec(
        select(col(SupportCase.thread_id), func.count())
        .where(col(SupportCase.thread_id).in_(ids))
        .group_by(col(SupportCase.thread_id))
    ):
        if case_thread_id is not None:
            facts[case_thread_id].escalations = int(opened)

    # Open flags.
    flags = session.exec(
        select(Flag).where(col(Flag.thread_id).in_(ids), col(Flag.status) == FlagStatus.open)
    ).all()
    for flag in flags:
        if flag.post_id in moderator_hidden:
            continue
        f = facts[flag.thread_id]
        f.open_flags += 1
        f.flag_weight += flag.weight
        f.flagged_since = _earliest(f.flagged_since, flag.created_at)

    # The same customer's other open threads from the 7 days around each thread.
    customers = {f.thread.author_id for f in facts.values()}
    oldest = min(as_utc(f.thread.created_at) for f in facts.values()) - REPEAT_WINDOW
    recent: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for chunk in care_figures.chunks(sorted(customers)):
        rows = session.exec(
            select(col(Thread.id), col(Thread.author_id), col(Thread.created_at)).where(
                col(Thread.author_id).in_(chunk),
                col(Thread.created_at) >= oldest,
                col(Thread.deleted_at).is_(None),
                col(Thread.solved_at).is_(None),
                col(Thread.merged_into_id).is_(None),
            )
        ).all()
        for other_id, author_id, created_at in rows:
            if other_id is not None:
                recent[author_id].append((other_id, as_utc(created_at)))
    for thread_id, f in facts.items():
        created = as_utc(f.thread.created_at)
        f.other_threads = sum(
            1
            for other_id, other_created in recent.get(f.thread.author_id, [])
            if other_id != thread_id and abs(other_created - created) <= REPEAT_WINDOW
        )
    return facts


def _flag_value(corrected: str | None, model: bool) -> bool:
    return model if corrected is None else corrected == "true"


def _earliest(current: datetime | None, value: datetime | None) -> datetime | None:
    if value is None:
        return current
    return as_utc(value) if current is None else min(current, as_utc(value))


def _latest(current: datetime | None, value: datetime) -> datetime:
    return as_utc(value) if current is None else max(current, as_utc(value))


def build(session: Session, thread_ids: Iterable[int], *, now: datetime) -> list[CareThread]:
    """Create or update the CareThread rows of these threads, with what the analytics count
    (moderation.care_figures); the caller commits. The claim (assignee) is kept: it is not
    derived from anything else."""
    wanted = sorted(set(thread_ids))
    rows: list[CareThread] = []
    for chunk in care_figures.chunks(wanted):
        facts = _gather(session, chunk)
        existing = {
            row.thread_id: row
            for row in session.exec(
                select(CareThread).where(col(CareThread.thread_id).in_(list(facts)))
            )
        }
        built: list[CareThread] = []
        for thread_id, f in facts.items():
            values = _row_values(f)
            row = existing.get(thread_id)
            if row is None:
                row = CareThread(thread_id=thread_id, updated_at=now, **values)  # type: ignore[arg-type]
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                row.updated_at = now
            session.add(row)
            built.append(row)
        session.flush()
        care_figures.sync_durations(session, built)
        care_figures.sync_sentiment(session, chunk, _contributions(facts, built))
        rows.extend(built)
    session.flush()
    return rows


def _contributions(
    facts: dict[int, Facts], rows: Sequence[CareThread]
) -> dict[int, care_figures.Contribution]:
    """What each post of these threads adds to the daily sentiment tallies."""
    language = {row.thread_id: row.language for row in rows}
    wanted: dict[int, care_figures.Contribution] = {}
    for thread_id, f in facts.items():
        if not care_figures.is_counted(f.thread):
            continue
        for post_id, (written_at, negative) in f.sentiments.items():
            wanted[post_id] = care_figures.contribution(
                f.thread, language.get(thread_id), written_at, negative=negative
            )
    return wanted


def rebuild(session: Session, thread_id: int, *, now: datetime) -> CareThread | None:
    rows = build(session, [thread_id], now=now)
    return rows[0] if rows else None


def ensure_row(session: Session, thread: Thread, *, now: datetime) -> CareThread:
    """The thread's row, built now if the worker has not got to it yet."""
    assert thread.id is not None
    row = session.get(CareThread, thread.id)
    if row is None:
        row = rebuild(session, thread.id, now=now)
    assert row is not None
    return row


# The consumer ------------------------------------------------------------------------------------


def on_thread_event(session: Session, event: events.OutboxEvent) -> None:
    if event.thread_id is not None:
        build(session, [event.thread_id], now=event.created_at)


def on_threads_moved(session: Session, event: events.OutboxEvent) -> None:
    """A category's threads moved at once (moderation.bulk_move): their rows take the new
    category now, so the queue's category filter finds them, and are marked stale for
    ``catch_up`` to rebuild (deadline, analytics facts) a batch per transaction. Rebuilding ten
    thousand here would take seconds in one transaction, and on SQLite hold every writer off."""
    thread_ids = [i for i in event.data.get("thread_ids") or [] if isinstance(i, int)]
    to_category = event.data.get("to_category_id")
    if not isinstance(to_category, int):
        return
    for chunk in care_figures.chunks(thread_ids):
        session.execute(
            update(CareThread)
            .where(col(CareThread.thread_id).in_(chunk))
            .values(category_id=to_category, facts_version=None)
        )


def on_contact_change(session: Session, event: events.OutboxEvent) -> None:
    """A thread was started, deleted, solved or unsolved: its row, and the customer's other
    recent threads, whose repeat contact counts it as open contact (or no longer)."""
    if event.thread_id is not None:
        build(session, _with_siblings(session, [event.thread_id]), now=event.created_at)


def on_thread_merged(session: Session, event: events.OutboxEvent) -> None:
    ids = [i for i in (event.thread_id, event.data.get("into_thread_id")) if isinstance(i, int)]
    build(session, _with_siblings(session, ids), now=event.created_at)


def _with_siblings(session: Session, thread_ids: Sequence[int]) -> list[int]:
    """``thread_ids`` and the other threads their askers started within REPEAT_WINDOW of them."""
    found = list(thread_ids)
    for thread in session.exec(select(Thread).where(col(Thread.id).in_(thread_ids))):
        created = as_utc(thread.created_at)
        found += [
            i
            for i in session.exec(
                select(col(Thread.id)).where(
                    col(Thread.author_id) == thread.author_id,
                    col(Thread.created_at) >= created - REPEAT_WINDOW,
                    col(Thread.created_at) <= created + REPEAT_WINDOW,
                )
            )
            if i is not None and i not in found
        ]
    return found


def on_service_level_changed(session: Session, event: events.OutboxEvent) -> None:
    """New deadlines for the category's threads in the queue (the others get theirs when an
    event brings them back)."""
    category_id = event.data.get("category_id")
    ids = session.exec(
        select(col(CareThread.thread_id)).where(
            col(CareThread.category_id) == category_id, col(CareThread.in_queue).is_(True)
        )
    ).all()
    build(session, list(ids), now=event.created_at)


def on_flag_resolved(session: Session, event: events.OutboxEvent) -> None:
    """Update the row, and tell the flagger what became of their flag."""
    on_thread_event(session, event)
    data = event.data
    flagger_id = data.get("flagger_id")
    if not isinstance(flagger_id, int) or event.id is None:
        return
    already = session.exec(
        select(col(Notification.id)).where(
            col(Notification.event_id) == event.id,
            col(Notification.user_id) == flagger_id,
            col(Notification.kind) == FLAG_NOTIFICATION_KIND,
        )
    ).first()
    if already is not None:
        return
    session.add(
        Notification(
            user_id=flagger_id,
            kind=FLAG_NOTIFICATION_KIND,
            event_id=event.id,
            actor_id=data.get("by_id"),
            thread_id=event.thread_id,
            post_id=data.get("post_id"),
            created_at=event.created_at,
        )
    )


def on_mutual_kudos(session: Session, event: events.OutboxEvent) -> None:
    """``mutual_kudos_suspected``: a system flag (no flagger) on the post the kudos went to,
    naming the pair, so the thread joins the queue until a moderator clears or upholds it
    (moderation.flags.resolve). Once per pair and post, however often the event comes."""
    data = event.data
    post_id, low_id, high_id = data.get("post_id"), data.get("low_id"), data.get("high_id")
    if not (isinstance(post_id, int) and isinstance(low_id, int) and isinstance(high_id, int)):
        return
    post = session.get(Post, post_id)
    if post is None:
        return
    already = session.exec(
        select(col(Flag.id)).where(
            col(Flag.post_id) == post_id,
            col(Flag.kind) == FlagKind.mutual_kudos,
            col(Flag.pair_low_id) == low_id,
            col(Flag.pair_high_id) == high_id,
        )
    ).first()
    if already is None:
        session.add(
            Flag(
                post_id=post_id,
                thread_id=post.thread_id,
                flagger_id=None,
                kind=FlagKind.mutual_kudos,
                pair_low_id=low_id,
                pair_high_id=high_id,
                created_at=event.created_at,
            )
        )
        session.flush()
    build(session, [post.thread_id], now=event.created_at)


THREAD_EVENTS = (
    "post_created",
    "post_edited",
    "post_deleted",
    "post_signalled",
    "signal_corrected",
    "flag_raised",
    "post_hidden",
    "post_unhidden",
    "thread_hidden",
    "thread_unhidden",
    "solution_accepted",
    "solution_unmarked",
    "thread_moved",
    "thread_locked",
    "thread_unlocked",
    "kudos_given",
    "kudos_withdrawn",
    "thread_claimed",
    "thread_released",
    "case_opened",
)


def catch_up(session: Session, now: datetime) -> int:
    """Build the rows of threads that have none (seeded without events), then rebuild rows
    older than the analytics' facts (care_figures.FACTS_VERSION) or marked stale (a category's
    threads moved at once), a batch per step; with the rows up to date, tell moderators of the
    claimed threads that have come at risk (sla_alerts)."""
    missing = session.exec(
        select(col(Thread.id))
        .where(~exists().where(col(CareThread.thread_id) == col(Thread.id)))
        .order_by(col(Thread.id))
        .limit(CATCH_UP_BATCH)
    ).all()
    ids = [i for i in missing if i is not None]
    if not ids:
        ids = care_figures.stale_rows(session, CATCH_UP_BATCH)
    if ids:
        build(session, ids, now=now)
        return len(ids)
    return sla_alerts.alert_due(session, now)


def consumer() -> events.Consumer:
    handlers: dict[str, events.Handler] = dict.fromkeys(THREAD_EVENTS, on_thread_event)
    handlers.update(
        thread_created=on_contact_change,
        thread_merged=on_thread_merged,
        post_deleted=on_contact_change,
        solution_accepted=on_contact_change,
        solution_unmarked=on_contact_change,
        service_level_changed=on_service_level_changed,
        flag_resolved=on_flag_resolved,
        mutual_kudos_suspected=on_mutual_kudos,
        threads_moved=on_threads_moved,
    )
    return events.Consumer(name=CONSUMER, handlers=handlers, catch_up=catch_up)
