"""What moderation keeps per category, cleared when an admin deletes one: community.categories
runs ``forget`` in its deleting transaction (main.configure_consumers installs it)."""

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from community import categories
from community.models import Category
from moderation import care
from moderation.models import (
    CareDuration,
    CareThread,
    SentimentCount,
    SentimentDay,
    ServiceLevel,
)


def forget(session: Session, category: Category, now: datetime) -> None:
    """The category's first-response target goes with it. A care row follows its thread to
    another category when the worker reads ``thread_moved``, and its durations and sentiment
    tallies follow once it is rebuilt (at once, or after ``threads_moved`` in the background);
    what still names this category (a row the worker has not reached, a merged-away thread's
    carried along by the delete) is rebuilt now from where its thread is, which leaves the
    category's daily tallies empty."""
    session.execute(delete(ServiceLevel).where(col(ServiceLevel.category_id) == category.id))
    stale: set[int] = set()
    for table in (CareThread, CareDuration, SentimentCount):
        stale.update(
            session.exec(
                select(col(table.thread_id)).where(col(table.category_id) == category.id)
            ).all()
        )
    care.build(session, sorted(stale), now=now)
    session.execute(
        delete(SentimentDay).where(
            col(SentimentDay.category_id) == category.id,
            col(SentimentDay.posts) == 0,
            col(SentimentDay.negative) == 0,
        )
    )


def install() -> None:
    """Register ``forget`` with the category editor (main.configure_consumers calls this)."""
    if forget not in categories.before_delete:
        categories.before_delete.append(forget)
