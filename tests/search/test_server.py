"""The managed Meilisearch: start/stop, master key on disk, the scoped app key, MEILI_URL mode,
and the forum keeping working when search is off."""

import logging
import os
import signal
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import meilisearch
import pytest
from fastapi.testclient import TestClient
from meilisearch.errors import MeilisearchApiError

import main
from community.settings import get_settings
from search.client import APP_KEY_ACTIONS, MeiliHealth, SearchService, app_key_uid
from search.runtime import start_search
from search.server import ManagedMeilisearch, MeiliAlreadyRunning, MeiliEndpoint, free_port
from search.settings import SearchSettings
from tests.factories import make_category, make_thread, make_user
from tests.search.conftest import IS_CI


@pytest.fixture
def managed_settings(tmp_path: Path) -> SearchSettings:
    """Settings for a private managed server (needs the binary even when MEILI_URL is set)."""
    settings = SearchSettings(
        search_enabled=True, var_dir=tmp_path / "var", meili_url="", meili_port=0
    )
    if not os.access(settings.meili_binary, os.X_OK):
        if IS_CI:
            pytest.fail(f"Meilisearch binary missing: {settings.meili_binary}")
        pytest.skip(f"Meilisearch binary missing: {settings.meili_binary}")
    return settings


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _children_named_meilisearch() -> set[int]:
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if fields[1] == str(os.getpid()) and name == "meilisearch":
            pids.add(int(entry.name))
    return pids


@pytest.fixture
def forum_client(app_with_search) -> Iterator[TestClient]:
    with TestClient(
        app_with_search, base_url="https://testserver", headers={"Accept-Language": "en"}
    ) as client:
        yield client


def test_managed_server_starts_on_loopback_and_stops(managed_settings: SearchSettings) -> None:
    server = ManagedMeilisearch(managed_settings).start()
    pid = server.pid
    assert pid is not None
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert MeiliHealth(server.url).is_available()
        assert (managed_settings.var_dir / "meili" / "data.ms").is_dir()
    finally:
        server.stop()
    assert not _is_alive(pid)
    assert not server.running
    assert not MeiliHealth(server.url, timeout=0.2).is_available()


def test_master_key_is_private_and_reused_with_the_data_on_restart(
    managed_settings: SearchSettings,
) -> None:
    with ManagedMeilisearch(managed_settings) as server:
        key_file = managed_settings.var_dir / "meili_master_key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        first_key = server.master_key
        assert len(first_key) >= 32
        admin = meilisearch.Client(server.url, api_key=first_key)
        admin.wait_for_task(admin.create_index("peerdesk_kept").task_uid)

    with ManagedMeilisearch(managed_settings) as server:
        assert server.master_key == first_key == key_file.read_text().strip()
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        admin = meilisearch.Client(server.url, api_key=server.master_key)
        assert admin.get_index("peerdesk_kept").uid == "peerdesk_kept"
        # Without a key nothing but /health answers.
        assert httpx.get(f"{server.url}/indexes").status_code == 401


def test_one_server_per_data_dir_and_others_attach_to_it(
    managed_settings: SearchSettings,
) -> None:
    before = _children_named_meilisearch()
    with ManagedMeilisearch(managed_settings) as first:
        with pytest.raises(MeiliAlreadyRunning) as running:
            ManagedMeilisearch(managed_settings).start()
        assert running.value.endpoint == first.endpoint
        assert len(_children_named_meilisearch() - before) == 1

        # What `peerdesk reindex` or a second app process does while the app runs.
        runtime = start_search(managed_settings)
        assert runtime.server is None
        assert runtime.service is not None
        assert runtime.service.url == first.url
        assert runtime.service.connect()
        runtime.stop()
        assert first.running
    assert not (managed_settings.data_dir / "server.json").exists()
    with ManagedMeilisearch(managed_settings):  # the lock went with the first server
        pass


def test_stop_kills_a_server_that_ignores_sigterm(managed_settings: SearchSettings) -> None:
    settings = managed_settings.model_copy(update={"meili_stop_timeout": 0.5})
    server = ManagedMeilisearch(settings).start()
    pid = server.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # a stopped process cannot act on SIGTERM
    server.stop()
    assert not _is_alive(pid)


