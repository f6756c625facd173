"""The moderator tools in JSON, under /api/v1/moderation: the same services as the pages.

Every route requires a moderator (members 403, anonymous 401) before anything else is looked at,
so a member cannot even learn whether a thread exists. The audit log is for admins.
"""

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field, StringConstraints

from community.deps import ClockDep, GuardianDep, SessionDep
from community.models import Post, Thread, User
from community.params import MAX_ID, PostId, ThreadId
from moderation import bulk_move, tools


def require_moderator(guardian: GuardianDep) -> None:
    tools.ensure_moderator(guardian)


router = APIRouter(
    prefix="/api/v1/moderation",
    tags=["moderation"],
    dependencies=[Depends(require_moderator)],
)

Username = Annotated[str, Path(max_length=30, description="The member's username.")]
CategorySlug = Annotated[str, Path(max_length=60, description="The category's slug.")]


# --- Shapes -------------------------------------------------------------------------------------


class ModThreadPublic(BaseModel):
    id: int
    title: str
    category_id: int
    hidden: bool
    hidden_reason: str | None
    locked: bool
    deleted: bool
    merged_into_id: int | None
    reply_count: int

    @classmethod
    def of(cls, thread: Thread) -> "ModThreadPublic":
        assert thread.id is not None
        return cls(
            id=thread.id,
            title=thread.title,
            category_id=thread.category_id,
            hidden=thread.is_hidden,
            hidden_reason=thread.hidden_reason,
            locked=thread.is_locked,
            deleted=thread.is_deleted,
            merged_into_id=thread.merged_into_id,
            reply_count=thread.reply_count,
        )


class ModPostPublic(BaseModel):
    id: int
    thread_id: int
    post_number: int
    hidden: bool
    hidden_reason: str | None

    @classmethod
    def of(cls, post: Post) -> "ModPostPublic":
        assert post.id is not None
        return cls(
            id=post.id,
            thread_id=post.thread_id,
            post_number=post.post_number,
            hidden=post.is_hidden,
            hidden_reason=post.hidden_reason,
        )


class ModUserPublic(BaseModel):
    username: str
    suspended_until: datetime | None
    suspension_reason: str | None

    @classmethod
    def of(cls, user: User) -> "ModUserPublic":
        return cls(
            username=user.username,
            suspended_until=user.suspended_until,
            suspension_reason=user.suspension_reason,
        )


class ThreadMove(BaseModel):
    category: Annotated[str, StringConstraints(min_length=1, max_length=60)] = Field(
        description="The slug of the category to move the thread to."
    )


class ThreadMerge(BaseModel):
    into_thread_id: int = Field(
        ge=1, le=MAX_ID, description="The thread that receives this thread's posts."
    )


class ThreadsMove(BaseModel):
    to: Annotated[str, StringConstraints(min_length=1, max_length=60)] = Field(
        description="The slug of the category that receives every thread."
    )


class ThreadsMoved(BaseModel):
    moved: int = Field(description="How many threads moved, as the category editor counts them.")
    to: str


class MergePublic(BaseModel):
    merged: ModThreadPublic
    into: ModThreadPublic
    moved_post_ids: list[int]


class Suspension(BaseModel):
    days: int = Field(default=0, ge=0, le=3650)
    hours: int = Field(default=0, ge=0, le=24 * 3650)
    reason: Annotated[str, StringConstraints(min_length=1, max_length=tools.MAX_REASON_CHARS)] = (
        Field(description="Shown to the suspended member.")
    )


class AuditEntryPublic(BaseModel):
    id: int
    actor: str | None
    action: str
    target_type: str
    target_id: int
    before: dict[str, Any]
    after: dict[str, Any]
    created_at: datetime


class AuditList(BaseModel):
    items: list[AuditEntryPublic]
    next_cursor: str | None


# --- Threads ------------------------------------------------------------------------------------


