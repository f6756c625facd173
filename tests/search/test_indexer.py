"""The search consumer keeps a real Meilisearch equal to the database, through outages, and the
reindex swaps a fresh index in while searches keep answering."""

import os
import threading
from collections.abc import Iterator
from typing import Any

import meilisearch
import pytest
import typer
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

import main
from community import account_erasure, accounts, categories, events, kudos, posting, solutions
from community.clock import FrozenClock
from community.models import Post, Role, Thread, User
from community.policy import Guardian
from community.security import rate_limiter
from community.settings import get_settings
from moderation import bulk_move
from search import cli as search_cli
from search import documents, indexer, reindex
from search.client import SearchService
from search.index_settings import PUBLIC_FILTER, ensure_index
from search.indexer import ThreadsIndex
from search.server import ManagedMeilisearch, free_port
from search.settings import SearchSettings
from tests.factories import PASSWORD, make_category, make_reply, make_thread, make_user


@pytest.fixture
def threads(session: Session, meili_search: SearchService) -> Iterator[ThreadsIndex]:
    """The search consumer registered, writing to this test's threads index."""
    registered = events.registry.consumers.get(indexer.CONSUMER)
    events.registry.add(indexer.consumer())
    index = ThreadsIndex.of(meili_search)
    indexer.bind(index)
    yield index
    indexer.bind(None)
    if registered is None:
        del events.registry.consumers[indexer.CONSUMER]


def drain(session: Session, clock) -> int:
    """Run the search consumer inline until nothing is due (the other consumers are not ours)."""
    session.expire_all()
    return events.drain(session, now=clock.now(), consumers=[indexer.CONSUMER])


def _docs(index: ThreadsIndex) -> dict[Any, dict[str, Any]]:
    try:
        found = index.client.index(index.uid).get_documents({"limit": 10_000})
    except meilisearch.errors.MeilisearchApiError as error:
        if error.code == "index_not_found":
            return {}
        raise
    return {doc.id: dict(doc) for doc in found.results}


def _document_writes(index: ThreadsIndex) -> int:
    tasks = index.client.get_tasks(
        {"indexUids": [index.uid], "types": ["documentAdditionOrUpdate"], "limit": 1000}
    )
    return len(tasks.results)


def _search(index: ThreadsIndex, query: str, **params: Any) -> list[int]:
    result = index.client.index(index.uid).search(query, {"filter": PUBLIC_FILTER, **params})
    return [hit["id"] for hit in result["hits"]]


def _expected(session: Session) -> dict[int, str]:
    session.expire_all()
    rows = session.exec(select(Thread).where(col(Thread.deleted_at).is_(None))).all()
    return {thread.id: thread.title for thread in rows if thread.id is not None}


def _pending(session: Session) -> list[events.OutboxDelivery]:
    session.expire_all()
    return list(
        session.exec(
            select(events.OutboxDelivery).where(
                col(events.OutboxDelivery.consumer) == indexer.CONSUMER,
                col(events.OutboxDelivery.done_at).is_(None),
            )
        )
    )


def test_forum_changes_reach_the_index(session, clock, threads):
    asker = make_user(session, clock, username="asker")
    helper = make_user(session, clock, username="helper")
    category = make_category(session, slug="fibra")
    thread = make_thread(
        session,
        clock,
        author=asker,
        category=category,
        title="La fibra si disconnette ogni sera",
        body="Dalle 21 la linea cade.",
    )
    reply = make_reply(session, clock, author=helper, thread=thread, body="Cambia il cavo ottico")
    drain(session, clock)

    doc = _docs(threads)[thread.id]
    assert doc["title"] == "La fibra si disconnette ogni sera"
    assert doc["best_replies"] == ["Cambia il cavo ottico"]
    assert doc["solved"] is False
    assert _search(threads, "fiber") == [thread.id]  # a synonym across languages
    assert _search(threads, "disconete") == [thread.id]  # a typo

    question = session.exec(
        select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
    ).one()
    posting.edit_post(
        session,
        Guardian(asker),
        question,
        title="Fibra: la linea cade ogni sera",
        body="Dalle 21 la linea cade.",
        clock=clock,
    )
    solutions.accept_solution(session, Guardian(asker), thread, reply, clock=clock)
    kudos.give_kudos(session, Guardian(asker), reply, clock=clock)
    drain(session, clock)

    doc = _docs(threads)[thread.id]
    assert doc["title"] == "Fibra: la linea cade ogni sera"
    assert doc["solution"] == "Cambia il cavo ottico"
    assert doc["solved"] is True
    assert doc["kudos_count"] == 1
    assert _search(threads, "ottico", filter=[PUBLIC_FILTER, "solved = true"]) == [thread.id]

    posting.delete_post(session, Guardian(helper), reply, clock=clock)
    drain(session, clock)
    doc = _docs(threads)[thread.id]
    assert doc["solution"] is None and doc["solved"] is False
    assert _search(threads, "ottico") == []

    posting.delete_post(session, Guardian(asker), question, clock=clock)
    drain(session, clock)
    assert thread.id not in _docs(threads)
    assert _search(threads, "fibra") == []
    assert _pending(session) == []


