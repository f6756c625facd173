"""A member's answers: their replies to other members' threads that every reader can see.

A reply is an answer while it is neither deleted nor hidden (by a moderator, or held for review)
and its thread is neither deleted nor hidden. ``User.answer_count``, the count a profile shows, is
the number of them, and the profile's recent answers are drawn from the same set
(``PUBLIC``, community.profiles), so the count is what the list would show in full.

It is a stored counter because counting on every profile view walks all of a member's replies:
the seed's busiest member has 7,290 at 20,000 threads (9 ms to count on SQLite) and ten times as
many at 200,000. So every change to one of the conditions above moves it, in the caller's
transaction: a reply written or deleted (community.posting), a reply hidden or shown and a thread
hidden or shown (community.visibility), a thread deleted with its question (community.posting)
and a thread merged into another (moderation.tools). Revision 0025 recounted it.
"""

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from community.counters import bump
from community.models import Post, Thread, User

# The conditions on a post and its thread (joined) under which the post is one of its author's
# answers; ``counts`` says the same of one post.
PUBLIC: tuple[ColumnElement[bool], ...] = (
    col(Post.post_number) > 1,
    col(Post.deleted_at).is_(None),
    col(Post.hidden_at).is_(None),
    col(Thread.author_id) != col(Post.author_id),
    col(Thread.deleted_at).is_(None),
    col(Thread.hidden_at).is_(None),
)


def counts(post: Post, thread: Thread) -> bool:
    """Whether ``post``, in ``thread``, is one of its author's answers."""
    return (
        post.post_number > 1
        and post.deleted_at is None
        and post.hidden_at is None
        and post.author_id != thread.author_id
        and is_public(thread)
    )


def is_public(thread: Thread) -> bool:
    return thread.deleted_at is None and thread.hidden_at is None


def bump_thread(session: Session, thread: Thread, sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) the answers ``thread`` holds while it is public: the
    thread was just shown, or is about to be hidden or deleted."""
    query = (
        select(col(Post.author_id), func.count())
        .where(
            col(Post.thread_id) == thread.id,
            col(Post.post_number) > 1,
            col(Post.deleted_at).is_(None),
            col(Post.hidden_at).is_(None),
            col(Post.author_id) != thread.author_id,
        )
        .group_by(col(Post.author_id))
        .order_by(col(Post.author_id))  # users' rows locked in one order: no deadlock between two
    )
    for author_id, number in session.exec(query).all():
        bump(session, User, author_id, answer_count=sign * number)
