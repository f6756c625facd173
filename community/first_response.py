"""When a thread was first answered: the service levels' clock stops there.

A reply answers the thread when someone other than its askers wrote it after the question, and
every reader can see it: not deleted, not hidden (by a moderator, for personal data, or waiting
for approval). It answered when it was published: a reply that waited for approval answered
when a moderator approved it, not when it was written. The askers are the thread's author and
the authors of the questions merged into it, whose posts are more of the same question, not an
answer; replies moved in from a merged thread that predate the question did not answer it
either.
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from community.models import Post, Thread


def first_response_at(session: Session, thread: Thread) -> datetime | None:
    askers = select(col(Thread.author_id)).where(col(Thread.merged_into_id) == thread.id)
    published = func.coalesce(col(Post.published_at), col(Post.created_at))
    query = select(func.min(published)).where(
        col(Post.thread_id) == thread.id,
        col(Post.post_number) > 1,
        col(Post.author_id) != thread.author_id,
        col(Post.author_id).not_in(askers),
        col(Post.created_at) >= thread.created_at,
        col(Post.deleted_at).is_(None),
        col(Post.hidden_at).is_(None),
    )
    return session.scalar(query)


def refresh(session: Session, thread: Thread) -> None:
    """Recompute ``thread.first_response_at`` after one of its replies appeared, went or changed
    visibility; the caller commits."""
    thread.first_response_at = first_response_at(session, thread)
    session.add(thread)
