"""The listening queue, claims and flags in JSON (the same services as the pages).

``/api/v1/moderation/...`` is for moderators only (403 for members); flagging a post is
``POST /api/v1/posts/{post_id}/flags`` (members).
"""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from community import posting, web
from community.deps import ClockDep, GuardianDep, SessionDep
from community.errors import NotAuthenticated
from community.models import Thread, User
from community.params import MAX_ID, PostId, ThreadId
from community.policy import Guardian, ensure
from moderation import approvals, care, claims, flags, queue
from moderation.models import CareThread, Flag, FlagKind, FlagStatus

router = APIRouter(prefix="/api/v1", tags=["moderation"])


# Shapes ------------------------------------------------------------------------------------------


class PersonRef(BaseModel):
    id: int
    username: str
    display_name: str


class CategoryRefPublic(BaseModel):
    id: int
    slug: str
    name: str


class ReasonPublic(BaseModel):
    reason: str = Field(description="The reason's code (the filter value).")
    label: str = Field(description="The chip as shown, in the reader's language.")
    count: int | None = Field(default=None, description="Hours waited, flags, contacts.")


class QueueFlagPublic(BaseModel):
    id: int
    kind: str
    post_id: int
    post_number: int = Field(description="1 is the question.")
    post_url: str
    excerpt: str = Field(description="The start of the post's text, as plain text.")
    flagger: str | None = Field(description="The flagger's username.")
    comment: str
    created_at: datetime


class QueueItemPublic(BaseModel):
    id: int = Field(description="The thread's id.")
    title: str
    url: str
    category: CategoryRefPublic
    customer: PersonRef
    language: str | None
    priority: str = Field(description="urgent, high, normal or low, derived from urgent_at now.")
    reasons: list[str] = Field(description="Why the thread is in the queue (reason codes).")
    reason_details: list[ReasonPublic]
    state: str = Field(description="Service-level state: answered, on_track, at_risk, breached.")
    waited_hours: int
    assignee: PersonRef | None
    claimed_at: datetime | None
    created_at: datetime
    due_at: datetime
    urgent_at: datetime
    open_flags: int
    flags: list[QueueFlagPublic] = Field(description="The members' open flags, post by post.")
    repeat_contact: int
    me_too: int


class QueuePagePublic(BaseModel):
    items: list[QueueItemPublic]
    next_cursor: str | None


class ClaimPublic(BaseModel):
    thread_id: int
    assignee: PersonRef | None
    claimed_at: datetime | None


class AssignRequest(BaseModel):
    moderator_id: int = Field(ge=1, le=2**31 - 1)


class FlagCreate(BaseModel):
    kind: FlagKind
    comment: str = Field(default="", max_length=flags.MAX_COMMENT)


class FlagResolve(BaseModel):
    status: Literal["upheld", "dismissed"]


class FlagPublic(BaseModel):
    id: int
    post_id: int
    thread_id: int
    kind: str
    comment: str
    status: str
    created_at: datetime
    resolved_at: datetime | None


FilterQuery = Annotated[str, Query(max_length=60)]


# Routes ------------------------------------------------------------------------------------------


@router.get("/moderation/queue", response_model=QueuePagePublic)
def get_queue(
    request: Request,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
    category: FilterQuery = "",
    reason: FilterQuery = "",
    language: FilterQuery = "",
    assignee: FilterQuery = "",
    cursor: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=queue.MAX_LIMIT)] = 25,
) -> QueuePagePublic:
    """The listening queue, most urgent first; ``next_cursor`` fetches the next page."""
    _ensure_moderator(guardian)
    filters = queue.parse_filters(
        category=category, reason=reason, language=language, assignee=assignee
    )
    page = queue.load_queue(
        session, guardian, filters=filters, now=clock.now(), cursor=cursor or None, limit=limit
    )
    language_code = web.language_of(request)
    return QueuePagePublic(
        items=[_item(row, language_code) for row in page.rows], next_cursor=page.next_cursor
    )


