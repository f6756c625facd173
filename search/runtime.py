"""Start-up and shutdown of search for the app: managed server or MEILI_URL, or degraded."""

import logging
from dataclasses import dataclass

from search.client import SearchService
from search.server import (
    ManagedMeilisearch,
    MeiliAlreadyRunning,
    MeiliStartError,
    external_endpoint,
)
from search.settings import SearchSettings

log = logging.getLogger("peerdesk.search")


@dataclass
class SearchRuntime:
    """``service`` is None when search is off (disabled, binary missing, server did not start)."""

    service: SearchService | None = None
    server: ManagedMeilisearch | None = None

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def start_search(settings: SearchSettings) -> SearchRuntime:
    """Use MEILI_URL, else the managed Meilisearch of this data dir (started here unless another
    process already runs it); never raise: the forum works without search."""
    if not settings.search_enabled:
        log.warning("search is disabled (PEERDESK_SEARCH_ENABLED=false): no Meilisearch")
        return SearchRuntime()
    if settings.is_external:
        service = SearchService.from_settings(external_endpoint(settings), settings)
        service.connect()  # logs a warning if unreachable; the client retries on first use
        log.info("search uses the external Meilisearch at %s", service.url)
        return SearchRuntime(service=service)
    server = ManagedMeilisearch(settings)
    try:
        server.start()
    except MeiliAlreadyRunning as running:
        # The app (or a CLI command) already runs it on this data dir: use it, never stop it.
        service = SearchService.from_settings(running.endpoint, settings)
        service.connect()
        log.info("search uses the Meilisearch already running at %s", service.url)
        return SearchRuntime(service=service)
    except (MeiliStartError, OSError) as error:
        log.warning("search is degraded, Meilisearch did not start: %s", error)
        server.stop()
        return SearchRuntime()
    service = SearchService.from_settings(server.endpoint, settings)
    if not service.connect(wait=settings.meili_start_timeout):
        server.stop()
        return SearchRuntime()
    return SearchRuntime(service=service, server=server)
