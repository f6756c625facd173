"""Rebuild the threads index from the database with no downtime.

A new index ``<live>_<timestamp>`` gets the settings first (the embedder must be there before the
first document), then every searchable thread in batches; then Meilisearch swaps it with the live
index in one atomic task (searches keep answering from one or the other), and the old index is
deleted. Events the worker handled while the new index was being filled went to the old index, so
the threads they touched are written again into the new live index after the swap.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import meilisearch
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from community.events import OutboxEvent
from community.models import Thread
from search.index_settings import (
    TASK_POLL_MS,
    TASK_TIMEOUT_MS,
    IndexTaskFailed,
    ensure_index,
    wait,
)
from search.indexer import ThreadsIndex

Progress = Callable[[int, int], None]
"""``progress(done, total)``, called after each batch."""


@dataclass(frozen=True)
class ReindexResult:
    live: str
    built: str
    documents: int
    seconds: float


def _searchable_ids(session: Session, *, after: int, limit: int) -> list[int]:
    query = (
        select(Thread.id)
        .where(col(Thread.id) > after, col(Thread.deleted_at).is_(None))
        .order_by(col(Thread.id))
        .limit(limit)
    )
    return [thread_id for thread_id in session.exec(query) if thread_id is not None]


def _drop(client: meilisearch.Client, uid: str) -> None:
    """Delete the index ``uid`` if it exists."""
    task = client.wait_for_task(
        client.delete_index(uid).task_uid,
        timeout_in_ms=TASK_TIMEOUT_MS,
        interval_in_ms=TASK_POLL_MS,
    )
    if task.status != "succeeded" and (task.error or {}).get("code") != "index_not_found":
        raise IndexTaskFailed(f"deleting {uid}: task {task.uid} {task.status}: {task.error}")


def swap(client: meilisearch.Client, live: str, built: str) -> None:
    """Swap ``built`` in as ``live`` and wait until it is done.

    A key scoped to some indexes cannot read a swap task (it belongs to no index), so the wait
    is on a no-op settings task of ``live`` enqueued after it (Meilisearch runs swaps before any
    other index task); then the swap is checked: ``live`` must now be the index created as
    ``built``.
    """
    created = client.get_index(built).created_at
    client.swap_indexes([{"indexes": [live, built]}])
    wait(client, client.index(live).update_displayed_attributes(["*"]).task_uid)
    if client.get_index(live).created_at != created:
        raise IndexTaskFailed(f"swapping {built} in as {live} failed")


def rebuild(
    engine: Engine,
    client: meilisearch.Client,
    live: str,
    *,
    batch_size: int = 500,
    progress: Progress | None = None,
    suffix: str | None = None,
) -> ReindexResult:
    started = time.monotonic()
    built = f"{live}_{suffix or datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
    _drop(client, built)  # a leftover of the same name would keep stale documents
    ensure_index(client, built)
    target = ThreadsIndex(client, built, _ready=True)
    with Session(engine) as session:
        last_event = session.exec(select(func.max(OutboxEvent.id))).one() or 0
        total = session.exec(
            select(func.count()).select_from(Thread).where(col(Thread.deleted_at).is_(None))
        ).one()
        done, after = 0, 0
        if progress is not None:
            progress(0, total)
        while ids := _searchable_ids(session, after=after, limit=batch_size):
            target.sync(session, ids)
            session.expunge_all()
            done, after = done + len(ids), ids[-1]
            if progress is not None:
                progress(done, max(total, done))
    ensure_index(client, live)  # the swap needs both indexes to exist
    swap(client, live, built)
    _drop(client, built)  # it now holds the old documents
    with Session(engine) as session:
        touched = session.exec(
            select(OutboxEvent.thread_id)
            .where(col(OutboxEvent.id) > last_event, col(OutboxEvent.thread_id).is_not(None))
            .distinct()
        ).all()
        ThreadsIndex(client, live, _ready=True).sync(
            session, [thread_id for thread_id in touched if thread_id is not None]
        )
    return ReindexResult(live, built, done, time.monotonic() - started)
