"""Private cases: a moderator takes a public conversation private with its customer.

A case links one customer (the author of the post it came from), that post and its thread, with a
subject, a priority, an assignee (the moderator who opened it, by default) and a status:

    open -> pending_customer -> resolved -> closed
    pending_customer -> open, resolved -> open (the brand picks it up again)
    closed -> open (only by a moderator: "reopen"; closed is otherwise final)

A customer's reply moves a pending_customer or resolved case back to open; a customer cannot
write in a closed case. Messages go between customer and brand; internal notes (``is_internal``)
are the brand's alone: no customer-facing page, API answer or count ever includes them. Each
message from the brand gives the customer a notification (kind ``case``, linking to /cases,
without the text), made in the same transaction as the message; each message from the customer
gives one to the moderator the case is assigned to (kind ``case_reply``, linking to the case).

Each change of status, priority or assignee is a ``CaseChange`` in the case's timeline, among the
messages; the customer's timeline has the status changes only. The customer is notified when the
brand waits for their reply (``case_pending``) and when the case is resolved (``case_resolved``;
the first time, the satisfaction survey's own notification says so instead).

Only the case's customer and moderators see a case; for anyone else it does not exist (NotFound,
never Forbidden, so ids do not leak). Each change records its outbox event (``case_opened``,
``case_updated``, ``case_message_added``; the CRM webhook sends them on) and each moderator action
its audit entry, in the same transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlmodel import Session, col, select

from community import events, markdown, params, posting, textrules
from community.clock import Clock
from community.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound
from community.i18n import N_, Label
from community.models import Notification, NotificationKind, Post, Thread, User
from community.policy import Guardian, ensure, ensure_signed_in
from moderation import audit
from moderation.models import (
    CaseChange,
    CaseMessage,
    CasePriority,
    CaseStatus,
    SatisfactionResponse,
    SupportCase,
)

TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    CaseStatus.open: frozenset({CaseStatus.pending_customer, CaseStatus.resolved}),
    CaseStatus.pending_customer: frozenset({CaseStatus.open, CaseStatus.resolved}),
    CaseStatus.resolved: frozenset({CaseStatus.open, CaseStatus.closed}),
    CaseStatus.closed: frozenset({CaseStatus.open}),
}
# A customer's message wakes these up: the brand owes an answer again.
REOPENED_BY_CUSTOMER: Final = frozenset({CaseStatus.pending_customer, CaseStatus.resolved})
# The statuses of a case the brand is done with (its thread says it "followed this up").
SETTLED: Final = frozenset({CaseStatus.resolved, CaseStatus.closed})
MAX_SUBJECT = 200
PAGE_SIZE = 25


class _Unchanged:
    """The assignee argument left out (None means "nobody")."""


UNCHANGED: Final = _Unchanged()


@dataclass(frozen=True)
class CasePage:
    items: list[SupportCase]
    next_cursor: str | None


@dataclass(frozen=True)
class MessageView:
    message: CaseMessage
    author: User
    from_brand: bool


@dataclass(frozen=True)
class ChangeView:
    change: CaseChange
    actor: User
    assignee: User | None  # the new assignee, for a change of assignee
    by_customer: bool  # the customer's reply reopened the case


# Who sees what ------------------------------------------------------------------------------------


def can_see(guardian: Guardian, case: SupportCase) -> bool:
    """The brand's staff (a suspended moderator is not, for the time being) and the customer."""
    return is_brand(guardian) or (
        guardian.user is not None and guardian.user.id == case.customer_id
    )


def is_brand(guardian: Guardian) -> bool:
    """May act for the brand on cases: open, update, write internal notes."""
    return guardian.can_moderate()


def _ensure_brand(guardian: Guardian) -> None:
    ensure_signed_in(guardian)
    ensure(is_brand(guardian), "Only moderators can manage cases.")


def get_case(session: Session, guardian: Guardian, case_id: int) -> SupportCase:
    """The case, for its customer or a moderator; NotFound for everyone else."""
    if not guardian.is_authenticated:
        raise NotAuthenticated("Please log in first.")
    case = session.get(SupportCase, case_id)
    if case is None or not can_see(guardian, case):
        raise NotFound("This case does not exist.")
    return case