@router.post("/threads/{thread_id}/hide", response_model=ModThreadPublic)
def hide_thread(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> ModThreadPublic:
    """Hide a thread from everyone but its author and moderators."""
    thread = tools.get_thread(session, guardian, thread_id)
    return ModThreadPublic.of(tools.hide_thread(session, guardian, thread, clock=clock))


@router.post("/threads/{thread_id}/unhide", response_model=ModThreadPublic)
def unhide_thread(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> ModThreadPublic:
    thread = tools.get_thread(session, guardian, thread_id)
    return ModThreadPublic.of(tools.unhide_thread(session, guardian, thread, clock=clock))


@router.post("/threads/{thread_id}/lock", response_model=ModThreadPublic)
def lock_thread(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> ModThreadPublic:
    """Members can no longer reply."""
    thread = tools.get_thread(session, guardian, thread_id)
    return ModThreadPublic.of(tools.lock_thread(session, guardian, thread, clock=clock))


@router.post("/threads/{thread_id}/unlock", response_model=ModThreadPublic)
def unlock_thread(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> ModThreadPublic:
    thread = tools.get_thread(session, guardian, thread_id)
    return ModThreadPublic.of(tools.unlock_thread(session, guardian, thread, clock=clock))


@router.post("/threads/{thread_id}/move", response_model=ModThreadPublic)
def move_thread(
    thread_id: ThreadId,
    payload: ThreadMove,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> ModThreadPublic:
    thread = tools.get_thread(session, guardian, thread_id)
    category = tools.get_category(session, payload.category)
    return ModThreadPublic.of(
        tools.move_thread(session, guardian, thread, category=category, clock=clock)
    )


@router.post("/threads/{thread_id}/merge", response_model=MergePublic)
def merge_thread(
    thread_id: ThreadId,
    payload: ThreadMerge,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> MergePublic:
    """Append this thread's posts to another thread; this thread's URL then redirects there."""
    thread = tools.get_thread(session, guardian, thread_id)
    into = tools.get_thread(session, guardian, payload.into_thread_id)
    result = tools.merge_thread(session, guardian, thread, into=into, clock=clock)
    return MergePublic(
        merged=ModThreadPublic.of(thread),
        into=ModThreadPublic.of(result.into),
        moved_post_ids=result.moved_post_ids,
    )


# --- Categories ---------------------------------------------------------------------------------


@router.post("/categories/{slug}/move-threads", response_model=ThreadsMoved)
def move_all_threads(
    slug: CategorySlug,
    payload: ThreadsMove,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> ThreadsMoved:
    """Move every thread of the category to another: hidden, held, deleted and merged-away ones
    too, so that it can then be deleted. 404 when either category does not exist, 422 when they
    are the same; ``moved`` is 0 when the category had no threads left."""
    source = bulk_move.find_category(session, slug)
    target = bulk_move.find_category(session, payload.to)
    moved = bulk_move.move_all_threads(session, guardian, source, target, clock=clock)
    return ThreadsMoved(moved=moved, to=target.slug)


# --- Posts --------------------------------------------------------------------------------------


@router.post("/posts/{post_id}/hide", response_model=ModPostPublic)
def hide_post(
    post_id: PostId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> ModPostPublic:
    post = tools.get_post(session, guardian, post_id)
    return ModPostPublic.of(tools.hide_post(session, guardian, post, clock=clock))


@router.post("/posts/{post_id}/unhide", response_model=ModPostPublic)
def unhide_post(
    post_id: PostId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> ModPostPublic:
    """Unhide (also: the review of a post hidden for personal data)."""
    post = tools.get_post(session, guardian, post_id)
    return ModPostPublic.of(tools.unhide_post(session, guardian, post, clock=clock))


# --- Users --------------------------------------------------------------------------------------


@router.post("/users/{username}/suspend", response_model=ModUserPublic)
def suspend_user(
    username: Username,
    payload: Suspension,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> ModUserPublic:
    """The member can read but not post, reply, edit, give kudos or flag until it runs out."""
    user = tools.get_user(session, guardian, username)
    duration = timedelta(days=payload.days, hours=payload.hours)
    return ModUserPublic.of(
        tools.suspend_user(
            session, guardian, user, duration=duration, reason=payload.reason, clock=clock
        )
    )


@router.post("/users/{username}/unsuspend", response_model=ModUserPublic)
def unsuspend_user(
    username: Username, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> ModUserPublic:
    user = tools.get_user(session, guardian, username)
    return ModUserPublic.of(tools.unsuspend_user(session, guardian, user, clock=clock))


# --- The audit log ------------------------------------------------------------------------------


@router.get("/audit", response_model=AuditList)
def audit_log(
    session: SessionDep,
    guardian: GuardianDep,
    actor: Annotated[str | None, Query(max_length=30, description="A username.")] = None,
    action: Annotated[str | None, Query(max_length=40)] = None,
    target_type: Annotated[str | None, Query(max_length=20)] = None,
    target_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    cursor: Annotated[
        str | None, Query(max_length=12, pattern=r"^\d+$", description="`next_cursor`.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = tools.AUDIT_PAGE_SIZE,
) -> AuditList:
    """Admins only: who did what to what, newest first, with the state before and after."""
    before_id = int(cursor) if cursor else None
    page = tools.list_audit(
        session,
        guardian,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before_id=before_id if before_id and before_id <= MAX_ID else None,
        limit=limit,
    )
    return AuditList(
        items=[
            AuditEntryPublic(
                id=row.entry.id or 0,
                actor=row.actor.username if row.actor else None,
                action=row.entry.action,
                target_type=row.entry.target_type,
                target_id=row.entry.target_id,
                before=row.before,
                after=row.after,
                created_at=row.entry.created_at,
            )
            for row in page.items
        ],
        next_cursor=str(page.next_before_id) if page.next_before_id is not None else None,
    )
