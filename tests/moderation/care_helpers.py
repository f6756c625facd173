"""Helpers for the care, queue, claims and flags tests: signals written as the signals worker
writes them, and the care consumer run alone (so no other consumer's model decides a test)."""

from sqlmodel import Session

from community import events
from community.clock import Clock
from community.models import Post
from moderation import care
from moderation.models import PostSignal


def signal(
    session: Session,
    clock: Clock,
    post: Post,
    *,
    sentiment: str = "neutral",
    score: float = 0.9,
    needs_brand: bool = False,
    toxic: bool = False,
    pii: str = "",
    language: str = "en",
) -> PostSignal:
    """Store a post's signals and announce them with ``post_signalled``."""
    assert post.id is not None
    row = session.get(PostSignal, post.id) or PostSignal(
        post_id=post.id,
        thread_id=post.thread_id,
        model_version="test",
        language=language,
        sentiment=sentiment,
        sentiment_score=score,
        needs_brand=needs_brand,
        needs_brand_score=1.0 if needs_brand else 0.0,
        toxic=toxic,
        toxic_score=1.0 if toxic else 0.0,
        pii=pii,
        computed_at=clock.now(),
    )
    row.sentiment, row.sentiment_score, row.needs_brand, row.toxic, row.pii = (
        sentiment,
        score,
        needs_brand,
        toxic,
        pii,
    )
    row.language = language
    session.add(row)
    events.record(
        session,
        "post_signalled",
        at=clock.now(),
        thread_id=post.thread_id,
        post_id=post.id,
        model_version="test",
        sentiment=sentiment,
        needs_brand=needs_brand,
        toxic=toxic,
        pii=pii.split(),
    )
    session.commit()
    return row


def run_care(session: Session, clock: Clock) -> int:
    session.expire_all()
    return events.drain(session, now=clock.now(), consumers=["care"])


def catch_up_care(session: Session, clock: Clock) -> int:
    """The care consumer's background work (``care.catch_up``), a batch per step, until none is
    left; how many rows it built."""
    consumer, built = care.consumer(), 0
    while done := events.catch_up(session, consumer, now=clock.now()):
        built += done
    return built