def test_without_search_the_events_stay_pending(session, clock, threads):
    indexer.bind(None)
    author = make_user(session, clock)
    make_thread(session, clock, author=author, category=make_category(session))
    drain(session, clock)

    delivery, *waiting = sorted(_pending(session), key=lambda d: d.event_id)
    assert all(d.attempts == 0 for d in waiting)  # behind the first event of the thread
    assert delivery.attempts == 1
    assert delivery.available_at > clock.now()
    assert "not configured" in (delivery.last_error or "")
    assert delivery.parked_at is None


@pytest.fixture
def own_meili(tmp_path) -> Iterator[ManagedMeilisearch]:
    """A Meilisearch of this test's own, on a fixed port, for the test to stop and start again."""
    settings = SearchSettings(var_dir=tmp_path / "own", meili_port=free_port(), meili_url="")
    binary = settings.meili_binary
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        message = f"Meilisearch binary missing (run `npm ci`): {binary}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    server = ManagedMeilisearch(settings).start()
    try:
        yield server
    finally:
        server.stop()


def test_the_index_converges_to_the_database_after_an_outage(session, clock, own_meili):
    """Meilisearch is stopped while 100 posts are created, edited, deleted, solved and hidden;
    started again, the backlog drains and the index holds exactly what the database says.

    Only the search consumer runs (the embeddings consumer, at a few posts a second, would make
    this slow): documents carry no vectors, which thread_documents builds the same way.
    """
    service = SearchService(own_meili.endpoint, index_prefix="outage")
    assert service.connect()
    registered = events.registry.consumers.get(indexer.CONSUMER)
    events.registry.add(indexer.consumer())
    indexer.bind_service(service)  # as the app does: the worker writes through the service
    live = ThreadsIndex.of(service)
    try:
        _outage(session, clock, own_meili, live)
    finally:
        indexer.bind(None)
        if registered is None:
            del events.registry.consumers[indexer.CONSUMER]


