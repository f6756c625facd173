"""Moving every thread of a category to another at once, for a brand merging two categories.

Every thread row that names the category moves: hidden, held, deleted and merged-away ones too
(a merged-away thread is only a redirect: ``tools.move_thread`` refuses it, here it follows), so
the category can be deleted afterwards. Both categories end with the counters and the latest
thread that moving the threads one by one with ``tools.move_thread`` would leave. Consumers get one
``threads_moved`` event naming them all, which the care rows and the search index follow a batch
at a time, where ten thousand ``thread_moved`` events would cost the workers a minute. The work is
done a few hundred threads per statement, so ten thousand threads move in one request.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, case, func, update
from sqlmodel import Session, col, select

from community import categories, events
from community.clock import Clock, as_utc
from community.counters import bump
from community.errors import Invalid, NotFound
from community.models import Category, Post, Thread
from community.policy import Guardian
from moderation import audit, tools
from moderation.care_figures import chunks


def find_category(session: Session, slug: str) -> Category:
    """The category at ``slug``; NotFound names the slug."""
    slug = slug.strip()
    category = categories.by_slug(session, slug)
    if category is None:
        raise NotFound("There is no category %(slug)s.", slug=slug[:60])
    return category


def move_all_threads(
    session: Session, guardian: Guardian, source: Category, target: Category, *, clock: Clock
) -> int:
    """Move every thread of ``source`` to ``target``. Returns how many moved, counted as the
    category editor counts them (``categories.thread_count``: merged-away threads follow
    uncounted); 0, with nothing written, when ``source`` has none left."""
    by_id = tools.ensure_moderator(guardian)
    if source.id == target.id:
        raise Invalid(
            "The threads are already in %(category)s: choose another category.",
            field="category",
            category=target.name,
        )
    assert source.id is not None and target.id is not None
    now = clock.now()
    rows = _lock_threads(session, source)
    if not rows:
        return 0
    categories.hold_against_delete(session, source, target)
    ids = [thread_id for thread_id, _ in rows]
    threads, posts = _counted(session, ids)
    bump(session, Category, source.id, thread_count=-threads, post_count=-posts)
    bump(session, Category, target.id, thread_count=threads, post_count=posts)
    for chunk in chunks(ids):
        session.execute(
            update(Thread).where(col(Thread.id).in_(chunk)).values(category_id=target.id)
        )
    tools.refresh_last_thread(session, source)
    latest = _latest(session, ids)
    if latest is not None:
        tools.consider_last_thread(session, target, latest)
    moved_from_to = {"from_category_id": source.id, "to_category_id": target.id, "by_id": by_id}
    events.record(session, "threads_moved", at=now, thread_ids=ids, **moved_from_to)
    moved = sum(merged_into is None for _, merged_into in rows)
    _audit(session, by_id, source, target, moved, now)
    session.commit()
    return moved


def _lock_threads(session: Session, source: Category) -> list[tuple[int, int | None]]:
    """(id, merged_into_id) of every thread in ``source``, in id order, each row locked as
    ``tools.move_thread`` locks its thread (PostgreSQL): a reply to one of them waits for the
    move, then counts in the category the thread moved to. A thread started meanwhile stays."""
    query = (
        select(col(Thread.id), col(Thread.merged_into_id))
        .where(col(Thread.category_id) == source.id)
        .order_by(col(Thread.id))
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    rows = session.exec(query).all()
    return [(thread_id, merged_into) for thread_id, merged_into in rows if thread_id is not None]


def _counted(session: Session, ids: Sequence[int]) -> tuple[int, int]:
    """What the categories count of these threads, as ``tools.move_thread`` counts one: a thread
    that is not deleted counts if its question is published, with its published posts that are
    not deleted."""
    published = col(Post.published_at).is_not(None)
    question = case((and_(published, col(Post.post_number) == 1), 1), else_=0)
    counted = case((and_(published, col(Post.deleted_at).is_(None)), 1), else_=0)
    threads = posts = 0
    for chunk in chunks(ids):
        found = session.execute(
            select(func.coalesce(func.sum(question), 0), func.coalesce(func.sum(counted), 0))
            .select_from(Post)
            .join(Thread, col(Thread.id) == col(Post.thread_id))
            .where(col(Post.thread_id).in_(chunk), col(Thread.deleted_at).is_(None))
        ).one()
        threads += int(found[0])
        posts += int(found[1])
    return threads, posts


def _latest(session: Session, ids: Sequence[int]) -> Thread | None:
    """Of these threads, the one moving them one by one in id order would leave as the target's
    latest: the most recent activity, the highest id among equals; never a deleted thread, nor
    a merged-away one (``tools.move_thread`` does not move those)."""
    found: list[Thread] = []
    for chunk in chunks(ids):
        candidate = session.exec(
            select(Thread)
            .where(
                col(Thread.id).in_(chunk),
                col(Thread.deleted_at).is_(None),
                col(Thread.merged_into_id).is_(None),
            )
            .order_by(col(Thread.last_activity_at).desc(), col(Thread.id).desc())
            .limit(1)
        ).first()
        if candidate is not None:
            found.append(candidate)
    return max(found, key=lambda t: (as_utc(t.last_activity_at), t.id or 0), default=None)


def _audit(
    session: Session, by_id: int, source: Category, target: Category, moved: int, now: datetime
) -> None:
    assert source.id is not None
    audit.record(
        session,
        actor_id=by_id,
        action="move_all_threads",
        target_type="category",
        target_id=source.id,
        # The source's threads, then where they went ("threads 38 -> 0", "moved_to null -> casa").
        before={"category": source.slug, "threads": moved, "moved_to": None},
        after={"category": source.slug, "threads": 0, "moved_to": target.slug},
        now=now,
    )
