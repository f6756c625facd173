"""The search document of a thread, built from the database (the truth) every time.

``thread_document`` returns None for a thread nobody may find (missing or deleted): the indexer
then deletes it from the index, so deleted content is never searchable. Deleted replies never
contribute text. The vector comes from ``thread_vector``, the one place that looks it up.
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from community.models import Category, Post, Role, Solution, Thread, User

BEST_REPLIES = 3
PUBLIC = "public"
HIDDEN = "hidden"


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def thread_vector(session: Session, thread_id: int) -> list[float] | None:  # noqa: ARG001
    """The thread's stored embedding for the ``default`` embedder, or None when there is none.

    The single lookup point: the embeddings work (search.embeddings, post_embedding table)
    plugs in here. None opts the document out of vector search until a vector exists.
    """
    return None


def visibility(thread: Thread) -> str:
    return HIDDEN if thread.is_deleted else PUBLIC


def is_searchable(thread: Thread | None) -> bool:
    return thread is not None and visibility(thread) == PUBLIC


def thread_document(session: Session, thread_id: int | None) -> dict[str, Any] | None:
    """The document of thread ``thread_id`` as the database has it now; None: not indexable."""
    thread = session.get(Thread, thread_id) if thread_id is not None else None
    if thread is None or not is_searchable(thread):
        return None
    assert thread.id is not None
    posts = list(
        session.exec(
            select(Post)
            .where(col(Post.thread_id) == thread.id, col(Post.deleted_at).is_(None))
            .order_by(col(Post.post_number))
        )
    )
    question = next((post for post in posts if post.is_question), None)
    replies = [post for post in posts if not post.is_question]
    solution = session.get(Solution, thread.id)
    accepted = next((p for p in replies if solution is not None and p.id == solution.post_id), None)
    best = sorted(
        (p for p in replies if p is not accepted),
        key=lambda p: (-p.kudos_count, p.post_number),
    )[:BEST_REPLIES]
    authors = _users(session, {thread.author_id} | {p.author_id for p in replies})
    staff = {uid for uid, user in authors.items() if user.role in (Role.moderator, Role.admin)}
    category = session.get(Category, thread.category_id)
    author = authors.get(thread.author_id)
    return {
        "id": thread.id,
        "title": thread.title,
        "question": question.body if question is not None else "",
        "solution": accepted.body if accepted is not None else None,
        "best_replies": [p.body for p in best],
        "tags": thread.tags.split(),
        "category": category.slug if category is not None else None,
        "category_name": category.name if category is not None else None,
        "solved": accepted is not None,
        "solved_rank": 1 if accepted is not None else 0,
        "has_official_answer": any(p.author_id in staff for p in replies),
        "language": thread.language,
        "author": author.username if author is not None else None,
        "created_at": unix(thread.created_at),
        "last_activity_at": unix(thread.last_activity_at),
        "kudos_count": thread.kudos_count,
        "reply_count": len(replies),
        "visibility": visibility(thread),
        "_vectors": {"default": thread_vector(session, thread.id)},
    }


def thread_documents(session: Session, thread_ids: list[int]) -> dict[int, dict[str, Any] | None]:
    """Documents of several threads (None for those to remove), for the reindex batches."""
    return {thread_id: thread_document(session, thread_id) for thread_id in thread_ids}


def _users(session: Session, ids: set[int]) -> dict[int, User]:
    users = session.exec(select(User).where(col(User.id).in_(ids)))
    return {user.id: user for user in users if user.id is not None}