def _outage(
    session: Session, clock: FrozenClock, server: ManagedMeilisearch, live: ThreadsIndex
) -> None:
    members = [make_user(session, clock) for _ in range(6)]
    moderator = make_user(session, clock, role=Role.moderator)
    categories = [make_category(session), make_category(session)]
    ops = 0

    def step(user: User) -> Guardian:
        rate_limiter.reset()
        clock.advance(seconds=1)
        return Guardian(user)

    def new_thread(n: int) -> Thread:
        author = members[n % len(members)]
        return posting.create_thread(
            session,
            step(author),
            category=categories[n % 2],
            title=f"Modem number {n} blinks red",
            body=f"Since Monday modem {n} blinks.",
            tags=["modem"] if n % 2 else [],
            clock=clock,
        )

    def reply(thread: Thread, n: int) -> Post:
        author = members[(thread.author_id + n) % len(members)]
        return posting.reply_to_thread(
            session, step(author), thread, body=f"Fix number {n}: change the cable.", clock=clock
        )

    def question(thread: Thread) -> Post:
        return session.exec(
            select(Post).where(Post.thread_id == thread.id, Post.post_number == 1)
        ).one()

    def by(post: Post) -> User:
        author = session.get(User, post.author_id)
        assert author is not None
        return author

    # Before the outage: eight threads with two replies each (one already solved), indexed.
    before = [new_thread(n) for n in range(8)]
    old_replies = {t.id: [reply(t, r) for r in range(2)] for t in before}
    solutions.accept_solution(
        session, step(by(question(before[3]))), before[3], old_replies[before[3].id][1], clock=clock
    )
    drain(session, clock)
    indexed_before = _docs(live)
    assert set(indexed_before) == {t.id for t in before}
    assert indexed_before[before[3].id]["solved"] is True

    last_before = max((i for i in session.exec(select(events.OutboxEvent.id)) if i), default=0)
    server.stop()  # Meilisearch goes away; the forum goes on.
    # Six old threads get one change each and nothing else, so that each kind of change must
    # reach the index by itself; the rest happens on the two other old threads and 20 new ones.
    deleted_old, edited_old, solved_old, unsolved_old, reply_edited_old, hidden_old = before[:6]
    busy = [before[6], before[7]]
    threads = [new_thread(n) for n in range(8, 28)]  # 20 new threads
    ops += 20
    replies = [reply((busy + threads)[n % 22], n) for n in range(40)]  # 40 replies
    ops += 40
    post = question(edited_old)  # 20 edits: 9 questions, titles included, and 11 replies
    posting.edit_post(
        session,
        step(by(post)),
        post,
        title="Router edited",
        body="Edited: still blinking.",
        clock=clock,
    )
    for n, thread in enumerate(busy + threads[:6]):
        post = question(thread)
        posting.edit_post(
            session,
            step(by(post)),
            post,
            title=f"Router number {n} edited",
            body="Still blinking after the edit.",
            clock=clock,
        )
    post = old_replies[reply_edited_old.id][0]
    posting.edit_post(session, step(by(post)), post, body="Edited: the cable.", clock=clock)
    for post in replies[:10]:
        posting.edit_post(session, step(by(post)), post, body="Edited: the cable.", clock=clock)
    ops += 20
    for post in replies[10:22]:  # 17 deletions by their authors: 12 replies and 5 threads
        posting.delete_post(session, step(by(post)), post, clock=clock)
    for thread in (deleted_old, threads[0], threads[1], threads[2], threads[3]):
        post = question(thread)
        posting.delete_post(session, step(by(post)), post, clock=clock)
    ops += 17
    answer = old_replies[solved_old.id][0]  # a solve
    solutions.accept_solution(
        session, step(by(question(solved_old))), solved_old, answer, clock=clock
    )
    ops += 1
    # Two hides by a moderator: a member's whole thread, and the solution of another thread.
    posting.delete_post(session, step(moderator), question(hidden_old), clock=clock)
    posting.delete_post(session, step(moderator), old_replies[unsolved_old.id][1], clock=clock)
    ops += 2
    assert ops == 100

    drain(session, clock)  # the worker tries: every thread's first event fails, nothing is lost
    clock.advance(seconds=1)
    drain(session, clock)  # not due yet: nothing runs again
    pending = _pending(session)
    during = session.exec(
        select(events.OutboxEvent.id).where(col(events.OutboxEvent.id) > last_before)
    ).all()
    assert len(during) > ops  # each change is one event, and a hidden solution is two
    assert {d.event_id for d in pending} == set(during)  # every one of them kept
    waiting_threads = {d.thread_id for d in pending}
    tried = [d for d in pending if d.attempts]
    assert len(tried) == len(waiting_threads)  # the first event of each thread; the rest wait
    assert {d.thread_id for d in tried} == waiting_threads
    assert all(d.attempts == 1 and d.available_at > clock.now() for d in tried)
    assert all("Meilisearch write failed" in (d.last_error or "") for d in tried)

    server.start()  # back, on the same port, with the same data
    assert _docs(live) == indexed_before  # the old state, untouched while it was down
    clock.advance(minutes=5)
    drain(session, clock)

    assert _pending(session) == []
    session.expire_all()
    all_ids = [thread_id for thread_id in session.exec(select(Thread.id)) if thread_id is not None]
    built = documents.thread_documents(session, all_ids)
    expected = {thread_id: doc for thread_id, doc in built.items() if doc is not None}
    indexed = _docs(live)
    assert set(indexed) == set(expected)
    assert len(expected) == 28 - 6  # five threads deleted, one hidden
    for thread_id, doc in expected.items():
        assert {**indexed[thread_id], "_vectors": None} == {**doc, "_vectors": None}, thread_id
    # The six old threads changed once each, and the index followed each change.
    assert deleted_old.id not in indexed and hidden_old.id not in indexed
    assert indexed[edited_old.id]["title"] == "Router edited"
    assert indexed[solved_old.id]["solved"] is True
    assert indexed[solved_old.id]["solution"] == answer.body
    assert indexed[unsolved_old.id]["solved"] is False  # its solution was hidden
    assert "Edited: the cable." in indexed[reply_edited_old.id]["best_replies"]


