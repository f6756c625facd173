"""What moderation keeps per category, cleared when an admin deletes one: community.categories
runs ``forget`` in its deleting transaction (main.configure_consumers installs it)."""

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from community import categories
from community.models import Category
from moderation import care
from moderation.models import CareThread, SentimentDay, ServiceLevel


def forget(session: Session, category: Category, now: datetime) -> None:
    """The category's first-response target goes with it. A care row follows its thread to
    another category when the worker reads ``thread_moved``; one it has not reached yet (or a
    merged-away thread's, carried along by the delete) is rebuilt now from where its thread is,
    with its durations and sentiment tallies, which leaves the category's daily tallies empty."""
    session.execute(delete(ServiceLevel).where(col(ServiceLevel.category_id) == category.id))
    stale = session.exec(
        select(col(CareThread.thread_id)).where(col(CareThread.category_id) == category.id)
    ).all()
    care.build(session, stale, now=now)
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