def messages(session: Session, guardian: Guardian, case: SupportCase) -> list[MessageView]:
    """The conversation, oldest first; internal notes only for moderators."""
    ensure(can_see(guardian, case), "This case does not exist.")
    query = select(CaseMessage).where(col(CaseMessage.case_id) == case.id)
    if not is_brand(guardian):
        query = query.where(col(CaseMessage.is_internal).is_(False))
    rows = list(session.exec(query.order_by(col(CaseMessage.id))))
    people = _users(session, {m.author_id for m in rows})
    return [
        MessageView(
            message=m, author=people[m.author_id], from_brand=m.author_id != case.customer_id
        )
        for m in rows
    ]


def timeline(
    session: Session, guardian: Guardian, case: SupportCase
) -> list[MessageView | ChangeView]:
    """The conversation and the changes among it, oldest first, as ``guardian`` may see them."""
    entries: list[MessageView | ChangeView] = list(messages(session, guardian, case))
    query = select(CaseChange).where(col(CaseChange.case_id) == case.id)
    if not is_brand(guardian):
        query = query.where(col(CaseChange.field).in_(CUSTOMER_VISIBLE))
    changes = list(session.exec(query.order_by(col(CaseChange.id))))
    ids = {c.actor_id for c in changes} | {c.assignee_id for c in changes if c.assignee_id}
    people = _users(session, ids)
    entries += [
        ChangeView(
            change=c,
            actor=people[c.actor_id],
            assignee=people.get(c.assignee_id) if c.assignee_id else None,
            by_customer=c.actor_id == case.customer_id,
        )
        for c in changes
    ]
    return sorted(entries, key=_position)


def _position(entry: MessageView | ChangeView) -> tuple[int, int, int]:
    """A message by its id; a change right after the message it followed, changes in order."""
    if isinstance(entry, MessageView):
        return (entry.message.id or 0, 0, 0)
    return (entry.change.after_message_id or 0, 1, entry.change.id or 0)


def list_cases(
    session: Session,
    guardian: Guardian,
    *,
    own: bool = False,
    status: str = "",
    assignee_id: int | None = None,
    mine: bool = False,
    cursor: str = "",
    limit: int = PAGE_SIZE,
) -> CasePage:
    """Cases, newest first. Members (and ``own``) get their own cases only; moderators every
    case, filtered by status, assignee or ``mine`` (assigned to them)."""
    ensure_signed_in(guardian)
    query = select(SupportCase)
    if own or not is_brand(guardian):
        query = query.where(col(SupportCase.customer_id) == guardian.user_id)
    else:
        if mine:
            query = query.where(col(SupportCase.assignee_id) == guardian.user_id)
        elif assignee_id is not None:
            query = query.where(col(SupportCase.assignee_id) == assignee_id)
    if status:
        query = query.where(col(SupportCase.status) == _status(status))
    if cursor:
        before = params.parse_number(cursor)
        if before is None:
            raise Invalid("This page link is not valid any more.", field="cursor")
        query = query.where(col(SupportCase.id) < before)
    rows = list(session.exec(query.order_by(col(SupportCase.id).desc()).limit(limit + 1)))
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return CasePage(items=rows[:limit], next_cursor=next_cursor)


def thread_cases(session: Session, thread_id: int) -> list[SupportCase]:
    """The cases taken from a thread (the public notice only says that there are some)."""
    query = select(SupportCase).where(col(SupportCase.thread_id) == thread_id)
    return list(session.exec(query.order_by(col(SupportCase.id))))


def has_cases(session: Session, customer_id: int) -> bool:
    """Whether the brand ever took this member private (ix_support_case_customer)."""
    query = select(col(SupportCase.id)).where(col(SupportCase.customer_id) == customer_id)
    return session.exec(query.limit(1)).first() is not None


def status_choices(case: SupportCase) -> list[CaseStatus]:
    """The statuses ``case`` may have next, its own included, in the order of its lifecycle."""
    allowed = TRANSITIONS[CaseStatus(case.status)] | {case.status}
    return [status for status in CaseStatus if status in allowed]


def moderators(session: Session) -> list[User]:
    """Who a case can be assigned to."""
    query = select(User).where(
        col(User.role).in_(["moderator", "admin"]), col(User.is_active).is_(True)
    )
    return list(session.exec(query.order_by(col(User.display_name))))


def people(session: Session, ids: set[int]) -> dict[int, User]:
    return _users(session, ids)


# Changes --------------------------------------------------------------------------------------