def test_reindex_swaps_a_fresh_index_in_while_searches_answer(
    session, clock, db, threads, meili_search
):
    author = make_user(session, clock)
    category = make_category(session)
    for n in range(25):
        rate_limiter.reset()
        make_thread(session, clock, author=author, category=category, title=f"Bolletta {n} alta")
    drain(session, clock)
    # Drift the live index away from the database: a stale document, and a missing one.
    client = threads.client
    stale = {**_docs(threads)[next(iter(_expected(session)))], "id": 999_999}
    client.wait_for_task(client.index(threads.uid).add_documents([stale]).task_uid)
    missing = max(_expected(session))
    client.wait_for_task(client.index(threads.uid).delete_document(missing).task_uid)

    answers: list[int] = []
    errors: list[Exception] = []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            try:
                answers.append(len(_search(threads, "invoice", limit=50)))
            except Exception as error:
                errors.append(error)

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    progress: list[tuple[int, int]] = []
    try:
        result = reindex.rebuild(
            db,
            client,
            threads.uid,
            batch_size=7,
            progress=lambda done, total: progress.append((done, total)),
        )
    finally:
        stop.set()
        searcher.join()

    assert errors == []
    assert answers and min(answers) >= 24  # every search answered, before and after the swap
    assert result.documents == 25
    assert progress == [(0, 25), (7, 25), (14, 25), (21, 25), (25, 25)]
    assert {doc_id: doc["title"] for doc_id, doc in _docs(threads).items()} == _expected(session)
    uids = {index.uid for index in client.get_indexes({"limit": 1000})["results"]}
    assert result.built not in uids and threads.uid in uids
    assert _search(threads, "bill") and len(_search(threads, "bill", limit=50)) == 25


def test_reindex_creates_the_live_index_when_there_is_none(session, clock, db, meili_search):
    author = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    client = meili_search.client
    live = meili_search.index_name("threads")
    leftover = ThreadsIndex(client, f"{live}_first")  # from a reindex that crashed
    leftover.upsert([{"id": 424242, "title": "stale", "_vectors": {"default": None}}])

    result = reindex.rebuild(db, client, live, suffix="first")

    assert result.documents == 1
    assert _docs(ThreadsIndex(client, live)).keys() == {thread.id}
    ensure_index(client, live)  # applying the settings again changes nothing
    applied = client.index(live).get_settings()
    assert applied["embedders"]["default"].dimensions == 384
    assert applied["vectorStore"] == "experimental"  # HNSW, the store that keeps the lag low


def test_a_failed_task_keeps_the_event_until_the_index_is_fixed(session, clock, threads, meili):
    admin = meilisearch.Client(meili.url, api_key=meili.master_key)
    admin.wait_for_task(admin.create_index(threads.uid, {"primaryKey": "uid"}).task_uid)
    threads.ensure()  # settings applied; but documents keyed on "id" are refused now
    author = make_user(session, clock)
    thread = make_thread(session, clock, author=author, category=make_category(session))
    drain(session, clock)

    tried = [d for d in _pending(session) if d.attempts]
    assert len(tried) == 1 and "IndexTaskFailed" in (tried[0].last_error or "")
    assert "failed" in (tried[0].last_error or "")

    admin.wait_for_task(admin.delete_index(threads.uid).task_uid)  # an operator repairs it
    clock.advance(minutes=1)
    drain(session, clock)

    assert _pending(session) == []
    assert set(_docs(threads)) == {thread.id}


