"""The listening queue: the threads that need the brand, most urgent first, a keyset page at a time.

It reads CareThread rows (kept by ``moderation.care``) in ``(urgent_at, thread_id)`` order, which
is the priority order at any moment (see care's module doc). What a row shows - its reasons, its
service-level state, its priority - is derived here, when read, from the row and ``now``.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, and_, exists, false, or_, true
from sqlmodel import Session, col, select

from community import i18n, posting
from community.clock import as_utc
from community.cursors import decode_time_cursor, encode_time_cursor
from community.errors import Invalid
from community.i18n import N_
from community.models import Category, Post, Role, Thread, User
from community.policy import Guardian, ensure, ensure_signed_in
from moderation import care as care_rows
from moderation import service_levels
from moderation.models import (
    CareThread,
    Flag,
    FlagKind,
    FlagStatus,
    PostSignal,
    SignalCorrection,
)
from moderation.service_levels import SlaState
from moderation.settings import get_settings
from moderation.signals import corrections

MAX_LIMIT = 100
EXCERPT_CHARS = 140  # of a flagged post's text, on its queue row


class Reason(StrEnum):
    unanswered = "unanswered"
    awaiting_brand = "awaiting_brand"
    at_risk = "at_risk"
    breached = "breached"
    negative = "negative"
    needs_brand = "needs_brand"
    toxic = "toxic"
    pii = "pii"
    awaiting_approval = "awaiting_approval"
    flagged = "flagged"
    mutual_kudos = "mutual_kudos"
    repeat_contact = "repeat_contact"


REASON_LABELS: dict[Reason, str] = {
    Reason.unanswered: N_("unanswered"),
    Reason.awaiting_brand: N_("awaiting the brand"),
    Reason.at_risk: N_("at risk"),
    Reason.breached: N_("breached"),
    Reason.negative: N_("negative"),
    Reason.needs_brand: N_("needs the brand"),
    Reason.toxic: N_("abusive language"),
    Reason.pii: N_("personal data hidden"),
    Reason.awaiting_approval: N_("awaiting approval"),
    Reason.flagged: N_("flagged"),
    Reason.mutual_kudos: N_("mutual kudos"),
    Reason.repeat_contact: N_("repeat contact"),
}

FLAG_LABELS: dict[str, str] = {
    "spam": N_("spam"),
    "abuse": N_("abuse"),
    "off_topic": N_("off-topic"),
    "needs_brand": N_("needs the brand"),
}


class Priority(StrEnum):
    urgent = "urgent"  # its urgent moment has passed
    high = "high"  # within a quarter of its target
    normal = "normal"  # within its target
    low = "low"


PRIORITY_LABELS: dict[Priority, str] = {
    Priority.urgent: N_("urgent"),
    Priority.high: N_("high"),
    Priority.normal: N_("normal"),
    Priority.low: N_("low"),
}


@dataclass(frozen=True)
class _Verbatim:
    """A chip parameter shown as it is (a username), never looked up in the catalog."""

    value: str

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class _Waited:
    """A chip parameter that is how long a thread has waited, written in the reader's words
    and coarsely, as the queue refreshes itself ("26 h", "3 g 2 h", "119 g")."""

    seconds: float


def _param(value: object, language: str) -> object:
    """A chip parameter as the reader reads it: a string is a msgid, a number is written the
    reader's way, a wait in words; a _Verbatim as it is."""
    if isinstance(value, _Waited):
        return i18n.format_duration(value.seconds, language, coarse=True)
    if isinstance(value, str):
        return i18n.gettext(language, value)
    if isinstance(value, int):
        return i18n.format_number(value, language)
    return value


@dataclass(frozen=True)
class Chip:
    """One reason on a row: ``text`` is an English msgid with ``params`` (translated when shown)."""

    reason: Reason
    text: str
    params: dict[str, object]
    count: int | None = None
    tone: str = "warn"
    # What else the chip stands for: "unanswered 26 h — breached" is the breached reason too, so
    # the row is filed under both without a second chip saying the same thing.
    also: tuple[Reason, ...] = ()

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return (self.reason, *self.also)

    def label(self, language: str) -> str:
        """The chip's text in the reader's language, its parameters too (see ``_param``)."""
        params = {k: _param(v, language) for k, v in self.params.items()}
        text = i18n.gettext(language, self.text)
        return text % params if params else text