def open_case(
    session: Session,
    guardian: Guardian,
    post: Post,
    *,
    subject: str,
    priority: str,
    body: str,
    clock: Clock,
) -> SupportCase:
    """Take ``post``'s conversation private with its author, with a first message to them."""
    _ensure_brand(guardian)
    thread = session.get(Thread, post.thread_id)
    assert thread is not None and post.id is not None and thread.id is not None
    customer = session.get(User, post.author_id)
    assert customer is not None and customer.id is not None
    if customer.is_moderator:
        raise Invalid("This post is the brand's own: a case is with a customer.", field="post_id")
    subject = _subject(subject or thread.title)
    priority = _priority(priority or CasePriority.normal)
    body = posting.validate_body(body)
    existing = session.exec(
        select(SupportCase).where(
            col(SupportCase.thread_id) == thread.id,
            col(SupportCase.customer_id) == customer.id,
            col(SupportCase.status) != CaseStatus.closed,
        )
    ).first()
    if existing is not None:
        raise Conflict(
            "This customer already has a case about this thread: #%(id)s.", id=existing.id
        )
    now = clock.now()
    by_id = guardian.user_id
    case = SupportCase(
        customer_id=customer.id,
        thread_id=thread.id,
        post_id=post.id,
        subject=subject,
        priority=priority,
        status=CaseStatus.open,
        assignee_id=by_id,
        created_by_id=by_id,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    assert case.id is not None
    events.record(
        session,
        "case_opened",
        at=now,
        thread_id=thread.id,
        case_id=case.id,
        customer_id=customer.id,
        by_id=by_id,
    )
    audit.record(
        session,
        actor_id=by_id,
        action="case_opened",
        target_type="case",
        target_id=case.id,
        before={},
        after={**_state(case), "thread_id": thread.id, "post_id": post.id},
        now=now,
    )
    _add_message(session, case, author_id=by_id, body=body, internal=False, now=now)
    session.commit()
    return case


def update_case(
    session: Session,
    guardian: Guardian,
    case: SupportCase,
    *,
    status: str = "",
    priority: str = "",
    assignee_id: int | _Unchanged | None = UNCHANGED,
    clock: Clock,
) -> SupportCase:
    """Change status (along TRANSITIONS), priority and assignee; one event, one audit entry."""
    _ensure_brand(guardian)
    before = _state(case)
    if status and status != case.status:
        _check_transition(case.status, _status(status))
        case.status = _status(status)
    if priority:
        case.priority = _priority(priority)
    if not isinstance(assignee_id, _Unchanged):
        case.assignee_id = _assignee(session, assignee_id)
    after = _state(case)
    if after == before:
        return case
    now = clock.now()
    if case.status != before["status"]:
        _stamp_status(case, now)
    changed = {key for key in after if after[key] != before[key]}
    if changed & CUSTOMER_VISIBLE:  # priority and assignee are the brand's own business
        case.updated_at = now
    session.add(case)
    assert case.id is not None
    audit.record(
        session,
        actor_id=guardian.user_id,
        action="case_updated",
        target_type="case",
        target_id=case.id,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
        now=now,
    )
    _record_changes(session, case, changed, by_id=guardian.user_id, now=now)
    event = _record_updated(session, case, by_id=guardian.user_id, now=now)
    if "status" in changed:
        _notify_status(session, case, event, by_id=guardian.user_id, now=now)
    session.commit()
    return case


def add_message(
    session: Session,
    guardian: Guardian,
    case: SupportCase,
    *,
    body: str,
    internal: bool = False,
    clock: Clock,
) -> CaseMessage:
    """A message from the customer or the brand, or (moderators) an internal note."""
    ensure_signed_in(guardian)
    if not can_see(guardian, case):
        raise NotFound("This case does not exist.")
    is_customer = guardian.user_id == case.customer_id
    if internal or not is_customer:
        _ensure_brand(guardian)
    if case.status == CaseStatus.closed and not internal:
        if is_customer:
            raise Forbidden(
                "This case is closed. If you need more help, start a new thread in the community."
            )
        raise Conflict("This case is closed: reopen it before writing to the customer.")
    body = posting.validate_body(body)
    now = clock.now()
    message = _add_message(
        session, case, author_id=guardian.user_id, body=body, internal=internal, now=now
    )
    if is_customer and not internal and case.status in REOPENED_BY_CUSTOMER:
        case.status = CaseStatus.open
        _stamp_status(case, now)
        _record_changes(session, case, {"status"}, by_id=guardian.user_id, now=now)
        _record_updated(session, case, by_id=guardian.user_id, now=now)
    if not internal:  # the customer sees updated_at: a note must not tell them one was written
        case.updated_at = now
        session.add(case)
    session.commit()
    return message


# Helpers --------------------------------------------------------------------------------------


def _add_message(
    session: Session, case: SupportCase, *, author_id: int, body: str, internal: bool, now: datetime
) -> CaseMessage:
    assert case.id is not None
    message = CaseMessage(
        case_id=case.id,
        author_id=author_id,
        body=body,
        body_html=markdown.render(body),
        is_internal=internal,
        created_at=now,
    )
    session.add(message)
    session.flush()
    event = events.record(
        session,
        "case_message_added",
        at=now,
        thread_id=case.thread_id,
        case_id=case.id,
        message_id=message.id,
        is_internal=internal,
        author_id=author_id,
    )
    assert event.id is not None
    if internal:
        return message
    # Whoever the message is for learns there is something to read, in the unread count and the
    # list: the customer (linked to /cases) or the moderator the case is assigned to (linked to
    # the case). The notification carries no text of the message.
    if author_id != case.customer_id:
        reader, kind = case.customer_id, NotificationKind.case
    elif case.assignee_id is not None:
        reader, kind = case.assignee_id, NotificationKind.case_reply
    else:
        return message
    session.add(
        Notification(
            user_id=reader,
            kind=kind,
            event_id=event.id,
            actor_id=author_id,
            thread_id=case.thread_id,
            post_id=case.post_id,
            created_at=now,
        )
    )
    return message


def let_go_of(session: Session, user_id: int, *, by_id: int, now: datetime) -> int:
    """An account is being deleted (moderation.erased_accounts): the cases assigned to it go
    back to the team, and its own cases still going are closed, each change on the timeline and
    sent to the CRM like any other. Returns how many cases changed; the caller commits."""
    query = select(SupportCase).where(
        (col(SupportCase.assignee_id) == user_id)
        | (
            (col(SupportCase.customer_id) == user_id)
            & (col(SupportCase.status) != CaseStatus.closed)
        )
    )
    changed_cases = 0
    for case in session.exec(query.order_by(col(SupportCase.id))):
        before = _state(case)
        if case.assignee_id == user_id:
            case.assignee_id = None
        if case.customer_id == user_id and case.status != CaseStatus.closed:
            case.status = CaseStatus.closed
            _stamp_status(case, now)
            case.updated_at = now
        after = _state(case)
        changed = {key for key in after if after[key] != before[key]}
        session.add(case)
        _record_changes(session, case, changed, by_id=by_id, now=now)
        _record_updated(session, case, by_id=by_id, now=now)
        changed_cases += 1
    return changed_cases


def _record_changes(
    session: Session, case: SupportCase, changed: set[str], *, by_id: int, now: datetime
) -> None:
    """One timeline entry per field of ``changed``, after the case's last message."""
    assert case.id is not None
    last_message = session.exec(
        select(col(CaseMessage.id))
        .where(col(CaseMessage.case_id) == case.id)
        .order_by(col(CaseMessage.id).desc())
        .limit(1)
    ).first()
    for key, field in CHANGE_FIELDS.items():
        if key not in changed:
            continue
        session.add(
            CaseChange(
                case_id=case.id,
                actor_id=by_id,
                field=field,
                value=None if field == "assignee" else getattr(case, key),
                assignee_id=case.assignee_id if field == "assignee" else None,
                after_message_id=last_message,
                created_at=now,
            )
        )


def _notify_status(
    session: Session, case: SupportCase, event: events.OutboxEvent, *, by_id: int, now: datetime
) -> None:
    """Tell the customer the brand waits for their reply, or that their case is resolved."""
    if case.status == CaseStatus.pending_customer:
        kind = NotificationKind.case_pending
    elif case.status == CaseStatus.resolved and _surveyed(session, case):
        kind = NotificationKind.case_resolved
    else:
        return
    assert event.id is not None
    session.add(
        Notification(
            user_id=case.customer_id,
            kind=kind,
            event_id=event.id,
            actor_id=by_id,
            thread_id=case.thread_id,
            post_id=case.post_id,
            created_at=now,
        )
    )


def _surveyed(session: Session, case: SupportCase) -> bool:
    """Whether the customer was asked about this case already. Until then, resolving it asks
    (moderation.satisfaction), and the survey's notification is the one that says "resolved"."""
    query = select(col(SatisfactionResponse.id)).where(
        col(SatisfactionResponse.case_id) == case.id,
        col(SatisfactionResponse.user_id) == case.customer_id,
    )
    return session.exec(query.limit(1)).first() is not None


def _record_updated(
    session: Session, case: SupportCase, *, by_id: int, now: datetime
) -> events.OutboxEvent:
    return events.record(
        session,
        "case_updated",
        at=now,
        thread_id=case.thread_id,
        case_id=case.id,
        status=case.status,
        priority=case.priority,
        assignee_id=case.assignee_id,
        by_id=by_id,
    )


def _state(case: SupportCase) -> dict[str, Any]:
    return {
        "status": case.status,
        "priority": case.priority,
        "assignee_id": case.assignee_id,
        "subject": case.subject,
    }


# What the customer sees of a case besides its messages: only these changes move ``updated_at``.
CUSTOMER_VISIBLE = frozenset({"status", "subject"})
# The fields of _state that the timeline shows changes of, as a CaseChange names them.
CHANGE_FIELDS: Final = {"status": "status", "priority": "priority", "assignee_id": "assignee"}

# Statuses and priorities as the brand's case pages name them (moderation/_cases_macros.html).
STATUS_LABELS = {
    CaseStatus.open: N_("Open"),
    CaseStatus.pending_customer: N_("Pending customer"),
    CaseStatus.resolved: N_("Resolved"),
    CaseStatus.closed: N_("Closed"),
}
PRIORITY_LABELS = {
    CasePriority.low: N_("Low"),
    CasePriority.normal: N_("Normal"),
    CasePriority.high: N_("High"),
    CasePriority.urgent: N_("Urgent"),
}


def _check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS.get(current, frozenset()):
        raise Invalid(
            "A case cannot go from %(current)s to %(new)s.",
            field="status",
            current=_label(current),
            new=_label(new),
        )


def _label(status: str) -> str:
    try:
        return Label(STATUS_LABELS[CaseStatus(status)])
    except ValueError:
        return status


def _stamp_status(case: SupportCase, now: datetime) -> None:
    """When it was resolved (kept on closing, cleared on reopening) and closed."""
    if case.status == CaseStatus.resolved:
        case.resolved_at = now
    elif case.status == CaseStatus.open:
        case.resolved_at = None
    case.closed_at = now if case.status == CaseStatus.closed else None


def _status(value: str) -> CaseStatus:
    try:
        return CaseStatus(value)
    except ValueError:
        raise Invalid("Unknown case status: %(value)s", field="status", value=value[:30]) from None


def _priority(value: str) -> CasePriority:
    try:
        return CasePriority(value)
    except ValueError:
        raise Invalid("Unknown priority: %(value)s", field="priority", value=value[:30]) from None


def _subject(value: str) -> str:
    textrules.reject_control_characters(value, field="subject")
    value = " ".join(value.split())
    if not value:
        raise Invalid("Give the case a subject.", field="subject")
    if len(value) > MAX_SUBJECT:
        raise Invalid(
            "The subject can have at most %(count)s characters.", field="subject", count=MAX_SUBJECT
        )
    return value


def parse_assignee(raw: str) -> int | None:
    """The assignee picked in a form: empty is "unassigned", anything else a user's id (which
    update_case checks is a moderator's)."""
    if not raw.strip():
        return None
    user_id = params.parse_number(raw)
    if user_id is None:
        raise Invalid("A case can only be assigned to a moderator.", field="assignee_id")
    return user_id


def _assignee(session: Session, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    user = session.get(User, user_id) if 0 < user_id <= params.MAX_ID else None
    if user is None or not user.is_moderator or not user.is_active:
        raise Invalid("A case can only be assigned to a moderator.", field="assignee_id")
    return user_id


def _users(session: Session, ids: Sequence[int] | set[int]) -> dict[int, User]:
    if not ids:
        return {}
    rows = session.exec(select(User).where(col(User.id).in_(list(ids))))
    return {user.id: user for user in rows if user.id is not None}
