"""The search document of a thread, built from the database (the truth) every time.

``thread_document`` returns None for a thread nobody may find (missing, deleted, hidden by
moderation or merged into another): the indexer then deletes it from the index, so such content
is never searchable. Deleted and hidden posts never contribute text. Posts are indexed as the plain
text a reader sees, so a snippet cut from them never shows Markdown (``**``, ``[link](url)``).
The vector comes from ``thread_vectors``, the one place that looks it up.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from community import posting
from community.models import Category, Post, Solution, Thread, User
from search import embeddings

BEST_REPLIES = 3
PUBLIC = "public"
HIDDEN = "hidden"


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def thread_vectors(session: Session, thread_ids: list[int]) -> dict[int, list[float]]:
    """The stored ``default`` vectors of these threads; a thread without one is absent (its
    document then says null and stays out of vector search until a vector exists).

    The single lookup point: the vectors are computed by the worker (search.embeddings), stored
    in post_embedding, and never recomputed here.
    """
    return embeddings.thread_vectors(session, thread_ids)


def visibility(thread: Thread) -> str:
    """Public, or hidden: deleted, hidden by moderation, or merged into another thread."""
    if thread.is_deleted or thread.is_hidden or thread.merged_into_id is not None:
        return HIDDEN
    return PUBLIC


def is_searchable(thread: Thread | None) -> bool:
    return thread is not None and visibility(thread) == PUBLIC


def thread_document(session: Session, thread_id: int | None) -> dict[str, Any] | None:
    """The document of thread ``thread_id`` as the database has it now; None: not indexable."""
    if thread_id is None:
        return None
    return thread_documents(session, [thread_id])[thread_id]


def thread_documents(session: Session, thread_ids: list[int]) -> dict[int, dict[str, Any] | None]:
    """The documents of several threads in a handful of queries (None: remove from the index)."""
    ids = sorted(set(thread_ids))
    threads = {t.id: t for t in session.exec(select(Thread).where(col(Thread.id).in_(ids)))}
    live = [t for t in threads.values() if is_searchable(t) and t.id is not None]
    live_ids = [t.id for t in live if t.id is not None]
    posts: dict[int, list[Post]] = defaultdict(list)
    for post in session.exec(
        select(Post)
        .where(
            col(Post.thread_id).in_(live_ids),
            col(Post.deleted_at).is_(None),
            col(Post.hidden_at).is_(None),  # hidden posts (say, personal data) are not searchable
        )
        .order_by(col(Post.thread_id), col(Post.post_number))
    ):
        posts[post.thread_id].append(post)
    accepted_ids = {
        s.thread_id: s.post_id
        for s in session.exec(select(Solution).where(col(Solution.thread_id).in_(live_ids)))
    }
    user_ids = {t.author_id for t in live} | {p.author_id for ps in posts.values() for p in ps}
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids)))}
    categories = {
        c.id: c
        for c in session.exec(
            select(Category).where(col(Category.id).in_({t.category_id for t in live}))
        )
    }
    vectors = thread_vectors(session, live_ids)
    documents: dict[int, dict[str, Any] | None] = dict.fromkeys(thread_ids)
    for thread in live:
        assert thread.id is not None
        documents[thread.id] = _document(
            thread,
            posts[thread.id],
            accepted_ids.get(thread.id),
            users,
            categories.get(thread.category_id),
            vectors.get(thread.id),
        )
    return documents


def _document(
    thread: Thread,
    posts: list[Post],
    accepted_id: int | None,
    users: dict[int | None, User],
    category: Category | None,
    vector: list[float] | None,
) -> dict[str, Any]:
    question = next((post for post in posts if post.is_question), None)
    replies = [post for post in posts if not post.is_question]
    accepted = next((p for p in replies if p.id == accepted_id), None)
    best = sorted(
        (p for p in replies if p is not accepted),
        key=lambda p: (-p.kudos_count, p.post_number),
    )[:BEST_REPLIES]
    author = users.get(thread.author_id)
    return {
        "id": thread.id,
        "title": thread.title,
        "question": posting.plain_text(question) if question is not None else "",
        "solution": posting.plain_text(accepted) if accepted is not None else None,
        "best_replies": [posting.plain_text(p) for p in best],
        "tags": thread.tags.split(),
        "category": category.slug if category is not None else None,
        "category_name": category.name if category is not None else None,
        "solved": accepted is not None,
        "solved_rank": 1 if accepted is not None else 0,
        "has_official_answer": any(
            p.author_id in users and posting.is_official(p, users[p.author_id]) for p in replies
        ),
        "language": thread.language,
        "author": author.username if author is not None else None,
        "created_at": unix(thread.created_at),
        "last_activity_at": unix(thread.last_activity_at),
        "kudos_count": thread.kudos_count,
        "reply_count": len(replies),
        "visibility": visibility(thread),
        "_vectors": {"default": vector},
    }
