"""A real Meilisearch for the search tests: one per session, each test with its own index prefix.

``MEILI_URL`` (+ ``MEILI_MASTER_KEY``) in the environment points the tests at an external server;
otherwise the pinned binary is started on a free loopback port with a throwaway data dir.
In CI a missing binary fails the run; elsewhere the search tests are skipped.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import meilisearch
import pytest
from sqlalchemy import Engine

import main
from community.clock import SystemClock
from community.settings import get_settings
from search.client import SearchService, delete_scoped_key
from search.server import ManagedMeilisearch, MeiliEndpoint, external_endpoint
from search.settings import SearchSettings
from tests import live

IS_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def meili(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MeiliEndpoint]:
    """URL and master key of a running Meilisearch (started here unless MEILI_URL is set)."""
    settings = SearchSettings()
    if settings.is_external:
        yield external_endpoint(settings)
        return
    binary = settings.meili_binary
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        message = f"Meilisearch binary missing (run `npm ci`): {binary}"
        if IS_CI:
            pytest.fail(message)
        pytest.skip(message)
    root: Path = tmp_path_factory.mktemp("meili")
    server = ManagedMeilisearch(SearchSettings(var_dir=root, meili_port=0, meili_url=""))
    server.start()
    try:
        yield server.endpoint
    finally:
        server.stop()


@pytest.fixture
def meili_prefix(meili: MeiliEndpoint) -> Iterator[str]:
    """A fresh index-name prefix for this test (``peerdesk_t<hex>``); its indexes and its app
    key are deleted afterwards."""
    prefix = f"peerdesk_t{uuid.uuid4().hex[:12]}"
    yield prefix
    admin = meilisearch.Client(meili.url, api_key=meili.master_key, timeout=10)
    indexes: Any = admin.get_indexes({"limit": 1000})
    for index in indexes["results"]:
        if index.uid.startswith(prefix):
            admin.wait_for_task(admin.delete_index(index.uid).task_uid)
    delete_scoped_key(meili, prefix)


@pytest.fixture
def meili_settings(meili: MeiliEndpoint, meili_prefix: str, tmp_path: Path) -> SearchSettings:
    """SearchSettings that point the app at the session server, with this test's prefix."""
    return SearchSettings(
        search_enabled=True,
        meili_url=meili.url,
        meili_master_key=meili.master_key,
        search_index_prefix=meili_prefix,
        var_dir=tmp_path / "var",
    )


@pytest.fixture
def meili_search(meili: MeiliEndpoint, meili_settings: SearchSettings) -> SearchService:
    """A connected SearchService (scoped key) over this test's prefix."""
    service = SearchService.from_settings(meili, meili_settings)
    assert service.connect(), "Meilisearch did not accept the app key"
    return service


@pytest.fixture
def live_search_server(db: Engine, meili_settings: SearchSettings) -> Iterator[str]:
    """The real app, its outbox worker and this test's Meilisearch indexes, on loopback."""
    app = main.create_app(
        get_settings(), engine=db, clock=SystemClock(), start_worker=True, search=meili_settings
    )
    with live.serve(app) as url:
        yield url