def test_scoped_key_reaches_only_the_apps_own_indexes(
    meili: MeiliEndpoint, meili_search: SearchService, meili_prefix: str
) -> None:
    client = meili_search.client
    assert client.config.api_key != meili.master_key

    own = meili_search.index_name("threads")
    assert own.startswith(meili_prefix)
    task = client.wait_for_task(client.create_index(own, {"primaryKey": "id"}).task_uid)
    assert task.status == "succeeded"
    index = client.index(own)
    task = client.wait_for_task(index.add_documents([{"id": 1, "title": "fibra"}]).task_uid)
    assert task.status == "succeeded"
    assert index.search("fibra")["hits"][0]["id"] == 1

    with pytest.raises(MeilisearchApiError) as refused:
        client.create_index("other")
    assert refused.value.status_code == 403
    with pytest.raises(MeilisearchApiError) as refused:
        client.create_key({"actions": ["*"], "indexes": ["*"], "expiresAt": None})
    assert refused.value.status_code == 403

    admin = meilisearch.Client(meili.url, api_key=meili.master_key)
    key = admin.get_key(app_key_uid(f"{meili_prefix}*"))
    assert key.indexes == [f"{meili_prefix}*"]
    assert set(key.actions) == set(APP_KEY_ACTIONS)


def test_the_app_key_is_created_once_and_found_again(
    meili: MeiliEndpoint, meili_settings: SearchSettings
) -> None:
    first = SearchService.from_settings(meili, meili_settings)
    second = SearchService.from_settings(meili, meili_settings)
    assert first.connect() and second.connect()
    assert first.client.config.api_key == second.client.config.api_key
    admin = meilisearch.Client(meili.url, api_key=meili.master_key)
    uid = app_key_uid(f"{meili_settings.search_index_prefix}*")
    assert [k.uid for k in admin.get_keys({"limit": 1000}).results].count(uid) == 1


def test_meili_url_mode_starts_no_process(
    meili: MeiliEndpoint, meili_settings: SearchSettings
) -> None:
    before = _children_named_meilisearch()
    runtime = start_search(meili_settings)
    try:
        assert runtime.server is None
        assert runtime.service is not None
        assert runtime.service.url == meili.url
        assert runtime.service.is_available()
        assert _children_named_meilisearch() == before
    finally:
        runtime.stop()
    assert MeiliHealth(meili.url).is_available()  # stopping the app leaves that server alone


def test_an_unreachable_meili_url_degrades_without_failing(tmp_path: Path) -> None:
    settings = SearchSettings(
        search_enabled=True,
        meili_url=f"http://127.0.0.1:{free_port()}",
        meili_master_key="x" * 24,
        var_dir=tmp_path,
    )
    runtime = start_search(settings)
    assert runtime.service is not None
    assert not runtime.service.is_available()
    assert not runtime.service.connect()


@pytest.fixture
def app_with_search(request: pytest.FixtureRequest, db, clock):
    return main.create_app(
        get_settings(), engine=db, clock=clock, start_worker=False, search=request.param
    )


@pytest.mark.parametrize(
    "app_with_search",
    [
        SearchSettings(search_enabled=False),
        SearchSettings(search_enabled=True, meili_url="", meili_binary=Path("/nonexistent/meili")),
    ],
    ids=["disabled", "binary-missing"],
    indirect=True,
)
def test_the_forum_works_without_meilisearch(
    app_with_search, forum_client: TestClient, session, clock, caplog: pytest.LogCaptureFixture
) -> None:
    author = make_user(session, clock)
    category = make_category(session)
    make_thread(session, clock, author=author, category=category, title="Router keeps rebooting")
    assert app_with_search.state.search is None
    page = forum_client.get("/")
    assert page.status_code == 200
    assert "Router keeps rebooting" in page.text
    assert any(
        "search" in r.getMessage()
        for r in caplog.get_records("setup")
        if r.levelno >= logging.WARNING
    )


def test_the_app_starts_and_stops_its_own_meilisearch(
    managed_settings: SearchSettings, db, clock
) -> None:
    app = main.create_app(
        get_settings(), engine=db, clock=clock, start_worker=False, search=managed_settings
    )
    before = _children_named_meilisearch()
    with TestClient(app, base_url="https://testserver") as client:
        service = app.state.search
        assert isinstance(service, SearchService)
        assert service.is_available()
        started = _children_named_meilisearch() - before
        assert len(started) == 1
        assert (
            service.client.config.api_key
            != (managed_settings.var_dir / "meili_master_key").read_text().strip()
        )
        assert client.get("/").status_code == 200
    assert _children_named_meilisearch() == before
    assert not service.is_available()


def test_the_app_uses_meili_url_when_set(meili: MeiliEndpoint, meili_settings, db, clock) -> None:
    app = main.create_app(
        get_settings(), engine=db, clock=clock, start_worker=False, search=meili_settings
    )
    before = _children_named_meilisearch()
    with TestClient(app, base_url="https://testserver"):
        service = app.state.search
        assert isinstance(service, SearchService)
        assert service.url == meili.url
        assert service.index_prefix == meili_settings.search_index_prefix
        assert _children_named_meilisearch() == before
