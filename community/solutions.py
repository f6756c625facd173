"""Accepted solutions: the asker (or a moderator) marks the reply that solved the thread.

One ``Solution`` row per thread (its primary key is ``thread_id``), plus ``thread.solved_at`` and
the answer author's ``solution_count`` while the reply is one of their answers
(community.profile_counts). Accepting your own reply solves the thread but, like
``answer_count``, does not count as helping someone else.
"""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from community import events, profile_counts, reputation
from community.clock import Clock
from community.counters import bump
from community.errors import Conflict, Invalid, NotFound
from community.models import Post, Solution, Thread, User
from community.policy import Guardian, ensure, ensure_signed_in


def accept_solution(
    session: Session, guardian: Guardian, thread: Thread, post: Post, *, clock: Clock
) -> Solution:
    """Mark ``post`` as the thread's solution, replacing any earlier one."""
    ensure_signed_in(guardian)
    ensure(
        guardian.can_accept_solution(thread),
        "Only the person who asked, or a moderator, can choose the solution.",
    )
    if post.thread_id != thread.id:
        raise Invalid("That reply is not in this thread.", field="post_id")
    if post.is_question:
        raise Invalid("The question itself cannot be its solution.", field="post_id")
    if post.is_deleted:
        raise Invalid("A deleted reply cannot be the solution.", field="post_id")
    assert thread.id is not None and post.id is not None
    now = clock.now()
    by_id = guardian.user_id
    if session.get_bind().dialect.name == "postgresql":
        session.refresh(thread, with_for_update=True)
        session.refresh(post)  # as the lock found it: hidden meanwhile, it is no answer to count
    solution = session.get(Solution, thread.id)
    if solution is not None and solution.post_id == post.id:
        return solution
    if solution is not None:
        unmark_within(session, thread, solution, by_id=by_id, now=now)
        session.flush()
    solution = Solution(thread_id=thread.id, post_id=post.id, accepted_by_id=by_id, accepted_at=now)
    session.add(solution)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            "Someone else chose a solution at the same time. Reload the thread and try again."
        ) from None
    thread.solved_at = now
    session.add(thread)
    if profile_counts.is_answer(post, thread):
        bump(session, User, post.author_id, solution_count=1)
    reputation.on_solution_accepted(session, thread, post, accepted_by_id=by_id, at=now)
    events.record(
        session,
        "solution_accepted",
        at=now,
        thread_id=thread.id,
        post_id=post.id,
        accepted_by_id=by_id,
        answer_author_id=post.author_id,
    )
    session.commit()
    return solution


def unmark_solution(session: Session, guardian: Guardian, thread: Thread, *, clock: Clock) -> None:
    """The thread goes back to unsolved."""
    ensure_signed_in(guardian)
    ensure(
        guardian.can_accept_solution(thread),
        "Only the person who asked, or a moderator, can change the solution.",
    )
    if session.get_bind().dialect.name == "postgresql":
        session.refresh(thread, with_for_update=True)
    solution = session.get(Solution, thread.id)
    if solution is None:
        raise NotFound("This thread has no accepted solution.")
    unmark_within(session, thread, solution, by_id=guardian.user_id, now=clock.now())
    session.commit()


def unmark_within(
    session: Session, thread: Thread, solution: Solution, *, by_id: int, now: datetime
) -> None:
    """Remove a solution inside the caller's transaction (the caller checked and commits)."""
    post = session.get(Post, solution.post_id)
    assert post is not None
    session.delete(solution)
    thread.solved_at = None
    session.add(thread)
    if profile_counts.is_answer(post, thread):
        bump(session, User, post.author_id, solution_count=-1)
    assert post.id is not None
    reputation.on_solution_unmarked(session, post.id, at=now)
    events.record(
        session, "solution_unmarked", at=now, thread_id=thread.id, post_id=post.id, by_id=by_id
    )


def solution_post_id(session: Session, thread: Thread) -> int | None:
    solution = session.get(Solution, thread.id)
    return solution.post_id if solution is not None else None