@dataclass(frozen=True)
class Filters:
    category: str = ""  # a category slug
    reason: str = ""  # a Reason
    language: str = ""
    assignee: str = ""  # "mine", "unclaimed", or a moderator's username

    @property
    def active(self) -> bool:
        return any((self.category, self.reason, self.language, self.assignee))

    def query_string(self, **extra: str) -> str:
        """The filters (and ``extra``) as a URL query, empty values left out."""
        pairs = {
            "category": self.category,
            "reason": self.reason,
            "language": self.language,
            "assignee": self.assignee,
            **extra,
        }
        return urlencode({k: v for k, v in pairs.items() if v})


@dataclass(frozen=True)
class FlagNote:
    """A member's open flag as its queue row shows it: why, on which post (with the start of the
    post's text, hidden or not: only moderators see the queue), by whom and with what comment."""

    id: int
    kind: str
    post_id: int
    post_number: int
    excerpt: str
    post_hidden: bool
    post_deleted: bool
    flagger_username: str | None
    flagger_name: str | None
    comment: str
    created_at: datetime

    @property
    def kind_label(self) -> str:
        """An English msgid (translated when shown)."""
        return FLAG_LABELS.get(self.kind, self.kind)

    @property
    def tone(self) -> str:
        return flag_tone(self.kind)

    @property
    def on_question(self) -> bool:
        return self.post_number == 1


def flag_tone(kind: str) -> str:
    return "danger" if kind == FlagKind.abuse else "warn"


@dataclass(frozen=True)
class QueueRow:
    care: CareThread
    thread: Thread
    category: Category
    customer: User
    assignee: User | None
    chips: list[Chip]
    sla: SlaState
    priority: Priority
    waited_hours: int
    # Open flags raised by members, and mutual-kudos pairs (each resolved on its own).
    flags: tuple[FlagNote, ...] = ()
    kudos_pairs: int = 0

    @property
    def member_flags(self) -> int:
        return len(self.flags)

    @property
    def reasons(self) -> list[str]:
        return [reason.value for chip in self.chips for reason in chip.reasons]

    @property
    def state(self) -> str:
        return self.sla.value


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None
    filters: Filters


def parse_filters(
    *,
    category: str = "",
    reason: str = "",
    language: str = "",
    assignee: str = "",
) -> Filters:
    reason = reason.strip()
    if reason and reason not in Reason.__members__:
        raise Invalid("There is no such reason: %(reason)s.", field="reason", reason=reason[:40])
    language = language.strip().lower()
    if language and (len(language) > 8 or not language.replace("-", "").isalpha()):
        raise Invalid("Choose a language code such as it or en.", field="language")
    return Filters(
        category=category.strip()[:60],
        reason=reason,
        language=language,
        assignee=assignee.strip()[:30],
    )


def encode_cursor(row: CareThread) -> str:
    return encode_time_cursor(row.urgent_at, row.thread_id)


decode_cursor = decode_time_cursor


def _waits_for_answer(row: type[CareThread]) -> ColumnElement[bool]:
    """``CareThread.waits_for_answer`` in SQL: neither locked nor solved."""
    return and_(col(row.locked).is_(False), col(row.solution_s).is_(None))


def _waiting(row: type[CareThread]) -> ColumnElement[bool]:
    """The clock still runs: neither locked nor solved, and no official reply when the thread
    needs the brand, else none."""
    return and_(
        _waits_for_answer(row),
        or_(
            and_(col(row.needs_brand).is_(True), col(row.first_official_at).is_(None)),
            and_(col(row.needs_brand).is_(False), col(row.first_response_at).is_(None)),
        ),
    )


def _reason_condition(session: Session, reason: Reason, now: datetime) -> ColumnElement[bool]:
    c = CareThread
    waits = _waits_for_answer(c)  # a locked or solved thread waits for no answer (see care)
    match reason:
        case Reason.unanswered:
            return and_(waits, col(c.first_response_at).is_(None))
        case Reason.awaiting_brand | Reason.needs_brand:  # as the chips: while the brand owes one
            return and_(waits, col(c.needs_brand).is_(True), col(c.first_official_at).is_(None))
        case Reason.negative:
            return and_(waits, col(c.negative).is_(True), col(c.first_official_at).is_(None))
        case Reason.toxic:
            return col(c.toxic).is_(True)
        case Reason.pii:
            return col(c.pii_hidden).is_(True)
        case Reason.awaiting_approval:
            return col(c.awaiting_approval).is_(True)
        case Reason.flagged:
            return col(c.open_flags) > 0
        case Reason.mutual_kudos:
            return and_(
                col(c.open_flags) > 0,
                exists().where(
                    col(Flag.thread_id) == col(c.thread_id),
                    col(Flag.status) == FlagStatus.open,
                    col(Flag.kind) == FlagKind.mutual_kudos,
                ),
            )
        case Reason.repeat_contact:
            return col(c.repeat_contact) > 0
        case Reason.breached:
            return and_(_waiting(c), col(c.due_at) <= now)
        case Reason.at_risk:
            # At risk once due_at - target/4 <= now; the target is the category's.
            own = service_levels.targets(session)
            default = service_levels.default_target()
            parts = [
                and_(col(c.category_id) == category_id, col(c.due_at) <= now + target / 4)
                for category_id, target in own.items()
            ]
            parts.append(
                and_(
                    col(c.category_id).not_in(list(own)) if own else true(),
                    col(c.due_at) <= now + default / 4,
                )
            )
            return and_(_waiting(c), col(c.due_at) > now, or_(*parts))
    return false()  # pragma: no cover


