"""The ``search`` outbox consumer: keeps the threads index equal to the database.

Every event that may change a thread's document rebuilds that document from the database (so
handling an event twice, or late, gives the same index) and upserts it, or deletes it when the
thread may not be found. It waits for the Meilisearch task and raises when the task failed or
Meilisearch is unreachable or not configured: the outbox then keeps the event and retries it with
backoff, in order per thread. Nothing is ever dropped.

Where the index lives is decided at run time: main.py binds the app's ``SearchService`` with
``bind_service`` when search starts (tests bind their own ``ThreadsIndex`` with ``bind``); until
something is bound every delivery fails and stays pending.
"""

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import meilisearch
from meilisearch.errors import MeilisearchError
from sqlalchemy import update
from sqlmodel import Session, col, select

from community import events
from community.models import Post, Thread
from search import documents
from search.index_settings import ensure_index, wait

log = logging.getLogger("peerdesk.search")

CONSUMER = "search"
THREADS = "threads"
WRITTEN_MEMORY = 10_000
"""How many threads' last written documents an index remembers (a fingerprint each), so that
writing the same document again is skipped."""


class SearchNotReady(RuntimeError):
    """No Meilisearch to write to (search disabled, not started, or unreachable)."""


class _Service(Protocol):
    """What the indexer needs of ``search.client.SearchService``."""

    @property
    def client(self) -> meilisearch.Client: ...

    def index_name(self, name: str) -> str: ...


@dataclass
class ThreadsIndex:
    """One Meilisearch threads index: its client and uid; settings applied on first write.

    It remembers a fingerprint of the last document it wrote for each recent thread and skips
    writing an identical one: at 100,000 documents every Meilisearch write of even one document
    costs 0.8-1.5 s (most of it rewriting the vector store), and a new thread's ``post_embedded``
    would otherwise write again what ``thread_created`` just wrote with the vector
    (bench/search_bench.py, lag).
    """

    client: meilisearch.Client
    uid: str
    _ready: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _written: "OrderedDict[int, str]" = field(default_factory=OrderedDict, repr=False)

    @classmethod
    def of(cls, service: _Service) -> "ThreadsIndex":
        return cls(service.client, service.index_name(THREADS))

    def ensure(self) -> None:
        if not self._ready:
            with self._lock:
                if not self._ready:
                    ensure_index(self.client, self.uid)
                    self._ready = True

    def forget(self) -> None:
        """Check (and create, and configure) the index again before the next write, and write
        every document again (the index may have lost them)."""
        self._ready = False
        with self._lock:
            self._written.clear()

    def _remember(self, thread_id: int, fingerprint: str | None) -> None:
        with self._lock:
            if fingerprint is None:
                self._written.pop(thread_id, None)
                return
            self._written[thread_id] = fingerprint
            self._written.move_to_end(thread_id)
            while len(self._written) > WRITTEN_MEMORY:
                self._written.popitem(last=False)

    def upsert(self, docs: Sequence[Mapping[str, Any]]) -> None:
        """Write ``docs`` in one task and wait for it; documents identical to the last ones
        written for their thread are not sent again."""
        prints = {int(doc["id"]): _fingerprint(doc) for doc in docs}
        with self._lock:
            changed = [
                doc for doc in docs if self._written.get(int(doc["id"])) != prints[int(doc["id"])]
            ]
        if changed:
            self.ensure()
            index = self.client.index(self.uid)
            wait(self.client, index.add_documents(list(changed), "id").task_uid)
            for doc in changed:
                self._remember(int(doc["id"]), prints[int(doc["id"])])

    def delete(self, ids: Sequence[int]) -> None:
        if ids:
            self.ensure()
            index = self.client.index(self.uid)
            for thread_id in ids:
                self._remember(thread_id, None)
                wait(self.client, index.delete_document(thread_id).task_uid)

    def sync(self, session: Session, thread_ids: Sequence[int]) -> None:
        """Make the index hold exactly the database's documents of ``thread_ids``."""
        built = documents.thread_documents(session, list(dict.fromkeys(thread_ids)))
        self.upsert([doc for doc in built.values() if doc is not None])
        self.delete([thread_id for thread_id, doc in built.items() if doc is None])


def _fingerprint(doc: Mapping[str, Any]) -> str:
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


# --- where the worker writes ------------------------------------------------------------------

_bound: Callable[[], ThreadsIndex] | None = None
_bound_lock = threading.Lock()


def bind(target: ThreadsIndex | Callable[[], ThreadsIndex] | None) -> None:
    """Make the worker write to ``target`` (an index, or a factory called for each event);
    None unbinds: deliveries fail and stay pending."""
    global _bound
    with _bound_lock:
        if isinstance(target, ThreadsIndex):
            index = target
            _bound = lambda: index  # noqa: E731
        else:
            _bound = target


def bind_service(service: _Service | None) -> None:
    """Bind the app's search service (None when search is off). The client is fetched on every
    write, so a Meilisearch that was down at start-up is picked up when it returns."""
    if service is None:
        bind(None)
        return
    cache: dict[str, ThreadsIndex] = {}

    def factory() -> ThreadsIndex:
        try:
            client = service.client
        except Exception as error:  # SearchUnavailable, or the key could not be minted
            raise SearchNotReady(f"search is unavailable: {error}") from error
        index = cache.get("index")
        if index is None or index.client is not client:
            index = cache["index"] = ThreadsIndex(client, service.index_name(THREADS))
        return index

    bind(factory)
    try:  # create the index and apply its settings now, so searches work before any write
        current().ensure()
    except Exception as error:
        log.warning("search index not prepared yet: %s", error)


