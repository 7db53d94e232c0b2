"""Runtime configuration from ``LEDGER_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.locations import default_data_dir, default_database_url


class Config(BaseSettings):
    """Where ledger keeps its data. Every field has a working default."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Directory for the SQLite database, the secret key and backups.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db. "
        "Unset: SQLite file ledger.db in the data directory.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that encrypts plugin secrets (Fernet, urlsafe base64). "
        "Unset: a key file created in the data directory with mode 0600.",
    )

    lock_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="How long a write waits for another one (a long sync) before it is "
        "refused as busy, with nothing written.",
    )

    sync_lease_seconds: float = Field(
        default=60.0,
        ge=1,
        le=3600,
        description="How long a running sync holds its plugin without renewing its lease "
        "(it renews every third of this); a run whose lease expired is marked interrupted "
        "by the next process that looks.",
    )

    def resolved_database_url(self) -> str:
        """The configured URL, or the default SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return default_database_url(self.data_dir)