@router.post("/moderation/threads/{thread_id}/claim", response_model=ClaimPublic)
def claim_thread(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> ClaimPublic:
    thread = _thread(session, guardian, thread_id)
    return _claim(session, claims.claim(session, guardian, thread, clock=clock))


class ApprovalPublic(BaseModel):
    thread_id: int
    approved: int = Field(description="How many posts (and the question) went out.")


@router.post("/moderation/threads/{thread_id}/approve", response_model=ApprovalPublic)
def approve_thread(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> ApprovalPublic:
    """Publish what waits for approval in the thread (409 when nothing waits)."""
    thread = _thread(session, guardian, thread_id)
    count = approvals.approve(session, guardian, thread, clock=clock)
    return ApprovalPublic(thread_id=thread_id, approved=count)


@router.post("/moderation/threads/{thread_id}/release", response_model=ClaimPublic)
def release_thread(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> ClaimPublic:
    thread = _thread(session, guardian, thread_id)
    return _claim(session, claims.release(session, guardian, thread, clock=clock))


@router.post("/moderation/threads/{thread_id}/assign", response_model=ClaimPublic)
def assign_thread(
    thread_id: ThreadId,
    payload: AssignRequest,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> ClaimPublic:
    thread = _thread(session, guardian, thread_id)
    to = claims.moderator_by_id(session, str(payload.moderator_id))
    return _claim(session, claims.assign(session, guardian, thread, to=to, clock=clock))


@router.post("/posts/{post_id}/flags", status_code=201, response_model=FlagPublic)
def flag_post(
    post_id: PostId,
    payload: FlagCreate,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> FlagPublic:
    """Flag a post for the moderators (once per post; not your own)."""
    post = posting.get_post(session, guardian, post_id)
    flag = flags.raise_flag(
        session, guardian, post, kind=payload.kind, comment=payload.comment, clock=clock
    )
    return _flag(flag)


@router.post("/moderation/flags/{flag_id}/resolve", response_model=FlagPublic)
def resolve_flag(
    flag_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The flag's id.")],
    payload: FlagResolve,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> FlagPublic:
    _ensure_moderator(guardian)
    flag = flags.get_flag(session, guardian, flag_id)
    flags.resolve(session, guardian, [flag], status=FlagStatus(payload.status), clock=clock)
    care.rebuild(session, flag.thread_id, now=clock.now())
    session.commit()
    return _flag(flag)


# Helpers -----------------------------------------------------------------------------------------


def _ensure_moderator(guardian: Guardian) -> None:
    if not guardian.is_authenticated:
        raise NotAuthenticated("Please log in first.")
    ensure(guardian.can_use_queue(), "Only moderators can see the queue.")


def _thread(session: Session, guardian: Guardian, thread_id: int) -> Thread:
    _ensure_moderator(guardian)
    return posting.get_thread(session, guardian, thread_id)


def _person(user: User | None) -> PersonRef | None:
    if user is None:
        return None
    return PersonRef.model_validate(user, from_attributes=True)


def _claim(session: Session, row: CareThread) -> ClaimPublic:
    assignee = session.get(User, row.assignee_id) if row.assignee_id else None
    return ClaimPublic(
        thread_id=row.thread_id, assignee=_person(assignee), claimed_at=row.claimed_at
    )


def _flag(flag: Flag) -> FlagPublic:
    return FlagPublic.model_validate(flag, from_attributes=True)


def _item(row: queue.QueueRow, language: str) -> QueueItemPublic:
    care_row = row.care
    customer = _person(row.customer)
    assert customer is not None
    return QueueItemPublic(
        id=care_row.thread_id,
        title=row.thread.title,
        url=f"/t/{care_row.thread_id}",
        category=CategoryRefPublic.model_validate(row.category, from_attributes=True),
        customer=customer,
        language=care_row.language,
        priority=row.priority.value,
        reasons=list(dict.fromkeys(row.reasons)),
        reason_details=[
            ReasonPublic(reason=chip.reason.value, label=chip.label(language), count=chip.count)
            for chip in row.chips
        ],
        state=row.state,
        waited_hours=row.waited_hours,
        assignee=_person(row.assignee),
        claimed_at=care_row.claimed_at,
        created_at=care_row.created_at,
        due_at=care_row.due_at,
        urgent_at=care_row.urgent_at,
        open_flags=care_row.open_flags,
        flags=[
            QueueFlagPublic(
                id=note.id,
                kind=note.kind,
                post_id=note.post_id,
                post_number=note.post_number,
                post_url=f"/p/{note.post_id}",
                excerpt=note.excerpt,
                flagger=note.flagger_username,
                comment=note.comment,
                created_at=note.created_at,
            )
            for note in row.flags
        ],
        repeat_contact=care_row.repeat_contact,
        me_too=care_row.me_too,
    )
