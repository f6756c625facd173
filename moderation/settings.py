"""Settings of moderation, read from the environment (prefix ``PEERDESK_MODERATION_``)."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class ModerationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PEERDESK_MODERATION_", extra="ignore")

    # The first-response target of a category without its own service level.
    default_first_response_hours: int = 24
    # Rows per page of the listening queue (HTML and API).
    queue_page_size: int = 25
    # How often the queue page refreshes itself (htmx polling), in seconds.
    queue_refresh_seconds: int = 10


@lru_cache
def get_settings() -> ModerationSettings:
    return ModerationSettings()
