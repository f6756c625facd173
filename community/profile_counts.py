"""What a member's profile counts: the threads they started, their answers and their accepted
solutions that every reader can see (``User.thread_count``, ``answer_count``, ``solution_count``).

A post is *shown* while it is neither deleted nor hidden (by a moderator, or held for review) and
its thread is neither deleted nor hidden. A shown question (a thread's first post) is a thread its
author started; a shown reply in someone else's thread is one of its author's answers; an answer
that is its thread's accepted solution is one of their solutions too. A merged thread's question
is a reply in the thread it was merged into, and counts there like the others. The profile's
lists draw from the same sets (``SHOWN`` for its recent posts, community.accounts; ``ANSWER`` for
its answers and solutions, community.profiles), so each count is what its list would show in full.

They are stored counters because counting on every profile view walks all of a member's posts:
the seed's busiest member has 7,290 replies at 20,000 threads (9 ms to count on SQLite) and ten
times as many at 200,000. So every change to one of the conditions above moves them, in the
caller's transaction: a thread started, a reply written or deleted (community.posting), a post
hidden or shown and a thread hidden or shown (community.visibility), a thread deleted with its
question (community.posting), a solution accepted or unmarked (community.solutions) and a thread
merged into another (moderation.tools). Revision 0025 recounted answers, 0027 the other two.
"""

from collections import Counter
from collections.abc import Iterable, Mapping

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select

from community.counters import bump
from community.models import Post, Solution, Thread, User

# Per author: how many of the posts considered count in each of these columns of ``User``.
Tally = Mapping[int, Counter[str]]

# The conditions on a post and its thread (joined) under which the post is shown, and, with
# ``ANSWER``'s, one of its author's answers; ``is_shown`` and ``is_answer`` say the same of one.
SHOWN: tuple[ColumnElement[bool], ...] = (
    col(Post.deleted_at).is_(None),
    col(Post.hidden_at).is_(None),
    col(Thread.deleted_at).is_(None),
    col(Thread.hidden_at).is_(None),
)
ANSWER: tuple[ColumnElement[bool], ...] = (
    *SHOWN,
    col(Post.post_number) > 1,
    col(Thread.author_id) != col(Post.author_id),
)


def is_public(thread: Thread) -> bool:
    return thread.deleted_at is None and thread.hidden_at is None


def is_shown(post: Post, thread: Thread) -> bool:
    return post.deleted_at is None and post.hidden_at is None and is_public(thread)


def is_answer(post: Post, thread: Thread) -> bool:
    """Whether ``post``, in ``thread``, is one of its author's answers (and so, when it is the
    thread's accepted solution, one of their solutions)."""
    return post.post_number > 1 and post.author_id != thread.author_id and is_shown(post, thread)


def of_posts(session: Session, posts: Iterable[Post], thread: Thread) -> dict[int, Counter[str]]:
    """What ``posts``, in ``thread`` as it is now, count for their authors."""
    solution = session.get(Solution, thread.id)
    tally: dict[int, Counter[str]] = {}
    for post in posts:
        counted = tally.setdefault(post.author_id, Counter())
        if post.is_question:
            counted["thread_count"] += int(is_shown(post, thread))
        elif is_answer(post, thread):
            counted["answer_count"] += 1
            counted["solution_count"] += int(solution is not None and solution.post_id == post.id)
    return tally


def of_thread(session: Session, thread: Thread) -> dict[int, Counter[str]]:
    """What all the posts of ``thread`` count for their authors: nothing unless it is public."""
    if not is_public(thread):
        return {}
    question = col(Post.post_number) == 1
    answer = (col(Post.post_number) > 1) & (col(Post.author_id) != thread.author_id)
    solution = answer & col(Solution.post_id).is_not(None)
    query = (
        select(col(Post.author_id), _number(question), _number(answer), _number(solution))
        .outerjoin(
            Solution,
            (col(Solution.thread_id) == col(Post.thread_id))
            & (col(Solution.post_id) == col(Post.id)),
        )
        .where(
            col(Post.thread_id) == thread.id,
            col(Post.deleted_at).is_(None),
            col(Post.hidden_at).is_(None),
        )
        .group_by(col(Post.author_id))
    )
    return {
        author_id: Counter(thread_count=threads, answer_count=answers, solution_count=solutions)
        for author_id, threads, answers, solutions in session.exec(query).all()
    }


def _number(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def move(session: Session, before: Tally, after: Tally) -> None:
    """Move each author's counters from what they counted ``before`` a change to ``after`` it."""
    # Users' rows locked in one order: no deadlock between two writers.
    for author_id in sorted(before.keys() | after.keys()):
        was = before.get(author_id, Counter())
        now = after.get(author_id, Counter())
        deltas = {column: now[column] - was[column] for column in set(was) | set(now)}
        bump(session, User, author_id, **deltas)
