"""The audit log as a person reads it: each entry's changed fields as "Label: before → after".

An entry keeps what its service recorded (field names, ids, codes, ISO times) and the log page
still offers that raw data; this module writes it in the reader's words. Fields get labels, the
ids of categories, members and threads the name of what they point at, codes the labels the rest
of the app shows for them, moments the reader's language and time zone. ``wanted`` lists what a
page of entries names and ``load`` fetches it (one query per kind, whatever the page's length);
``changes`` then writes one entry without touching the database.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from community import i18n
from community.i18n import N_
from community.models import Category, HiddenReason, Role, Thread, User
from moderation import audit, cases, queue
from moderation.models import AuditEntry, FlagKind, FlagStatus, Sentiment

EMPTY = "—"
MAX_TEXT_CHARS = 160

# Every field an audit writer records (moderation.tools, hiding, approvals, flags, claims, cases,
# canned, advocates, service_levels, bulk_move, signals.corrections, outbox_health, and the events
# of the community's own services that audit.consumer logs), by the label the page gives it.
FIELD_LABELS: dict[str, str] = {
    "hidden": N_("Hidden"),
    "hidden_reason": N_("Reason"),
    "hidden_by_id": N_("Hidden by"),
    "locked": N_("Locked"),
    "deleted": N_("Deleted"),
    "category_id": N_("Category"),
    "category": N_("Category"),
    "threads": N_("Threads"),
    "moved_to": N_("Moved to"),
    "merged_into_id": N_("Merged into"),
    "into_thread_id": N_("Target thread"),
    "reply_count": N_("Replies"),
    "into_reply_count": N_("Replies in the target thread"),
    "into_solved": N_("Target thread solved"),
    "post_numbers": N_("Posts moved"),
    "suspended_until": N_("Suspended until"),
    "suspension_reason": N_("Reason"),
    "role": N_("Role"),
    "advocate": N_("Advocate"),
    "advocate_since": N_("Advocate since"),
    "categories": N_("Categories"),
    "status": N_("Status"),
    "priority": N_("Priority"),
    "assignee_id": N_("Assignee"),
    "subject": N_("Subject"),
    "thread_id": N_("Thread"),
    "post_id": N_("Post"),
    "kind": N_("Flag"),
    "signal": N_("Signal"),
    "value": N_("Verdict"),
    "solution_post_id": N_("Solution"),
    "version": N_("Version"),
    "author_id": N_("Author"),
    "title": N_("Title"),
    "body": N_("Text"),
    "language": N_("Language"),
    "first_response_hours": N_("First response within (hours)"),
    "slug": N_("Address"),
    "name": N_("Name"),
    "description_it": N_("Description in Italian"),
    "description_en": N_("Description in English"),
    "position": N_("Position"),
    "consumer": N_("Consumer"),
    "waiting": N_("Waiting"),
    "retrying": N_("Being retried"),
    "parked": N_("Parked"),
}
# A field shown through another: a move records the category's slug beside its id.
COVERED_BY = {"category": "category_id"}

CATEGORY_IDS = frozenset({"category_id"})
CATEGORY_ID_LISTS = frozenset({"categories"})
CATEGORY_SLUGS = frozenset({"category", "moved_to"})
USER_IDS = frozenset({"hidden_by_id", "assignee_id", "author_id"})
THREAD_IDS = frozenset({"merged_into_id", "into_thread_id", "thread_id"})
POST_IDS = frozenset({"post_id", "solution_post_id"})

# Codes, through the labels the app shows them with elsewhere; a moderator's hide as the post and
# thread pages say it (templates/community/_post.html, thread.html).
HIDDEN_REASON_LABELS = {
    HiddenReason.personal_data: queue.REASON_LABELS[queue.Reason.pii],
    HiddenReason.awaiting_approval: queue.REASON_LABELS[queue.Reason.awaiting_approval],
}
HIDDEN_BY_MODERATOR = {
    "post": N_("a moderator hid it"),
    "thread": N_("a moderator hid this thread"),
}
FLAG_KIND_LABELS = {
    **queue.FLAG_LABELS,
    FlagKind.mutual_kudos: queue.REASON_LABELS[queue.Reason.mutual_kudos],
}
SIGNAL_LABELS = {
    "sentiment": N_("Sentiment"),
    "needs_brand": queue.REASON_LABELS[queue.Reason.needs_brand],
    "toxic": queue.REASON_LABELS[queue.Reason.toxic],
}
SENTIMENT_LABELS = {
    Sentiment.negative: queue.REASON_LABELS[queue.Reason.negative],
    Sentiment.neutral: N_("neutral"),
    Sentiment.positive: N_("positive"),
}
# Labels nothing else needed before the log showed these codes.
FLAG_STATUS_LABELS = {
    FlagStatus.open: N_("open"),
    FlagStatus.upheld: N_("upheld"),
    FlagStatus.dismissed: N_("dismissed"),
}
ROLE_LABELS = {Role.member: N_("member"), Role.moderator: N_("moderator"), Role.admin: N_("admin")}
# A canned reply's language, as its form names them; None is a template for either.
LANGUAGE_LABELS = {"it": N_("Italian"), "en": N_("English")}
ANY_LANGUAGE = N_("Any language")
YES_NO = {"true": N_("Yes"), "false": N_("No")}  # a signal's verdict is stored as text
CODE_LABELS: dict[str, Mapping[Any, str]] = {
    "hidden_reason": HIDDEN_REASON_LABELS,
    "priority": cases.PRIORITY_LABELS,
    "kind": FLAG_KIND_LABELS,
    "role": ROLE_LABELS,
    "signal": SIGNAL_LABELS,
    "language": LANGUAGE_LABELS,
}

_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class Change:
    field: str  # the stored name, for admins who know it
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Wanted:
    """What a page of entries refers to, to load in one go."""

    category_ids: frozenset[int] = frozenset()
    category_slugs: frozenset[str] = frozenset()
    user_ids: frozenset[int] = frozenset()
    thread_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Names:
    """What the referred rows are called; a missing id is a deleted row."""

    categories: Mapping[int, str] = field(default_factory=dict)
    category_slugs: Mapping[str, str] = field(default_factory=dict)
    users: Mapping[int, str] = field(default_factory=dict)
    threads: Mapping[int, str] = field(default_factory=dict)


def wanted(states: Iterable[Mapping[str, Any]]) -> Wanted:
    """The ids and slugs that ``states`` (entries' before and after) name."""
    found: dict[str, set[Any]] = {"category": set(), "slug": set(), "user": set(), "thread": set()}
    for state in states:
        for key, value in state.items():
            if key in CATEGORY_IDS and _is_id(value):
                found["category"].add(value)
            elif key in CATEGORY_ID_LISTS and isinstance(value, list):
                found["category"].update(v for v in value if _is_id(v))
            elif key in CATEGORY_SLUGS and isinstance(value, str):
                found["slug"].add(value)
            elif key in USER_IDS and _is_id(value):
                found["user"].add(value)
            elif key in THREAD_IDS and _is_id(value):
                found["thread"].add(value)
    return Wanted(
        category_ids=frozenset(found["category"]),
        category_slugs=frozenset(found["slug"]),
        user_ids=frozenset(found["user"]),
        thread_ids=frozenset(found["thread"]),
    )


def load(session: Session, want: Wanted) -> Names:
    """The names of what ``want`` lists: at most three queries."""
    categories: dict[int, str] = {}
    slugs: dict[str, str] = {}
    if want.category_ids or want.category_slugs:
        query = select(Category).where(
            or_(
                col(Category.id).in_(want.category_ids),
                col(Category.slug).in_(want.category_slugs),
            )
        )
        for category in session.exec(query):
            assert category.id is not None
            categories[category.id] = category.name
            slugs[category.slug] = category.name
    users: dict[int, str] = {}
    if want.user_ids:
        rows = session.exec(select(User.id, User.username).where(col(User.id).in_(want.user_ids)))
        users = {user_id: username for user_id, username in rows if user_id is not None}
    threads: dict[int, str] = {}
    if want.thread_ids:
        rows = session.exec(
            select(Thread.id, Thread.title).where(col(Thread.id).in_(want.thread_ids))
        )
        threads = {thread_id: title for thread_id, title in rows if thread_id is not None}
    return Names(categories=categories, category_slugs=slugs, users=users, threads=threads)


def page_changes(
    session: Session, entries: Sequence[AuditEntry], *, language: str, zone: tzinfo
) -> dict[int, list[Change]]:
    """Each entry's changes by entry id, the names of a whole page loaded together."""
    states = [(e, audit.loads(e.before), audit.loads(e.after)) for e in entries]
    names = load(session, wanted(s for _, before, after in states for s in (before, after)))
    return {
        entry.id or 0: changes(
            target_type=entry.target_type,
            before=before,
            after=after,
            names=names,
            language=language,
            zone=zone,
        )
        for entry, before, after in states
    }


def changes(
    *,
    target_type: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    names: Names,
    language: str,
    zone: tzinfo,
) -> list[Change]:
    """The fields that changed, as the reader reads them, in FIELD_LABELS' order (entries are
    stored with their keys sorted) and unknown ones last."""
    reader = _Reader(target_type, before, after, names, language, zone)
    out = []
    for key in sorted({*before, *after}, key=_field_order):
        if COVERED_BY.get(key) in before or COVERED_BY.get(key) in after:
            continue
        was = reader.value(key, before) if key in before else EMPTY
        now = reader.value(key, after) if key in after else EMPTY
        if was != now:  # "" and a missing key both read "—": no change to show
            out.append(Change(field=key, label=reader.label(key), before=was, after=now))
    return out


_ORDER = {key: index for index, key in enumerate(FIELD_LABELS)}


def _field_order(key: str) -> tuple[int, str]:
    return _ORDER.get(key, len(_ORDER)), key


def humanised(key: str) -> str:
    """A field nobody gave a label: "first_reply_id" reads "First reply"."""
    words = key.removesuffix("_id").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else key


@dataclass(frozen=True)
class _Reader:
    target_type: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    names: Names
    language: str
    zone: tzinfo

    def tr(self, message: str) -> str:
        return i18n.gettext(self.language, message)

    @property
    def signal(self) -> str | None:
        found = self.after.get("signal", self.before.get("signal"))
        return found if isinstance(found, str) else None

    def label(self, key: str) -> str:
        if key == "value" and self.signal in SIGNAL_LABELS:
            return _capitalised(self.tr(SIGNAL_LABELS[self.signal]))
        return self.tr(FIELD_LABELS[key]) if key in FIELD_LABELS else humanised(key)

    def value(self, key: str, state: Mapping[str, Any]) -> str:
        value = state[key]
        if key == "language" and value is None:
            return self.tr(ANY_LANGUAGE)
        if value is None or value == "" or value == []:
            return EMPTY
        if key in CATEGORY_IDS and _is_id(value):
            return self._category(value)
        if key in CATEGORY_ID_LISTS and isinstance(value, list):
            return ", ".join(self._category(v) if _is_id(v) else self.plain(v) for v in value)
        if key in CATEGORY_SLUGS and isinstance(value, str):
            return self.names.category_slugs.get(value, value)
        if key in USER_IDS and _is_id(value):
            return self.names.users.get(value) or f"{self.tr(N_('member'))} #{value}"
        if key in THREAD_IDS and _is_id(value):
            title = self.names.threads.get(value)
            return title or self.tr(N_("deleted thread #%(id)s")) % {"id": value}
        if key in POST_IDS and _is_id(value):
            return f"{self.tr(N_('post'))} #{value}"
        if key == "post_numbers" and isinstance(value, Mapping):
            num = len(value)
            message = i18n.ngettext(self.language, "%(num)s post", "%(num)s posts", num)
            return message % {"num": i18n.format_number(num, self.language)}
        coded = self._code(key, value)
        return self.tr(coded) if coded is not None else self.plain(value)

    def _code(self, key: str, value: Any) -> str | None:
        """The msgid of a code's label, if ``key`` holds codes and ``value`` is a known one."""
        if not isinstance(value, str):
            return None
        if key == "hidden_reason" and value == HiddenReason.moderator:
            return HIDDEN_BY_MODERATOR.get(self.target_type, HIDDEN_BY_MODERATOR["post"])
        return self._labels(key).get(value)

    def _labels(self, key: str) -> Mapping[Any, str]:
        if key == "status":
            return FLAG_STATUS_LABELS if self.target_type == "flag" else cases.STATUS_LABELS
        if key == "value":
            return SENTIMENT_LABELS if self.signal == "sentiment" else YES_NO
        return CODE_LABELS.get(key, {})

    def _category(self, category_id: int) -> str:
        name = self.names.categories.get(category_id)
        return name or self.tr(N_("deleted category #%(id)s")) % {"id": category_id}

    def plain(self, value: Any) -> str:
        """A value with no meaning of its own: a yes or no, a number, a moment, some text."""
        if value is None:
            return EMPTY
        if isinstance(value, bool):
            return self.tr(N_("Yes") if value else N_("No"))
        if isinstance(value, int | float):
            return i18n.format_number(value, self.language)
        if isinstance(value, str) and _MOMENT.match(value):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return _shortened(value)
            return i18n.format_when(moment, self.language, self.zone)
        if isinstance(value, list):
            return ", ".join(self.plain(v) for v in value) or EMPTY
        if isinstance(value, Mapping):
            return "; ".join(f"{humanised(str(k))}: {self.plain(v)}" for k, v in value.items())
        return _shortened(str(value)) or EMPTY


def _is_id(value: Any) -> bool:
    return type(value) is int


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 1].rstrip() + "…"
