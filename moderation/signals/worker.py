"""The ``signals`` outbox consumer: every new or edited post's signals, stored in ``PostSignal``
with the model version and announced with ``post_signalled``; personal data hides the post.

The models read the post's stored e5 passage vector; when the ``embeddings`` consumer has not
stored it yet (or stored it before an edit) it is computed and stored here with search.embeddings,
so the two consumers never disagree on what a post's vector is. The sentiment model also reads the
post's feature vector (search.embeddings.embed_features), which only this consumer computes: once
per version of the text, stored in ``PostFeatureVector``, so a resignal after ``peerdesk train``
embeds nothing again.

Personal data: a post in which any is found is hidden (``HiddenReason.personal_data``, by nobody:
the brand's worker), and so is its thread when it is the question. It stays hidden until a
moderator reviews it. A post is held when it is written or edited (``hold_personal_data``, a hold
check of community.posting: a cheap, deterministic privacy gate, not a stored signal), before
anyone could read it or be notified of it; this consumer stores the signals and hides what the
gate did not see (posts no event covered, seeded ones). A moderator who unhides
it has the last word: the post is not hidden again for the same text (a signal with personal data
already stored after the last edit, or a publication after it), only when its text changes.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import or_
from sqlmodel import Session, col, select

from community import events, posting, visibility
from community.clock import as_utc
from community.events import OutboxEvent
from community.models import HiddenReason, Post, PostEmbedding, Thread
from moderation.models import PostFeatureVector, PostSignal
from moderation.signals import Signals, analyse, model_version, pii
from search import embeddings

CONSUMER = "signals"


def _is_current(stored: PostEmbedding | PostFeatureVector | None, post: Post) -> bool:
    """Whether a stored vector was made by the current model from the post's current text."""
    return (
        stored is not None
        and stored.model == embeddings.MODEL_NAME
        and (post.edited_at is None or as_utc(stored.created_at) >= as_utc(post.edited_at))
    )


def _vector(session: Session, post: Post, *, now: datetime) -> Any:
    """The post's current e5 vector: the stored one, or computed and stored now."""
    assert post.id is not None
    stored = session.get(PostEmbedding, post.id)
    if not _is_current(stored, post):
        stored = embeddings.embed_post(session, post.id, now=now, recompute=True)
    assert stored is not None
    return embeddings.from_bytes(stored.vector)


def _feature_vectors(
    session: Session, pairs: Sequence[tuple[Post, Thread]], *, now: datetime
) -> Any:
    """The posts' current feature vectors, row for row: the stored ones, the others computed in
    one batch and stored now."""
    found: dict[int, Any] = {}
    stale: list[tuple[Post, Thread, PostFeatureVector | None]] = []
    for post, thread in pairs:
        assert post.id is not None
        stored = session.get(PostFeatureVector, post.id)
        if stored is not None and _is_current(stored, post):
            found[post.id] = embeddings.from_bytes(stored.vector)
        else:
            stale.append((post, thread, stored))
    computed = embeddings.embed_features([model_text(p, t) for p, t, _ in stale])
    for (post, _, stored), vector in zip(stale, computed, strict=True):
        assert post.id is not None
        row = stored or PostFeatureVector(
            post_id=post.id, model=embeddings.MODEL_NAME, vector=b"", created_at=now
        )
        row.model = embeddings.MODEL_NAME
        row.vector = embeddings.to_bytes(vector)
        row.created_at = now
        session.add(row)
        found[post.id] = vector
    return np.vstack([found[p.id] for p, _ in pairs if p.id is not None])


def model_text(post: Post, thread: Thread) -> str:
    """What the classifiers read: the title and body of a question, the body of a reply."""
    return embeddings.passage_text(post, thread.title)


def pii_text(post: Post, thread: Thread) -> str:
    """Where personal data is looked for: the whole markdown (and the question's title)."""
    return f"{thread.title}\n{post.body}" if post.is_question else post.body


def hold_personal_data(post: Post, thread: Thread) -> HiddenReason | None:
    """The hold check: a new post with personal data waits for a moderator's review."""
    return HiddenReason.personal_data if pii.kinds(pii_text(post, thread)) else None


def install() -> None:
    """Register the hold with the forum (main.configure_consumers calls this)."""
    if hold_personal_data not in posting.hold_checks:
        posting.hold_checks.append(hold_personal_data)


def signal_posts(
    session: Session,
    pairs: Sequence[tuple[Post, Thread]],
    *,
    now: datetime,
    text_changed: bool = False,
) -> list[PostSignal]:
    """Compute, store and announce the signals of live posts (the caller commits)."""
    live = [(p, t) for p, t in pairs if not p.is_deleted and not t.is_deleted]
    if not live:
        return []
    vectors = np.vstack([_vector(session, p, now=now) for p, _ in live])
    found = analyse(
        [model_text(p, t) for p, t in live],
        vectors,
        feature_vectors=_feature_vectors(session, live, now=now),
        pii_texts=[pii_text(p, t) for p, t in live],
    )
    version = model_version()
    return [
        _store(session, post, thread, signals, version=version, now=now, text_changed=text_changed)
        for (post, thread), signals in zip(live, found, strict=True)
    ]


