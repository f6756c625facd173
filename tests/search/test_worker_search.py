"""A ``peerdesk worker`` process writes the search index, as the app's own worker does."""

from collections.abc import Callable, Iterator
from pathlib import Path

import meilisearch
import pytest
from sqlmodel import Session

from community import posting
from community.clock import SystemClock
from community.policy import Guardian
from search.indexer import THREADS
from search.server import MeiliEndpoint
from tests.factories import make_category, make_user
from tests.workers import Worker, wait_for, worker_pool


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    with worker_pool(tmp_path) as start:
        yield start


def test_a_worker_process_indexes_new_threads(
    db, session: Session, database_url: str, meili: MeiliEndpoint, meili_prefix: str, workers
):
    env = {
        "PEERDESK_SEARCH_ENABLED": "true",
        "MEILI_URL": meili.url,
        "MEILI_MASTER_KEY": meili.master_key,
        "PEERDESK_SEARCH_INDEX_PREFIX": meili_prefix,
    }
    worker = workers(database_url, "search", env=env)
    worker.wait_started()
    clock = SystemClock()
    author = make_user(session, clock)
    thread = posting.create_thread(
        session,
        Guardian(author),
        category=make_category(session),
        title="La bolletta è doppia questo mese",
        body="Mi hanno addebitato due volte.",
        tags=[],
        clock=clock,
    )
    index = meilisearch.Client(meili.url, meili.master_key).index(f"{meili_prefix}_{THREADS}")

    def indexed() -> bool:
        try:
            return bool(index.search("bill")["hits"])  # bolletta, by its English synonym
        except meilisearch.errors.MeilisearchApiError:
            return False  # the index is not there yet

    wait_for(indexed, 30, worker.output)

    assert [hit["id"] for hit in index.search("bill")["hits"]] == [thread.id]
    assert worker.terminate(timeout=10) == 0
    assert "for search: done" in worker.output()
