"""Web settings from ``LEDGER_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CHECKOUT_SITE = Path(__file__).resolve().parents[3] / "site"
"""Where `make docs-build` writes the site in a checkout (src/ledger/web → the root)."""


class WebConfig(BaseSettings):
    """How the web UI is served."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public address of the web UI; absolute links (share links) are built "
        "from it, never from the request's Host header. https:// makes cookies Secure.",
    )
    session_idle_minutes: int = Field(
        default=60, ge=1, description="Log out after this idle time."
    )
    session_max_hours: int = Field(
        default=12, ge=1, description="Log out after this time at most."
    )
    login_attempts: int = Field(
        default=5, ge=1, description="Failed logins allowed per address and window."
    )
    login_window_minutes: int = Field(
        default=15, ge=1, description="Window of the login throttle."
    )
    login_slowdown_seconds: float = Field(
        default=2.0,
        ge=0,
        le=30,
        description="Wait before checking a password for an account with too many recent "
        "failures (from any address); the right password still logs in.",
    )
    portal_tarpit_seconds: float = Field(
        default=1.0,
        ge=0,
        le=30,
        description="Wait before answering a wrong portal link once an address has sent "
        "too many; valid links are always served at once.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For "
        "header names the client. Empty: the header is ignored.",
    )
    web_lock_timeout_seconds: float = Field(
        default=1.0,
        gt=0,
        le=600,
        description="How long a write from the web UI waits for another one (a long sync) "
        'before the page says "Busy, try again" with nothing written; short, so no '
        "request hangs. The CLI and notebooks wait LEDGER_LOCK_TIMEOUT_SECONDS.",
    )
    docs_dir: Path | None = Field(
        default=None,
        description="The built documentation site (what `make docs-build` writes to site/), "
        "served to anyone at /docs. Unset: site/ of the checkout ledger runs from, if built.",
    )
    demo_login: str = Field(
        default="",
        description="Shown on the login page of a demo database (`ledger serve --demo`).",
    )

    def docs_site(self) -> Path | None:
        """The documentation site to serve at /docs, None when none is built."""
        folder = self.docs_dir or CHECKOUT_SITE
        return folder if (folder / "index.html").is_file() else None

    @property
    def proxies(self) -> frozenset[str]:
        """The trusted proxy addresses."""
        return frozenset(part.strip() for part in self.trusted_proxies.split(",") if part.strip())

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")
