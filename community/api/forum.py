"""The thread page in JSON: threads with their posts, replies, edits, deletes, kudos, solutions.

The same services and Guardian checks as the HTML pages; errors come out as {"detail": ...}.
"""

from fastapi import APIRouter, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from community import duplicates, kudos, posting, solutions
from community.deps import ClockDep, GuardianDep, SessionDep
from community.params import PageQuery, PostId, ThreadId
from community.policy import Guardian
from community.schemas import (
    CategoryRef,
    DuplicateCreate,
    KudosPublic,
    PostAuthorPublic,
    PostCreate,
    PostPublic,
    PostUpdate,
    SolutionCreate,
    SolutionPublic,
    ThreadCreate,
    ThreadDetailPublic,
)
from community.settings import get_settings

router = APIRouter(tags=["forum"])


@router.post("/threads", status_code=201, response_model=ThreadDetailPublic)
def create_thread(
    payload: ThreadCreate, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> ThreadDetailPublic:
    """Ask a question: a new thread in a category (by slug), with its opening post."""
    category = posting.category_by_slug(session, payload.category)
    thread = posting.create_thread(
        session,
        guardian,
        category=category,
        title=payload.title,
        body=payload.body,
        tags=payload.tags,
        clock=clock,
    )
    return _thread_detail(session, posting.load_thread_page(session, guardian, thread))


@router.get("/threads/{thread_id}", response_model=ThreadDetailPublic)
def get_thread(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep, page: PageQuery = 1
) -> ThreadDetailPublic | RedirectResponse:
    """A thread with one page of posts, its solution and its counts."""
    thread = posting.get_thread(session, guardian, thread_id)
    if thread.merged_into_id is not None:  # merged: its posts live on in the other thread
        return RedirectResponse(f"/api/v1/threads/{thread.merged_into_id}", status_code=308)
    view = posting.load_thread_page(session, guardian, thread, page=page)
    return _thread_detail(session, view)


@router.post("/threads/{thread_id}/posts", status_code=201, response_model=PostPublic)
def reply(
    thread_id: ThreadId,
    payload: PostCreate,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> PostPublic:
    thread = posting.get_thread(session, guardian, thread_id)
    post = posting.reply_to_thread(
        session, guardian, thread, body=payload.body, clock=clock, confirmed=payload.confirm
    )
    return _post_public(posting.post_view(session, guardian, post))


@router.get("/posts/{post_id}", response_model=PostPublic)
def get_post(post_id: PostId, session: SessionDep, guardian: GuardianDep) -> PostPublic:
    post = posting.get_post(session, guardian, post_id)
    return _post_public(posting.post_view(session, guardian, post))


@router.put("/posts/{post_id}", response_model=PostPublic)
def edit_post(
    post_id: PostId,
    payload: PostUpdate,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> PostPublic:
    """Edit your post; the previous text is kept as a revision."""
    post = posting.get_post(session, guardian, post_id)
    post = posting.edit_post(
        session,
        guardian,
        post,
        body=payload.body,
        title=payload.title,
        tags=payload.tags,
        clock=clock,
    )
    return _post_public(posting.post_view(session, guardian, post))


@router.delete("/posts/{post_id}", status_code=204)
def delete_post(
    post_id: PostId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> Response:
    """Soft-delete a post (the opening post deletes the thread)."""
    post = posting.get_post(session, guardian, post_id)
    posting.delete_post(session, guardian, post, clock=clock)
    return Response(status_code=204)


@router.post("/threads/{thread_id}/duplicate", response_model=ThreadDetailPublic)
def mark_duplicate(
    thread_id: ThreadId,
    payload: DuplicateCreate,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> ThreadDetailPublic:
    """Mark the thread as a duplicate of ``original_id`` (Expert rank or moderators)."""
    thread = posting.get_thread(session, guardian, thread_id)
    original = posting.get_thread(session, guardian, payload.original_id)
    duplicates.mark_duplicate(session, guardian, thread, original, clock=clock)
    return _thread_detail(session, posting.load_thread_page(session, guardian, thread))


@router.delete("/threads/{thread_id}/duplicate", status_code=204)
def unmark_duplicate(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> Response:
    thread = posting.get_thread(session, guardian, thread_id)
    duplicates.unmark_duplicate(session, guardian, thread, clock=clock)
    return Response(status_code=204)


@router.post("/posts/{post_id}/kudos", response_model=KudosPublic)
def give_kudos(
    post_id: PostId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> KudosPublic:
    post = posting.get_post(session, guardian, post_id)
    kudos.give_kudos(session, guardian, post, clock=clock)
    return _kudos_public(session, guardian, post_id)


@router.delete("/posts/{post_id}/kudos", response_model=KudosPublic)
def withdraw_kudos(
    post_id: PostId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> KudosPublic:
    post = posting.get_post(session, guardian, post_id)
    kudos.withdraw_kudos(session, guardian, post, clock=clock)
    return _kudos_public(session, guardian, post_id)


@router.post("/threads/{thread_id}/solution", response_model=SolutionPublic)
def accept_solution(
    thread_id: ThreadId,
    payload: SolutionCreate,
    session: SessionDep,
    guardian: GuardianDep,
    clock: ClockDep,
) -> SolutionPublic:
    """Mark a reply as the accepted solution (the asker or a moderator)."""
    thread = posting.get_thread(session, guardian, thread_id)
    post = posting.get_post(session, guardian, payload.post_id)
    solutions.accept_solution(session, guardian, thread, post, clock=clock)
    return SolutionPublic(thread_id=thread_id, solved=True, solution_post_id=post.id)


@router.delete("/threads/{thread_id}/solution", response_model=SolutionPublic)
def unmark_solution(
    thread_id: ThreadId, session: SessionDep, guardian: GuardianDep, clock: ClockDep
) -> SolutionPublic:
    thread = posting.get_thread(session, guardian, thread_id)
    solutions.unmark_solution(session, guardian, thread, clock=clock)
    return SolutionPublic(thread_id=thread_id, solved=False, solution_post_id=None)


def _post_public(view: posting.PostView) -> PostPublic:
    post = view.post
    assert post.id is not None
    return PostPublic(
        id=post.id,
        thread_id=post.thread_id,
        post_number=post.post_number,
        author=PostAuthorPublic.of(view.author),
        body=None if post.is_deleted or not view.visible else post.body,
        body_html=None if post.is_deleted or not view.visible else post.body_html,
        created_at=post.created_at,
        edited_at=post.edited_at,
        revision_count=post.revision_count,
        kudos_count=post.kudos_count,
        kudos_given=view.kudos_given,
        is_solution=view.is_solution,
        deleted=post.is_deleted,
        hidden=post.is_hidden,
        hidden_reason=view.hidden_reason,
        official=view.is_official,
        brand=get_settings().brand_name if view.is_official else None,
        bookmarked=view.bookmarked,
    )


def _thread_detail(session: Session, view: posting.ThreadPage) -> ThreadDetailPublic:
    thread, category = view.thread, view.category
    assert thread.id is not None and category.id is not None
    session.refresh(thread)  # counters may have moved in SQL since it was loaded
    return ThreadDetailPublic(
        id=thread.id,
        title=thread.title,
        url=f"/t/{thread.id}",
        category=CategoryRef.of(category),
        author=PostAuthorPublic.of(view.question.author),
        tags=view.tags,
        created_at=thread.created_at,
        last_activity_at=thread.last_activity_at,
        reply_count=view.reply_count,
        kudos_count=thread.kudos_count,
        view_count=thread.view_count,
        solved=thread.is_solved,
        solved_at=thread.solved_at,
        solution_post_id=view.solution.post.id if view.solution else None,
        locked=thread.is_locked,
        deleted=thread.is_deleted,
        hidden=thread.is_hidden,
        duplicate_of_id=thread.duplicate_of_id,
        page=view.page,
        pages=view.pages,
        posts=[_post_public(v) for v in (view.question, *view.replies)],
    )


def _kudos_public(session: Session, guardian: Guardian, post_id: int) -> KudosPublic:
    post = posting.get_post(session, guardian, post_id)
    session.refresh(post)
    return KudosPublic(
        post_id=post_id,
        kudos_count=post.kudos_count,
        kudos_given=kudos.has_given(session, guardian, post),
    )
