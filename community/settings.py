"""Settings of the community core, read from the environment (prefix ``PEERDESK_``)."""

import secrets
from email.utils import formataddr
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from community import i18n

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TAGLINE = i18n.N_("Support community")
SMTP_SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}  # and each one's usual port


class CommunitySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PEERDESK_", extra="ignore")

    database_url: str = Field(default="", validation_alias="DATABASE_URL")
    var_dir: Path = PROJECT_ROOT / "var"
    secret_key: str = ""
    cookie_secure: bool = True
    brand_name: str = "Connettia"
    # The footer's tagline (``tagline``): empty for peerdesk's own, in the reader's language; a
    # brand's own is one text for every language, or a JSON object with one per language.
    brand_tagline: str | dict[str, str] = ""
    brand_color: str = "#0b6e4f"
    brand_accent: str = "#f2a541"
    default_language: str = "it"
    languages: tuple[str, ...] = ("it", "en")
    # Times are shown in the reader's time zone: their own (account settings), else this one.
    time_zone: str = "Europe/Rome"

    # Reputation (community.reputation): points per event, Stack Exchange's values.
    points_answer_kudos: int = 10
    points_question_kudos: int = 5
    points_answer_accepted: int = 15
    points_accepted_answer: int = 2
    points_rescue: int = 5  # answering a thread that had been unanswered for a day
    points_flag_upheld: int = -20
    kudos_points_per_day: int = 200  # at most this many points a day from kudos
    rescue_after_hours: int = 24
    # Two members count as trading kudos once each gave the other at least this many kudos in
    # mutual_kudos_days, and those make at least mutual_kudos_share of what each gave.
    mutual_kudos_min: int = 3
    mutual_kudos_share: float = 0.5
    mutual_kudos_days: int = 30
    # Ranks: the reputation at which each begins (community.ranks has what each unlocks).
    rank_contributor: int = 50
    rank_trusted: int = 200
    rank_guide: int = 500
    rank_expert: int = 1000
    # A newcomer's post with a link waits for a moderator until they have this many posts out.
    newcomer_reviewed_posts: int = 3
    trusted_flag_weight: float = 2.0
    page_size: int = 25
    posts_per_page: int = 20
    max_body_chars: int = 20_000
    max_title_chars: int = 150
    min_title_chars: int = 8
    min_question_chars: int = 20  # Discourse asks 20 of a first post; replies have no minimum
    max_tags: int = 5
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19_456
    signup_limit_per_hour: int = 10
    signup_attempts_per_hour: int = 30  # completed or refused
    login_limit_per_15min: int = 20
    posts_limit_per_minute: int = 10
    # Images attached to posts (community.uploads): per member and hour, the largest file
    # accepted, and the most pixels decoded (a small file can unpack into gigabytes).
    uploads_per_hour: int = 30
    upload_max_bytes: int = 5 * 1024 * 1024
    upload_max_pixels: int = 40_000_000
    password_reset_limit_per_hour: int = 5  # per address or name asked for, and per client
    password_reset_valid_minutes: int = 60
    # Where links in e-mails point: the address members reach the community at.
    public_url: str = "http://127.0.0.1:8000"
    # Outgoing mail (community.mailer): smtp://, smtp+starttls:// or smtps://, with user:password@
    # when the server wants a login. Empty: each message is written to var/mail/ as an .eml file.
    smtp_url: str = ""
    mail_from: str = ""  # empty: "<brand name> <noreply@<public_url's host>>"
    email_delay_minutes: int = 10  # an unread notification waits this long before it is mailed
    outbox_poll_seconds: float = 0.5
    run_worker_in_process: bool = True

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        if not i18n.is_time_zone(value):
            raise ValueError(f"{value!r} is not an IANA time zone name, such as Europe/Rome.")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _known_mail_scheme(cls, value: str) -> str:
        scheme = value.partition("://")[0] if value else ""
        if value and (scheme not in SMTP_SCHEMES or not urlsplit(value).hostname):
            raise ValueError(
                f"PEERDESK_SMTP_URL must look like smtp://host:25, smtp+starttls://user:password@"
                f"host:587 or smtps://user:password@host:465, not {value.split('@')[-1]!r}."
            )
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"PEERDESK_PUBLIC_URL must be an http(s) address, not {value!r}.")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _taglines_name_our_languages(self) -> "CommunitySettings":
        own = self.brand_tagline
        if isinstance(own, str) and own.lstrip().startswith("{"):
            raise ValueError("PEERDESK_BRAND_TAGLINE starts like JSON but is not a JSON object.")
        unknown = sorted(set(own) - set(self.languages)) if isinstance(own, dict) else []
        if unknown:
            raise ValueError(
                f"PEERDESK_BRAND_TAGLINE has taglines for {', '.join(unknown)}; the languages "
                f"are {', '.join(self.languages)}."
            )
        return self

    def tagline(self, language: str) -> str:
        """The footer's tagline for a reader of ``language``: the brand's own for that language
        (else for the default language), else peerdesk's, translated."""
        own = self.brand_tagline
        if isinstance(own, dict):
            own = own.get(language) or own.get(self.default_language, "")
        return own.strip() or i18n.gettext(language, DEFAULT_TAGLINE)

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.var_dir / 'peerdesk.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    @property
    def sender(self) -> str:
        """The From of outgoing mail."""
        host = urlsplit(self.public_url).hostname or "localhost"
        return self.mail_from or formataddr((self.brand_name, f"noreply@{host}"))

    def session_secret(self) -> str:
        """The explicit secret, else one generated once and kept under var/ (mode 600)."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text().strip()


@lru_cache
def get_settings() -> CommunitySettings:
    return CommunitySettings()