def test_a_renamed_category_reaches_every_document_of_its_threads(
    session, clock, threads, monkeypatch
):
    monkeypatch.setattr(indexer, "CATEGORY_SYNC_BATCH", 2)  # the threads take two batches
    admin = make_user(session, clock, role=Role.admin)
    fibre, mobile = make_category(session, slug="fibra"), make_category(session, slug="mobile")
    renamed = [make_thread(session, clock, author=admin, category=fibre) for _ in range(3)]
    other = make_thread(session, clock, author=admin, category=mobile)
    drain(session, clock)

    categories.update_category(
        session, Guardian(admin), fibre, description_en="Fixed line.", clock=clock
    )
    drain(session, clock)  # a description is in no document
    categories.update_category(
        session, Guardian(admin), fibre, slug="fibra-ottica", name="Fibra ottica", clock=clock
    )
    drain(session, clock)

    docs = _docs(threads)
    assert {(docs[t.id]["category"], docs[t.id]["category_name"]) for t in renamed} == {
        ("fibra-ottica", "Fibra ottica")
    }
    assert docs[other.id]["category"] == "mobile"
    assert _search(threads, "", filter=f"{PUBLIC_FILTER} AND category = 'fibra-ottica'")
    assert _pending(session) == []


def test_threads_moved_all_at_once_are_found_under_their_new_category(session, clock, threads):
    moderator = make_user(session, clock, role=Role.moderator)
    fibre, home = make_category(session, slug="fibra"), make_category(session, slug="casa")
    moved = [make_thread(session, clock, author=moderator, category=fibre) for _ in range(3)]
    drain(session, clock)
    assert len(_search(threads, "", filter=f"{PUBLIC_FILTER} AND category = 'fibra'")) == 3

    writes_before = _document_writes(threads)
    bulk_move.move_all_threads(session, Guardian(moderator), fibre, home, clock=clock)
    drain(session, clock)

    docs = _docs(threads)
    assert {docs[t.id]["category"] for t in moved} == {"casa"}
    # One write for the lot: a task per thread makes a big move take hours on a big index.
    assert _document_writes(threads) == writes_before + 1
    assert _search(threads, "", filter=f"{PUBLIC_FILTER} AND category = 'fibra'") == []
    assert _pending(session) == []


def test_a_new_moderator_makes_their_replies_official(session, clock, threads):
    asker = make_user(session, clock)
    helper = make_user(session, clock)
    admin = make_user(session, clock, role=Role.admin)
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    make_reply(session, clock, author=helper, thread=thread, body="Try another cable.")
    drain(session, clock)
    assert _docs(threads)[thread.id]["has_official_answer"] is False

    accounts.grant_moderator(session, Guardian(admin), helper, clock=clock)
    drain(session, clock)

    assert _docs(threads)[thread.id]["has_official_answer"] is True
    assert _pending(session) == []


def test_a_deleted_accounts_threads_show_its_pseudonym(session, clock, threads):
    asker = make_user(session, clock, username="giulia")
    thread = make_thread(session, clock, author=asker, category=make_category(session))
    other = make_thread(
        session, clock, author=make_user(session, clock), category=make_category(session)
    )
    drain(session, clock)
    assert _docs(threads)[thread.id]["author"] == "giulia"

    account_erasure.erase(session, Guardian(asker), asker, password=PASSWORD, clock=clock)
    drain(session, clock)

    docs = _docs(threads)
    assert docs[thread.id]["author"] == f"anon_{asker.id}"
    assert docs[other.id]["author"] != f"anon_{asker.id}"
    assert "giulia" not in str(docs)
    assert _pending(session) == []