def load_queue(
    session: Session,
    guardian: Guardian,
    *,
    filters: Filters,
    now: datetime,
    cursor: str | None = None,
    limit: int | None = None,
) -> QueuePage:
    ensure_signed_in(guardian)
    ensure(guardian.can_use_queue(), "Only moderators can see the queue.")
    limit = min(MAX_LIMIT, max(1, limit or get_settings().queue_page_size))
    c = CareThread
    query = select(c).where(col(c.in_queue).is_(True))
    if filters.category:
        category = session.exec(
            select(Category).where(col(Category.slug) == filters.category)
        ).first()
        if category is None:
            raise Invalid("There is no category %(slug)s.", field="category", slug=filters.category)
        query = query.where(col(c.category_id) == category.id)
    if filters.reason:
        query = query.where(_reason_condition(session, Reason(filters.reason), now))
    if filters.language:
        query = query.where(col(c.language) == filters.language)
    if filters.assignee == "mine":
        query = query.where(col(c.assignee_id) == guardian.user_id)
    elif filters.assignee == "unclaimed":
        query = query.where(col(c.assignee_id).is_(None))
    elif filters.assignee:
        name = filters.assignee.strip().lower()
        moderator = session.exec(select(User).where(col(User.username) == name)).first()
        if moderator is None or not moderator.is_moderator:
            raise Invalid(
                "There is no moderator %(name)s.", field="assignee", name=filters.assignee
            )
        query = query.where(col(c.assignee_id) == moderator.id)
    if cursor:
        at, last_id = decode_cursor(cursor)
        query = query.where(
            or_(col(c.urgent_at) > at, and_(col(c.urgent_at) == at, col(c.thread_id) > last_id))
        )
    query = query.order_by(col(c.urgent_at), col(c.thread_id)).limit(limit + 1)
    cares = list(session.exec(query))
    more = len(cares) > limit
    cares = cares[:limit]
    rows = describe(session, cares, now=now)
    return QueuePage(
        rows=rows,
        next_cursor=encode_cursor(cares[-1]) if more and cares else None,
        filters=filters,
    )


def describe(session: Session, cares: list[CareThread], *, now: datetime) -> list[QueueRow]:
    """The rows as shown: thread, people, chips, state and priority (a fixed number of queries)."""
    if not cares:
        return []
    ids = [care.thread_id for care in cares]
    threads = {t.id: t for t in session.exec(select(Thread).where(col(Thread.id).in_(ids)))}
    people_ids = {care.customer_id for care in cares} | {
        care.assignee_id for care in cares if care.assignee_id is not None
    }
    people = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(people_ids)))}
    category_ids = {care.category_id for care in cares}
    categories = {
        cat.id: cat
        for cat in session.exec(select(Category).where(col(Category.id).in_(category_ids)))
    }
    notes, pair_ids = _open_flags(session, [care.thread_id for care in cares if care.open_flags])
    pair_people = {i for pairs in pair_ids.values() for pair in pairs for i in pair}
    names = dict(
        session.exec(
            select(col(User.id), col(User.username)).where(col(User.id).in_(pair_people))
        ).all()
        if pair_people
        else []
    )
    targets = service_levels.targets(session)
    default = service_levels.default_target()
    rows = []
    for care in cares:
        status = service_levels.status(service_levels.times_of(care), now)
        target = targets.get(care.category_id, default)
        flag_notes = notes.get(care.thread_id, [])
        rows.append(
            QueueRow(
                care=care,
                thread=threads[care.thread_id],
                category=categories[care.category_id],
                customer=people[care.customer_id],
                assignee=people.get(care.assignee_id) if care.assignee_id else None,
                chips=chips(
                    care,
                    status,
                    dict(Counter(note.kind for note in flag_notes)),
                    pairs=[
                        (names.get(low, "?"), names.get(high, "?"))
                        for low, high in sorted(pair_ids.get(care.thread_id, []))
                    ],
                ),
                sla=status.sla,
                priority=priority_level(care, target=target, now=now),
                waited_hours=status.waited_hours,
                flags=tuple(flag_notes),
                kudos_pairs=len(pair_ids.get(care.thread_id, [])),
            )
        )
    return rows


