"""The app's Meilisearch client: a key scoped to the app's own indexes, and a health probe.

The master key is used once, at start-up, to create (or look up) an API key limited to the
indexes ``<prefix>*`` and to the actions the app needs; every app request uses that key.
"""

import logging
import threading
import time
import uuid
from typing import Any

import httpx
import meilisearch
from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError

from search.server import MeiliEndpoint
from search.settings import SearchSettings

log = logging.getLogger("peerdesk.search")

APP_KEY_ACTIONS: tuple[str, ...] = (
    "search",
    "documents.add",
    "documents.get",
    "documents.delete",
    "indexes.create",
    "indexes.get",
    "indexes.update",
    "indexes.delete",
    "indexes.swap",
    "tasks.get",
    "settings.get",
    "settings.update",
    "stats.get",
)
_KEY_NAMESPACE = uuid.UUID("6f1d0c0e-3b53-4a55-9d6f-7e6b2f1a4c11")

# The threads index stores its vectors in Meilisearch's HNSW store ("hannoy", index setting
# ``vectorStore: experimental``), which v1.21 still gates behind this instance-wide feature flag.
# With the default store ("arroy") one write at 100,000 vectors costs about a second, most of it
# rebuilding trees, and the index lagged the database by p95 1.7 s (bench/search_bench.py).
EXPERIMENTAL_FEATURES: dict[str, bool] = {"vectorStoreSetting": True}


class SearchUnavailable(RuntimeError):
    """Meilisearch cannot be reached (or refused the app's key): search runs degraded."""


def app_key_uid(index_pattern: str, actions: tuple[str, ...] = APP_KEY_ACTIONS) -> str:
    """A stable uid for the app key: the same scope always finds the same key again."""
    return str(uuid.uuid5(_KEY_NAMESPACE, f"peerdesk-app|{index_pattern}|{','.join(actions)}"))


def ensure_scoped_key(
    endpoint: MeiliEndpoint,
    index_prefix: str,
    *,
    actions: tuple[str, ...] = APP_KEY_ACTIONS,
    timeout: int = 5,
) -> str:
    """Create, or look up, the API key limited to ``<index_prefix>*``; returns the key itself.

    The master key also switches on ``EXPERIMENTAL_FEATURES``, which the index settings need and
    the scoped key may not change.
    """
    pattern = f"{index_prefix}*"
    uid = app_key_uid(pattern, actions)
    admin = meilisearch.Client(endpoint.url, api_key=endpoint.master_key, timeout=timeout)
    try:
        admin.update_experimental_features(EXPERIMENTAL_FEATURES)
        try:
            key: Any = admin.get_key(uid)
        except MeilisearchApiError as error:
            if error.code != "api_key_not_found":
                raise
            key = admin.create_key(
                {
                    "uid": uid,
                    "name": f"peerdesk app ({pattern})",
                    "description": "peerdesk: the app's own indexes only",
                    "actions": list(actions),
                    "indexes": [pattern],
                    "expiresAt": None,
                }
            )
    except (MeilisearchApiError, MeilisearchCommunicationError) as error:
        raise SearchUnavailable(f"cannot create the app key at {endpoint.url}: {error}") from error
    return str(key.key)


def delete_scoped_key(
    endpoint: MeiliEndpoint, index_prefix: str, *, actions: tuple[str, ...] = APP_KEY_ACTIONS
) -> None:
    """Remove the app key of ``index_prefix`` (tests use it to clean up)."""
    admin = meilisearch.Client(endpoint.url, api_key=endpoint.master_key, timeout=5)
    try:
        admin.delete_key(app_key_uid(f"{index_prefix}*", actions))
    except MeilisearchApiError as error:
        if error.code != "api_key_not_found":
            raise


def scoped_client(endpoint: MeiliEndpoint, index_prefix: str, *, timeout: int = 5) -> Any:
    """A ``meilisearch.Client`` authenticated with the scoped key (never the master key)."""
    key = ensure_scoped_key(endpoint, index_prefix, timeout=timeout)
    return meilisearch.Client(endpoint.url, api_key=key, timeout=timeout)


class MeiliHealth:
    """``is_available()``: GET /health with a short timeout (no key needed)."""

    def __init__(self, url: str, *, timeout: float = 0.5) -> None:
        self.url = url
        self.timeout = timeout

    def is_available(self) -> bool:
        try:
            response = httpx.get(f"{self.url}/health", timeout=self.timeout)
            return bool(response.json().get("status") == "available")
        except (httpx.HTTPError, ValueError):
            return False


class SearchService:
    """What the app keeps on ``app.state.search``: the scoped client, index names and health.

    The scoped key is minted at start-up by ``connect()``; if Meilisearch was down then, the
    first use of ``client`` tries again (and raises ``SearchUnavailable`` while it is down).
    """

    def __init__(
        self,
        endpoint: MeiliEndpoint,
        *,
        index_prefix: str = "peerdesk",
        request_timeout: int = 5,
        health_timeout: float = 0.5,
    ) -> None:
        self.url = endpoint.url
        self.index_prefix = index_prefix
        self.request_timeout = request_timeout
        self.health = MeiliHealth(endpoint.url, timeout=health_timeout)
        self._endpoint = endpoint
        self._client: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, endpoint: MeiliEndpoint, settings: SearchSettings) -> "SearchService":
        return cls(
            endpoint,
            index_prefix=settings.search_index_prefix,
            request_timeout=settings.meili_request_timeout,
            health_timeout=settings.meili_health_timeout,
        )

    def index_name(self, name: str) -> str:
        """The full index uid of one of the app's indexes, e.g. ``peerdesk_threads``."""
        return f"{self.index_prefix}_{name}"

    @property
    def client(self) -> Any:
        """The ``meilisearch.Client`` with the scoped key; raises ``SearchUnavailable``."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    key = ensure_scoped_key(
                        self._endpoint, self.index_prefix, timeout=self.request_timeout
                    )
                    self._client = meilisearch.Client(
                        self.url, api_key=key, timeout=self.request_timeout
                    )
        return self._client

    def connect(self, *, wait: float = 0.0) -> bool:
        """Mint the scoped key now (retrying for up to ``wait`` seconds); False if unreachable."""
        deadline = time.monotonic() + wait
        while True:
            try:
                self.client  # noqa: B018 - minting the key is the point
                return True
            except SearchUnavailable as error:
                if time.monotonic() >= deadline:
                    log.warning("search degraded: %s", error)
                    return False
                time.sleep(0.2)

    def is_available(self) -> bool:
        return self.health.is_available()