def test_the_reindex_command_shows_progress_and_swaps(
    session, clock, database_url, meili, meili_prefix, monkeypatch
):
    author = make_user(session, clock)
    category = make_category(session)
    ids = [
        make_thread(
            session, clock, author=author, category=category, title=f"Ricarica {n} persa"
        ).id
        for n in range(3)
    ]
    for name, value in {
        "DATABASE_URL": database_url,
        "MEILI_URL": meili.url,
        "MEILI_MASTER_KEY": meili.master_key,
        "PEERDESK_SEARCH_ENABLED": "true",
        "PEERDESK_SEARCH_INDEX_PREFIX": meili_prefix,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    app = typer.Typer()
    search_cli.register(app)
    app.command("noop")(lambda: None)  # two commands: "reindex" stays a subcommand
    try:
        result = CliRunner().invoke(app, ["reindex", "--batch-size", "2"])
        # make run's form: once the live index holds documents it is left alone.
        again = CliRunner().invoke(app, ["reindex", "--if-missing"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 0, result.output
    assert "indexed 3 threads" in result.output
    assert again.exit_code == 0, again.output
    assert "already built" in again.output
    live = ThreadsIndex(meilisearch.Client(meili.url, meili.master_key), f"{meili_prefix}_threads")
    assert set(_docs(live)) == set(ids)
    assert set(_search(live, "top-up")) == set(ids)  # ricarica, by its English synonym


def test_the_app_binds_its_search_service_to_the_indexer(
    session, clock, db, meili_settings, meili_prefix
):
    author = make_user(session, clock)
    app = main.create_app(
        get_settings(), engine=db, clock=clock, start_worker=False, search=meili_settings
    )
    with TestClient(app, base_url="https://testserver"):
        service = app.state.search
        live = ThreadsIndex.of(service)
        assert live.uid == f"{meili_prefix}_threads"
        # The index exists with its settings before anything is written.
        assert live.client.index(live.uid).get_filterable_attributes()
        thread = make_thread(session, clock, author=author, category=make_category(session))
        drain(session, clock)
        assert set(_docs(live)) == {thread.id}

    # Once the app has stopped, nothing is bound: events wait for search to return.
    other = make_thread(session, clock, author=author, category=make_category(session))
    drain(session, clock)
    assert {d.thread_id for d in _pending(session)} == {other.id}


def test_events_parked_by_a_long_outage_run_again_when_search_returns(
    session, clock, threads, meili_search
):
    author = make_user(session, clock)
    category = make_category(session)
    indexer.bind(ThreadsIndex(meilisearch.Client(f"http://127.0.0.1:{free_port()}"), threads.uid))
    lost = make_thread(session, clock, author=author, category=category, title="Fibra giù da ore")
    for _ in range(events.MAX_ATTEMPTS):
        drain(session, clock)
        clock.advance(hours=2)
    parked = [d for d in _pending(session) if d.parked_at is not None]
    assert parked and all(d.attempts == events.MAX_ATTEMPTS for d in parked)

    indexer.bind(ThreadsIndex.of(meili_search))  # back, hours later; the next post wakes them
    rate_limiter.reset()
    later = make_thread(session, clock, author=author, category=category, title="Modem nuovo")
    drain(session, clock)

    assert _pending(session) == []
    assert set(_docs(threads)) == {lost.id, later.id}


def test_among_equal_matches_solved_threads_come_first(session, clock, threads):
    asker = make_user(session, clock)
    helper = make_user(session, clock)
    category = make_category(session)
    title = "Rimborso della bolletta doppia"
    open_thread = make_thread(session, clock, author=asker, category=category, title=title)
    solved_thread = make_thread(session, clock, author=asker, category=category, title=title)
    answer = make_reply(session, clock, author=helper, thread=solved_thread, body="Chiama il 187")
    solutions.accept_solution(session, Guardian(asker), solved_thread, answer, clock=clock)
    drain(session, clock)

    assert _search(threads, "refund bill") == [solved_thread.id, open_thread.id]


def _additions(index: ThreadsIndex) -> int:
    tasks = index.client.get_tasks(
        {"indexUids": [index.uid], "types": ["documentAdditionOrUpdate"]}
    )
    return len(tasks.results)


def test_a_document_the_index_already_has_is_not_written_again(session, clock, threads):
    """At 100,000 threads each write costs about a second in Meilisearch (the vector store is
    rewritten): a new thread's post_embedded must not write again what thread_created wrote."""
    asker = make_user(session, clock, username="asker")
    category = make_category(session, slug="modem")
    thread = make_thread(
        session, clock, author=asker, category=category, title="Router keeps restarting"
    )
    drain(session, clock)
    written = _additions(threads)
    assert thread.id in _docs(threads)

    threads.sync(session, [thread.id])  # the same document: nothing is sent
    assert _additions(threads) == written

    make_reply(session, clock, author=asker, thread=thread, body="Still restarting")
    drain(session, clock)  # a changed document is written
    assert _additions(threads) == written + 1
    assert _docs(threads)[thread.id]["best_replies"] == ["Still restarting"]

    threads.forget()  # the index may have lost its documents: write them again
    threads.sync(session, [thread.id])
    assert _additions(threads) == written + 2


def test_embeddings_run_before_search_so_a_new_thread_is_written_once_with_its_vector():
    names = list(events.registry.consumers)
    assert names.index("embeddings") < names.index(indexer.CONSUMER)