def current() -> ThreadsIndex:
    factory = _bound
    if factory is None:
        raise SearchNotReady("search is not configured: the event stays pending")
    return factory()


# --- handlers ---------------------------------------------------------------------------------


_unavailable_since_success = True  # per process: a fresh worker checks for parked events once


def _sync(session: Session, thread_ids: Sequence[int], event: events.OutboxEvent) -> None:
    global _unavailable_since_success
    try:
        index = current()
        try:
            index.sync(session, thread_ids)
        except Exception as error:
            index.forget()  # the index may have been lost with the server: ensure it next time
            if isinstance(error, MeilisearchError):
                raise SearchNotReady(f"Meilisearch write failed: {error}") from error
            raise
    except SearchNotReady:
        _unavailable_since_success = True
        raise
    if _unavailable_since_success:
        _unavailable_since_success = False
        unpark_outage_deliveries(session, at=event.created_at)


def unpark_outage_deliveries(session: Session, *, at: datetime) -> int:
    """Search is back: events parked only because it was unreachable run again (oldest first,
    in order per thread). Events parked for another reason stay parked for an admin."""
    delivery = events.OutboxDelivery
    result = session.execute(
        update(delivery)
        .where(
            col(delivery.consumer) == CONSUMER,
            col(delivery.done_at).is_(None),
            col(delivery.parked_at).is_not(None),
            col(delivery.last_error).startswith(f"{SearchNotReady.__name__}:"),
        )
        .values(parked_at=None, attempts=0, available_at=at)
    )
    count: int = result.rowcount  # type: ignore[attr-defined]
    if count:
        log.info("search is back: %s parked deliveries will run again", count)
    return count


def on_thread_event(session: Session, event: events.OutboxEvent) -> None:
    """Any event of a thread: rebuild and store (or remove) that thread's document."""
    if event.thread_id is not None:
        _sync(session, [event.thread_id], event)


def on_threads_moved(session: Session, event: events.OutboxEvent) -> None:
    """A category's threads moved at once (moderation.bulk_move): their documents are rewritten
    a batch at a time, not in one Meilisearch task per thread."""
    thread_ids = [i for i in event.data.get("thread_ids") or [] if isinstance(i, int)]
    for start in range(0, len(thread_ids), CATEGORY_SYNC_BATCH):
        _sync(session, thread_ids[start : start + CATEGORY_SYNC_BATCH], event)


def on_user_role_changed(session: Session, event: events.OutboxEvent) -> None:
    """A new moderator (or one fewer) changes ``has_official_answer`` where they replied."""
    user_id = event.data.get("user_id")
    thread_ids = session.exec(
        select(Post.thread_id).where(col(Post.author_id) == user_id, col(Post.post_number) > 1)
    ).all()
    _sync(session, sorted(set(thread_ids)), event)


def on_account_erased(session: Session, event: events.OutboxEvent) -> None:
    """A deleted account's threads and replies now show its pseudonym: their documents follow."""
    user_id = event.data.get("user_id")
    query = select(Post.thread_id).where(col(Post.author_id) == user_id).distinct()
    thread_ids = sorted(session.exec(query).all())
    for start in range(0, len(thread_ids), CATEGORY_SYNC_BATCH):
        _sync(session, thread_ids[start : start + CATEGORY_SYNC_BATCH], event)


# A renamed category's threads are rewritten this many at a time (a category may hold most of
# the community).
CATEGORY_SYNC_BATCH = 500


def on_category_updated(session: Session, event: events.OutboxEvent) -> None:
    """A new name or address reaches every document of the category (they carry both)."""
    before, after = event.data.get("before") or {}, event.data.get("after") or {}
    if all(before.get(key) == after.get(key) for key in ("slug", "name")):
        return
    last_id = 0
    while True:
        batch = session.exec(
            select(Thread.id)
            .where(
                col(Thread.category_id) == event.data.get("category_id"), col(Thread.id) > last_id
            )
            .order_by(col(Thread.id))
            .limit(CATEGORY_SYNC_BATCH)
        ).all()
        if not batch:
            return
        _sync(session, [thread_id for thread_id in batch if thread_id is not None], event)
        last_id = batch[-1] or last_id


THREAD_EVENTS = (
    "thread_created",
    "post_created",
    "post_edited",
    "post_deleted",
    "solution_accepted",
    "solution_unmarked",
    "kudos_given",
    "kudos_withdrawn",
    "post_embedded",  # search.embeddings stored a vector: the document carries it
    # moderation (issue 5): hidden content leaves the index, a moved thread changes category
    "post_hidden",
    "post_unhidden",
    "thread_hidden",
    "thread_unhidden",
    "thread_moved",
)
"""Every event that may change a thread's document. A new one (say, moderation hiding a thread)
must be added here, or the index will not follow it until the next reindex."""


def on_thread_merged(session: Session, event: events.OutboxEvent) -> None:
    """The merged-away thread leaves the index; the thread it went into gets its posts."""
    into = event.data.get("into_thread_id")
    ids = [i for i in (event.thread_id, into) if isinstance(i, int)]
    _sync(session, ids, event)


def handlers() -> dict[str, events.Handler]:
    table: dict[str, events.Handler] = dict.fromkeys(THREAD_EVENTS, on_thread_event)
    table["thread_merged"] = on_thread_merged
    table["user_role_changed"] = on_user_role_changed
    table["account_erased"] = on_account_erased
    table["category_updated"] = on_category_updated
    table["threads_moved"] = on_threads_moved
    return table


def consumer() -> events.Consumer:
    return events.Consumer(name=CONSUMER, handlers=handlers())