def _store(
    session: Session,
    post: Post,
    thread: Thread,
    signals: Signals,
    *,
    version: str,
    now: datetime,
    text_changed: bool,
) -> PostSignal:
    assert post.id is not None and thread.id is not None
    row = session.get(PostSignal, post.id)
    already_flagged = (
        row is not None
        and bool(row.pii)
        and (post.edited_at is None or as_utc(row.computed_at) >= as_utc(post.edited_at))
    )
    if row is None:
        row = PostSignal(
            post_id=post.id,
            thread_id=thread.id,
            model_version=version,
            language=signals.language,
            sentiment=signals.sentiment,
            sentiment_score=signals.sentiment_score,
            needs_brand=signals.needs_brand,
            needs_brand_score=signals.needs_brand_score,
            toxic=signals.toxic,
            toxic_score=signals.toxic_score,
            computed_at=now,
        )
    row.thread_id = thread.id
    row.model_version = version
    row.language = signals.language[:8]
    row.sentiment = signals.sentiment
    row.sentiment_score = signals.sentiment_score
    row.needs_brand = signals.needs_brand
    row.needs_brand_score = signals.needs_brand_score
    row.toxic = signals.toxic
    row.toxic_score = signals.toxic_score
    row.pii = " ".join(signals.pii)
    row.computed_at = now
    session.add(row)
    # The core column too: community reads a post's language (the bilingual badge) from it.
    post.language = signals.language[:8]
    session.add(post)
    if signals.pii and not _reviewed(post) and (text_changed or not already_flagged):
        visibility.hold_for_review(
            session, post, thread, reason=HiddenReason.personal_data, now=now
        )
    events.record(
        session,
        "post_signalled",
        at=now,
        thread_id=thread.id,
        post_id=post.id,
        model_version=version,
        sentiment=signals.sentiment,
        needs_brand=signals.needs_brand,
        toxic=signals.toxic,
        pii=list(signals.pii),
    )
    return row


def _reviewed(post: Post) -> bool:
    """A moderator published the post's current text (it was held when written, or since its last
    edit): this consumer may get to that text later, and must not hide it again."""
    written = post.edited_at or post.created_at
    return post.published_at is not None and as_utc(post.published_at) > as_utc(written)


def _on_post_event(text_changed: bool) -> events.Handler:
    def handle(session: Session, event: OutboxEvent) -> None:
        post = session.get(Post, int(event.data["post_id"]))
        if post is None:
            return
        thread = session.get(Thread, post.thread_id)
        if thread is None:
            return
        signal_posts(session, [(post, thread)], now=event.created_at, text_changed=text_changed)

    return handle


def consumer() -> events.Consumer:
    return events.Consumer(
        name=CONSUMER,
        handlers={
            "thread_created": _on_post_event(text_changed=False),
            "post_created": _on_post_event(text_changed=False),
            "post_edited": _on_post_event(text_changed=True),
        },
        batch_size=32,
        catch_up=CatchUp(),
    )


# Posts no event covered (seeded data), and every post after a new model -----------------------


def _unsignalled(after_id: int, limit: int, version: str | None) -> Any:
    query = (
        select(Post, Thread)
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .outerjoin(PostSignal, col(PostSignal.post_id) == col(Post.id))
        .where(
            col(Post.id) > after_id,
            col(Post.deleted_at).is_(None),
            col(Thread.deleted_at).is_(None),
        )
        .order_by(col(Post.id))
        .limit(limit)
    )
    if version is not None:
        query = query.where(
            or_(col(PostSignal.post_id).is_(None), col(PostSignal.model_version) != version)
        )
    return query


def resignal(
    session: Session,
    *,
    now: datetime,
    batch_size: int = 64,
    only_missing: bool = False,
    on_batch: Any = None,
) -> int:
    """Recompute the signals of every live post (or only those without current ones), a batch per
    commit; stored vectors are reused. Returns how many posts were signalled."""
    version = model_version() if only_missing else None
    done, after_id = 0, 0
    while True:
        rows: list[tuple[Post, Thread]] = list(
            session.exec(_unsignalled(after_id, batch_size, version))
        )
        if not rows:
            return done
        signal_posts(session, rows, now=now)
        session.commit()
        after_id = max(p.id for p, _ in rows if p.id is not None)
        done += len(rows)
        if on_batch is not None:
            on_batch(len(rows))


def count_posts(session: Session) -> int:
    from sqlalchemy import func

    query = (
        select(func.count())
        .select_from(Post)
        .join(Thread, col(Thread.id) == col(Post.thread_id))
        .where(col(Post.deleted_at).is_(None), col(Thread.deleted_at).is_(None))
    )
    return int(session.exec(query).one())


class CatchUp(events.IdWalk[tuple[Post, Thread]]):
    """The worker's background pass over posts without signals from the current model (seeded
    posts write no events), a few per step."""

    def __init__(self, batch_size: int = 16) -> None:
        super().__init__(batch_size)

    def fetch(self, session: Session, after_id: int, limit: int) -> list[tuple[Post, Thread]]:
        return list(session.exec(_unsignalled(after_id, limit, model_version())))

    def row_id(self, row: tuple[Post, Thread]) -> int:
        assert row[0].id is not None
        return row[0].id

    def handle(self, session: Session, rows: list[tuple[Post, Thread]], now: datetime) -> None:
        signal_posts(session, rows, now=now)
