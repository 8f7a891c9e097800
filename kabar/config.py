"""Settings: the one place that reads the environment and `.env`."""

from __future__ import annotations

import zoneinfo
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from kabar.errors import ConfigError

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/kabar.db"


def _env(name: str) -> Any:
    """Bind a field to exactly one environment variable name."""
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """Every knob Kabar has; each field maps to one environment variable."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        hide_input_in_errors=True,
    )

    telegram_bot_token: SecretStr | None = Field(None, validation_alias=_env("TELEGRAM_BOT_TOKEN"))
    telegram_api_url: str = Field(DEFAULT_API_URL, validation_alias=_env("TELEGRAM_API_URL"))
    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias=_env("DATABASE_URL"))
    admins: Annotated[frozenset[int], NoDecode] = Field(
        frozenset(), validation_alias=_env("KABAR_ADMINS")
    )
    timezone: str = Field("Asia/Jakarta", validation_alias=_env("KABAR_TIMEZONE"))
    language: Literal["id", "en"] = Field("id", validation_alias=_env("KABAR_LANGUAGE"))
    allow_private_networks: bool = Field(
        False, validation_alias=_env("KABAR_ALLOW_PRIVATE_NETWORKS")
    )
    allowed_hosts: Annotated[frozenset[str], NoDecode] = Field(
        frozenset(), validation_alias=_env("KABAR_ALLOWED_HOSTS")
    )
    send_rate: float = Field(25.0, gt=0, le=1000, validation_alias=_env("KABAR_SEND_RATE"))
    paid_broadcast: bool = Field(False, validation_alias=_env("KABAR_PAID_BROADCAST"))
    send_max_in_flight: int = Field(
        32, ge=1, le=512, validation_alias=_env("KABAR_SEND_MAX_IN_FLIGHT")
    )
    send_timeout: float = Field(10.0, gt=0, le=120, validation_alias=_env("KABAR_SEND_TIMEOUT"))
    send_max_attempts: int = Field(8, ge=1, le=50, validation_alias=_env("KABAR_SEND_MAX_ATTEMPTS"))
    send_retry_seconds: float = Field(
        2.0, gt=0, le=600, validation_alias=_env("KABAR_SEND_RETRY_SECONDS")
    )
    send_lease_seconds: float = Field(
        60.0, ge=1, le=3600, validation_alias=_env("KABAR_SEND_LEASE")
    )
    send_leader_lease_seconds: float = Field(
        15.0, ge=1, le=600, validation_alias=_env("KABAR_SENDER_LEASE")
    )
    digest_catchup_minutes: int = Field(
        60, ge=1, le=1440, validation_alias=_env("KABAR_DIGEST_CATCHUP")
    )
    digest_max_items: int = Field(24, ge=1, le=100, validation_alias=_env("KABAR_DIGEST_MAX_ITEMS"))
    digest_page_items: int = Field(8, ge=1, le=30, validation_alias=_env("KABAR_DIGEST_PAGE_ITEMS"))
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias=_env("KABAR_LOG_LEVEL")
    )
    fetch_interval_minutes: int = Field(
        15, ge=1, le=1440, validation_alias=_env("KABAR_FETCH_INTERVAL")
    )
    fetch_concurrency: int = Field(
        20, ge=1, le=500, validation_alias=_env("KABAR_FETCH_CONCURRENCY")
    )
    fetch_per_host: int = Field(2, ge=1, le=50, validation_alias=_env("KABAR_FETCH_PER_HOST"))
    fetch_timeout_seconds: float = Field(
        30.0, gt=0, le=600, validation_alias=_env("KABAR_FETCH_TIMEOUT")
    )
    max_feed_bytes: int = Field(
        10_000_000, ge=10_000, validation_alias=_env("KABAR_MAX_FEED_BYTES")
    )
    max_feed_errors: int = Field(20, ge=1, validation_alias=_env("KABAR_MAX_FEED_ERRORS"))
    fetch_full_text: bool = Field(True, validation_alias=_env("KABAR_FETCH_FULL_TEXT"))
    fulltext_concurrency: int = Field(
        4, ge=1, le=100, validation_alias=_env("KABAR_FULLTEXT_CONCURRENCY")
    )
    user_agent: str | None = Field(None, validation_alias=_env("KABAR_USER_AGENT"))
    summary_sentences: int = Field(3, ge=1, le=10, validation_alias=_env("KABAR_SUMMARY_SENTENCES"))
    summary_workers: int = Field(0, ge=0, le=64, validation_alias=_env("KABAR_SUMMARY_WORKERS"))
    alerts_per_hour: int = Field(10, ge=1, le=1000, validation_alias=_env("KABAR_ALERTS_PER_HOUR"))
    retention_days: int = Field(90, ge=0, validation_alias=_env("KABAR_RETENTION_DAYS"))
    import_catalog: bool = Field(True, validation_alias=_env("KABAR_IMPORT_CATALOG"))
    webhook_url: str | None = Field(None, validation_alias=_env("KABAR_WEBHOOK_URL"))
    webhook_port: int = Field(8443, ge=1, le=65535, validation_alias=_env("KABAR_WEBHOOK_PORT"))
    webhook_secret: SecretStr | None = Field(None, validation_alias=_env("KABAR_WEBHOOK_SECRET"))

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            for part in parts:
                if not part.lstrip("-").isdigit():
                    raise ValueError(f"{part!r} is not a numeric Telegram user id")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(p.strip().lower() for p in value.split(",") if p.strip())
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA timezone such as Asia/Jakarta") from None
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith(("postgres://", "postgresql://")):
            # Operators paste libpq URLs; the async engine needs the asyncpg driver.
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must be sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db"
            )
        return value

    @cached_property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite (WAL, one writer) rather than PostgreSQL."""
        return self.database_url.startswith("sqlite")

    @property
    def token(self) -> str | None:
        """The bot token in clear text, for the Telegram client only."""
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    def sqlite_path(self) -> Path | None:
        """The SQLite file path, or None for in-memory and non-SQLite URLs."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[-1].split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path)


_FIELD_TO_ENV = {
    name: str(field.validation_alias.choices[0])  # type: ignore[union-attr]
    for name, field in Settings.model_fields.items()
}


def env_name(field: str) -> str:
    """The environment variable that sets `field`."""
    return _FIELD_TO_ENV.get(field, field.upper())


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a validation error into one line per bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = str(err["loc"][0]) if err["loc"] else "?"
            name = env_name(loc) if loc in _FIELD_TO_ENV else loc.upper()
            msg = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{name}: {msg}")
        raise ConfigError("; ".join(lines)) from None