def _open_flags(
    session: Session, thread_ids: list[int]
) -> tuple[dict[int, list[FlagNote]], dict[int, list[tuple[int, int]]]]:
    """The open flags of these threads, in one query: the members' flags as notes (in the order
    of the posts, then of flagging), and the mutual-kudos pairs as (low, high) user ids."""
    notes: dict[int, list[FlagNote]] = defaultdict(list)
    pairs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if not thread_ids:
        return notes, pairs
    found = session.exec(
        select(Flag, Post, col(User.username), col(User.display_name))
        .join(Post, col(Post.id) == col(Flag.post_id))
        .outerjoin(User, col(User.id) == col(Flag.flagger_id))
        .where(col(Flag.thread_id).in_(thread_ids), col(Flag.status) == FlagStatus.open)
        .order_by(col(Flag.thread_id), col(Post.post_number), col(Flag.created_at), col(Flag.id))
    )
    for flag, post, username, display_name in found:
        assert flag.id is not None and post.id is not None
        if flag.kind == FlagKind.mutual_kudos:
            if flag.pair_low_id is not None and flag.pair_high_id is not None:
                pairs[flag.thread_id].append((flag.pair_low_id, flag.pair_high_id))
            continue
        notes[flag.thread_id].append(
            FlagNote(
                id=flag.id,
                kind=flag.kind,
                post_id=post.id,
                post_number=post.post_number,
                excerpt=posting.excerpt(post, EXCERPT_CHARS),
                post_hidden=post.is_hidden,
                post_deleted=post.is_deleted,
                flagger_username=username,
                flagger_name=display_name,
                comment=flag.comment,
                created_at=flag.created_at,
            )
        )
    return notes, pairs


def priority_level(care: CareThread, *, target: timedelta, now: datetime) -> Priority:
    urgent_at = as_utc(care.urgent_at)
    if urgent_at <= now:
        return Priority.urgent
    if urgent_at <= now + target / 4:
        return Priority.high
    if urgent_at <= now + target:
        return Priority.normal
    return Priority.low


def chips(
    care: CareThread,
    status: service_levels.ThreadStatus,
    flags: dict[str, int],
    *,
    pairs: Sequence[tuple[str, str]] = (),
) -> list[Chip]:
    """Why the thread is in the queue, most pressing first. ``flags`` counts members' open flags
    by kind; ``pairs`` names the usernames of each mutual-kudos pair flagged on the thread."""
    out: list[Chip] = []
    hours = status.waited_hours
    waits = care.waits_for_answer  # a locked or solved thread waits for no answer (see care)
    waited = _Waited(status.waited.total_seconds())
    if care.pii_hidden:
        out.append(Chip(Reason.pii, REASON_LABELS[Reason.pii], {}, tone="danger"))
    if care.awaiting_approval:
        out.append(Chip(Reason.awaiting_approval, REASON_LABELS[Reason.awaiting_approval], {}))
    if waits and care.negative and care.first_official_at is None:
        out.append(Chip(Reason.negative, REASON_LABELS[Reason.negative], {}, tone="danger"))
    if care.toxic:
        out.append(Chip(Reason.toxic, REASON_LABELS[Reason.toxic], {}, tone="danger"))
    if waits and status.awaiting_brand:
        out.append(Chip(Reason.needs_brand, REASON_LABELS[Reason.needs_brand], {}))
    if waits and (status.unanswered or status.awaiting_brand):
        base = Reason.unanswered if status.unanswered else Reason.awaiting_brand
        if status.sla == SlaState.breached:
            text = (
                N_("unanswered %(time)s — breached")
                if status.unanswered
                else N_("awaiting the brand %(time)s — breached")
            )
            out.append(
                Chip(
                    base,
                    text,
                    {"time": waited},
                    count=hours,
                    tone="danger",
                    also=(Reason.breached,),
                )
            )
        else:
            text = (
                N_("unanswered %(time)s")
                if status.unanswered
                else N_("awaiting the brand %(time)s")
            )
            out.append(Chip(base, text, {"time": waited}, count=hours))
            if status.sla == SlaState.at_risk:
                out.append(Chip(Reason.at_risk, REASON_LABELS[Reason.at_risk], {}))
    for kind, count in sorted(flags.items()):
        label = FLAG_LABELS.get(kind, kind)
        out.append(
            Chip(
                Reason.flagged,
                N_("flagged: %(kind)s (%(count)s)"),
                {"kind": label, "count": count},
                count=count,
                tone=flag_tone(kind),
            )
        )
    for low, high in pairs:
        out.append(
            Chip(
                Reason.mutual_kudos,
                N_("mutual kudos: @%(low)s ⇄ @%(high)s"),
                {"low": _Verbatim(low), "high": _Verbatim(high)},
            )
        )
    if care.open_flags and not flags and not pairs:
        out.append(Chip(Reason.flagged, REASON_LABELS[Reason.flagged], {}, count=care.open_flags))
    if care.repeat_contact:
        out.append(
            Chip(
                Reason.repeat_contact,
                N_("repeat contact (%(count)s)"),
                {"count": care.repeat_contact},
                count=care.repeat_contact,
            )
        )
    return out


