"""The real search index follows moderation: hidden threads and posts leave it, a moved thread
changes category, a merged thread's posts are found in the thread it was merged into."""

from collections.abc import Iterator
from typing import Any

import meilisearch
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from community import events, worker
from community.clock import FrozenClock
from community.models import Role
from community.policy import Guardian
from moderation import tools
from search import indexer
from search.client import SearchService
from search.index_settings import PUBLIC_FILTER
from search.indexer import ThreadsIndex
from tests.factories import make_category, make_reply, make_thread, make_user
from tests.search.conftest import (  # noqa: F401  (fixtures: a Meilisearch for these tests)
    meili,
    meili_prefix,
    meili_search,
    meili_settings,
)


@pytest.fixture
def threads(session: Session, meili_search: SearchService) -> Iterator[ThreadsIndex]:  # noqa: F811
    registered = events.registry.consumers.get(indexer.CONSUMER)
    events.registry.add(indexer.consumer())
    index = ThreadsIndex.of(meili_search)
    indexer.bind(index)
    yield index
    indexer.bind(None)
    if registered is None:
        del events.registry.consumers[indexer.CONSUMER]


def _drain(session: Session, clock: FrozenClock) -> None:
    session.expire_all()
    events.drain(session, now=clock.now(), consumers=[indexer.CONSUMER])


def _docs(index: ThreadsIndex) -> dict[Any, dict[str, Any]]:
    try:
        found = index.client.index(index.uid).get_documents({"limit": 1000})
    except meilisearch.errors.MeilisearchApiError as error:
        if error.code == "index_not_found":
            return {}
        raise
    return {doc.id: dict(doc) for doc in found.results}


def _search(index: ThreadsIndex, query: str) -> list[int]:
    result = index.client.index(index.uid).search(query, {"filter": PUBLIC_FILTER})
    return [hit["id"] for hit in result["hits"]]


def test_the_index_follows_hide_move_and_merge(
    session: Session, clock: FrozenClock, threads: ThreadsIndex
) -> None:
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    mod = Guardian(make_user(session, clock, username="mod", role=Role.moderator))
    fibra, mobile = make_category(session, slug="fibra"), make_category(session, slug="mobile")
    thread = make_thread(
        session, clock, author=asker, category=fibra, title="Router keeps rebooting"
    )
    reply = make_reply(
        session, clock, author=helper, thread=thread, body="Write to me at helper@example.com"
    )
    _drain(session, clock)
    assert _search(threads, "router") == [thread.id]

    tools.hide_thread(session, mod, thread, clock=clock)
    _drain(session, clock)
    assert thread.id not in _docs(threads)
    assert _search(threads, "router") == []

    tools.unhide_thread(session, mod, thread, clock=clock)
    tools.hide_post(session, mod, reply, clock=clock)
    _drain(session, clock)
    doc = _docs(threads)[thread.id]
    assert doc["best_replies"] == []
    assert _search(threads, "helper@example.com") == []

    tools.move_thread(session, mod, thread, category=mobile, clock=clock)
    _drain(session, clock)
    assert _docs(threads)[thread.id]["category"] == "mobile"

    other = make_thread(
        session, clock, author=helper, category=fibra, title="Modem restarts every night"
    )
    make_reply(session, clock, author=asker, thread=other, body="Firmware update fixed it")
    _drain(session, clock)
    assert other.id in _docs(threads)
    tools.merge_thread(session, mod, other, into=thread, clock=clock)
    _drain(session, clock)
    docs = _docs(threads)
    assert other.id not in docs
    assert "Firmware update fixed it" in docs[thread.id]["best_replies"]
    assert _search(threads, "firmware") == [thread.id]


def test_personal_data_is_hidden_before_the_indexer_first_sees_the_post(
    db: Engine, session: Session, clock: FrozenClock, threads: ThreadsIndex
) -> None:
    """One pass of the app's worker (a batch per consumer, in the app's order): the signals
    consumer hides the reply before the indexer writes its thread, so the number never sits in
    the index, not even until the next pass."""
    asker, helper = make_user(session, clock), make_user(session, clock)
    thread = make_thread(
        session, clock, author=asker, category=make_category(session), title="Router reboots"
    )
    while worker.run_once(db, clock):  # the question is in the index
        pass
    make_reply(session, clock, author=helper, thread=thread, body="Call me on 333 1234567")
    make_reply(session, clock, author=asker, thread=thread, body="Anyone else?")
    worker.run_once(db, clock)
    session.expire_all()
    assert "Anyone else?" in str(_docs(threads))  # the indexer wrote the thread again
    assert "1234567" not in str(_docs(threads))
