"""Private cases in JSON (/api/v1/cases): a member's own cases, every case for moderators.

The same services and checks as the pages: a case the caller may not see is a 404, an anonymous
caller gets 401, and internal notes appear only in a moderator's answers.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from community.deps import ClockDep, GuardianDep, SessionDep
from community.params import MAX_ID
from community.policy import Guardian
from community.schemas import AuthorRef
from community.settings import get_settings
from moderation import cases
from moderation.models import CaseStatus, SupportCase

router = APIRouter(prefix="/api/v1", tags=["cases"])

CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="The case's numeric id.")]


class CasePublic(BaseModel):
    id: int
    subject: str
    status: str = Field(description="open, pending_customer, resolved or closed")
    priority: str | None = Field(
        description="low, normal, high or urgent; null for the customer (the brand's own)"
    )
    customer: AuthorRef | None
    assignee: AuthorRef | None = Field(description="null for the customer (the brand's own)")
    thread_id: int | None
    post_id: int | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class CaseList(BaseModel):
    items: list[CasePublic]
    next_cursor: str | None


class CaseMessagePublic(BaseModel):
    id: int
    author: AuthorRef
    from_brand: bool
    brand: str | None = Field(description="the brand's name on the brand's messages")
    is_internal: bool = Field(description="an internal note: only moderators ever get these")
    body: str
    body_html: str
    created_at: datetime


class CaseChangePublic(BaseModel):
    id: int
    field: str = Field(description="status for everyone; priority and assignee for moderators only")
    value: str | None = Field(description="the new status or priority; null for an assignee")
    assignee: AuthorRef | None = Field(description="the new assignee (null: unassigned)")
    actor: AuthorRef
    by_customer: bool = Field(description="the customer's reply reopened the case")
    after_message_id: int | None = Field(description="the message it follows in the timeline")
    created_at: datetime


class CaseDetailPublic(CasePublic):
    messages: list[CaseMessagePublic]
    changes: list[CaseChangePublic] = Field(
        description="status changes (and, for moderators, priority and assignee), oldest first"
    )


class CaseMessageCreate(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    body: str = Field(max_length=get_settings().max_body_chars, examples=["It works now, thanks."])
    internal: bool = Field(default=False, description="moderators only: an internal note")


@router.get("/cases", response_model=CaseList)
def list_cases(
    session: SessionDep,
    guardian: GuardianDep,
    status: Annotated[CaseStatus | None, Query()] = None,
    assignee_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    mine: bool = False,
    cursor: Annotated[str, Query(max_length=20)] = "",
) -> CaseList:
    """Your cases, newest first; moderators get every case, filterable by status, assignee and
    ``mine`` (assigned to the caller)."""
    page = cases.list_cases(
        session,
        guardian,
        status=status or "",
        assignee_id=assignee_id,
        mine=mine,
        cursor=cursor,
    )
    return CaseList(
        items=[_case_public(session, guardian, case) for case in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/cases/{case_id}", response_model=CaseDetailPublic)
def get_case(case_id: CaseId, session: SessionDep, guardian: GuardianDep) -> CaseDetailPublic:
    case = cases.get_case(session, guardian, case_id)
    return _case_detail(session, guardian, case)


@router.post("/cases/{case_id}/messages", status_code=201, response_model=CaseDetailPublic)
def add_message(
    case_id: CaseId,
    payload: CaseMessageCreate,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> CaseDetailPublic:
    """Write in a case: its customer, or a moderator (``internal`` for a note)."""
    case = cases.get_case(session, guardian, case_id)
    cases.add_message(
        session, guardian, case, body=payload.body, internal=payload.internal, clock=clock
    )
    session.refresh(case)
    return _case_detail(session, guardian, case)


def _case_public(session: Session, guardian: Guardian, case: SupportCase) -> CasePublic:
    """The case as ``guardian`` may see it: the customer gets neither priority nor assignee."""
    assert case.id is not None
    brand = cases.is_brand(guardian)
    ids = {case.customer_id} | ({case.assignee_id} if case.assignee_id and brand else set())
    people = cases.people(session, ids)
    customer = people.get(case.customer_id)
    assignee = people.get(case.assignee_id) if case.assignee_id and brand else None
    return CasePublic(
        id=case.id,
        subject=case.subject,
        status=case.status,
        priority=case.priority if brand else None,
        customer=AuthorRef.of(customer) if customer else None,
        assignee=AuthorRef.of(assignee) if assignee else None,
        thread_id=case.thread_id,
        post_id=case.post_id,
        created_at=case.created_at,
        updated_at=case.updated_at,
        closed_at=case.closed_at,
    )


def _case_detail(session: Session, guardian: Guardian, case: SupportCase) -> CaseDetailPublic:
    brand = get_settings().brand_name
    entries = cases.timeline(session, guardian, case)
    messages = [
        CaseMessagePublic(
            id=view.message.id or 0,
            author=AuthorRef.of(view.author),
            from_brand=view.from_brand,
            brand=brand if view.from_brand else None,
            is_internal=view.message.is_internal,
            body=view.message.body,
            body_html=view.message.body_html,
            created_at=view.message.created_at,
        )
        for view in entries
        if isinstance(view, cases.MessageView)
    ]
    changes = [
        CaseChangePublic(
            id=entry.change.id or 0,
            field=entry.change.field,
            value=entry.change.value,
            assignee=AuthorRef.of(entry.assignee) if entry.assignee else None,
            actor=AuthorRef.of(entry.actor),
            by_customer=entry.by_customer,
            after_message_id=entry.change.after_message_id,
            created_at=entry.change.created_at,
        )
        for entry in entries
        if isinstance(entry, cases.ChangeView)
    ]
    return CaseDetailPublic(
        **_case_public(session, guardian, case).model_dump(), messages=messages, changes=changes
    )