@dataclass(frozen=True)
class ModeratorRef:
    id: int
    username: str
    display_name: str


def moderators_query(now: datetime | None = None) -> Any:
    """The staff, found by the index on ``user.role``, less those suspended at ``now``. Not
    ordered: asked for the order by username, SQLite walks the username index over every member
    instead (25 ms a queue page at 33,000 members)."""
    query = select(col(User.id), col(User.username), col(User.display_name)).where(
        col(User.role).in_([Role.moderator, Role.admin]), col(User.is_active).is_(True)
    )
    if now is not None:
        query = query.where(
            or_(col(User.suspended_until).is_(None), col(User.suspended_until) <= now)
        )
    return query


def moderators(session: Session, *, now: datetime | None) -> list[ModeratorRef]:
    """Who a thread can be assigned to at ``now`` (the assignee filter and the reassign menus),
    by username; a suspended moderator is not, until the suspension runs out."""
    found = [
        ModeratorRef(i, u, d) for i, u, d in session.exec(moderators_query(now)) if i is not None
    ]
    return sorted(found, key=lambda m: m.username)


# One-click corrections from the queue -------------------------------------------------------------

# What the buttons send, and the signal verdict each stands for.
DISMISSALS: dict[str, tuple[str, str]] = {
    "not_negative": ("sentiment", "neutral"),
    "not_needs_brand": ("needs_brand", "false"),
    "not_toxic": ("toxic", "false"),
}


def dismiss_signal(
    session: Session, guardian: Guardian, thread: Thread, *, what: str, now: datetime
) -> int:
    """Correct the signal on every post that raised it ("not negative" on the asker's negative
    posts, "doesn't need us" on those that need the brand); returns how many posts changed. The
    thread's care row is rebuilt at once so the queue shows the change."""
    ensure_signed_in(guardian)
    ensure(guardian.can_use_queue(), "Only moderators can correct signals.")
    if what not in DISMISSALS:
        raise Invalid("Choose a correction.", field="what")
    signal, value = DISMISSALS[what]
    posts = _posts_raising(session, thread, signal)
    for post in posts:
        corrections.correct(session, guardian, post, signal=signal, value=value, now=now)
    assert thread.id is not None
    care_rows.rebuild(session, thread.id, now=now)
    session.commit()
    return len(posts)


def _posts_raising(session: Session, thread: Thread, signal: str) -> list[Post]:
    """The live posts of the thread whose (corrected) signal is raised."""
    rows = session.exec(
        select(Post, PostSignal)
        .join(PostSignal, col(PostSignal.post_id) == col(Post.id))
        .where(col(Post.thread_id) == thread.id, col(Post.deleted_at).is_(None))
    ).all()
    ids = [post.id for post, _ in rows]
    corrected = {
        c.post_id: c.value
        for c in session.exec(
            select(SignalCorrection).where(
                col(SignalCorrection.post_id).in_(ids), col(SignalCorrection.signal) == signal
            )
        )
    }
    raising = []
    for post, found in rows:
        if signal == "toxic":
            raised = found.toxic
        elif post.author_id != thread.author_id:
            continue  # negativity and needs-the-brand are read on the asker's posts
        elif signal == "sentiment":
            raised = found.sentiment == "negative"
        else:
            raised = found.needs_brand
        value = corrected.get(post.id)  # type: ignore[arg-type]
        if value is not None:
            raised = value == ("negative" if signal == "sentiment" else "true")
        if raised:
            raising.append(post)
    return raising
