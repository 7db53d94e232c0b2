"""The key that signs the audit chain and its checkpoints: held beside, never in, the database.

It is derived (HMAC-SHA256 with a fixed label) from the ledger's secret key: the
``LEDGER_SECRET_KEY`` value, or the key file ``secret.key`` that also encrypts plugin
credentials (beside a SQLite database, or in ``LEDGER_DATA_DIR``). Someone who can
write the database but cannot read that key cannot forge an event or a checkpoint.
The key file is created (mode 0600, the same Fernet format) when the first keyed event
is written and none exists yet.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from sqlalchemy.engine import make_url

from ledger.config import Config
from ledger.errors import ConfigurationError
from ledger.locations import KEY_FILE_NAME

_LABEL = b"ledger audit chain v1"


def key_file_for(url: str) -> Path:
    """Where the secret key lives: beside a SQLite file, else in the data directory."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database or "").parent / KEY_FILE_NAME
    return Config().data_dir / KEY_FILE_NAME


class AuditKey:
    """The audit signing key, read (or created) on first use."""

    def __init__(self, key_file: Path, env_key: str | None = None) -> None:
        self.key_file = key_file
        self.env_key = env_key
        self._derived: bytes | None = None

    @classmethod
    def for_url(cls, url: str) -> AuditKey:
        """The key configured for the database at `url` (``LEDGER_SECRET_KEY`` or its file)."""
        return cls(key_file_for(url), Config().secret_key)

    def derived(self, *, create: bool) -> bytes:
        """The 32-byte HMAC key; with `create`, make the key file when there is none.

        Raises:
            ConfigurationError: no key is configured and `create` is false.
        """
        if self._derived is None:
            material = self._material(create)
            self._derived = hmac.new(material, _LABEL, hashlib.sha256).digest()
        return self._derived

    def _material(self, create: bool) -> bytes:
        return read_key(
            self.key_file,
            self.env_key,
            create=create,
            missing="the audit trail's signatures cannot be checked",
        )


def read_key(key_file: Path, env_key: str | None, *, create: bool, missing: str) -> bytes:
    """The secret key: ``LEDGER_SECRET_KEY``, else the key file, which `create` makes
    (a Fernet key, mode 0600) when there is none.

    Raises:
        ConfigurationError: no key and not `create` (the message says what `missing`
            keeps from working), or the file cannot be created.
    """
    if env_key:
        return env_key.encode()
    try:
        return key_file.read_bytes().strip()
    except (FileNotFoundError, NotADirectoryError):
        if not create:
            raise ConfigurationError(
                f"the secret key file {key_file} is missing, so {missing}; restore it "
                "from your backup or set LEDGER_SECRET_KEY"
            ) from None
    return _create_key_file(key_file)


def _create_key_file(key_file: Path) -> bytes:
    key = base64.urlsafe_b64encode(os.urandom(32))  # a Fernet key
    try:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        if key_file.is_file():  # another process made it first
            return key_file.read_bytes().strip()
        raise ConfigurationError(
            f"cannot create the secret key file {key_file}: {exc.strerror or exc}; "
            "make its folder writable or set LEDGER_SECRET_KEY"
        ) from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    return key


def sign(key: bytes, *parts: str) -> str:
    """HMAC-SHA256 of `parts` joined by the unit separator, as hex."""
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def same(left: str, right: str) -> bool:
    """Constant-time comparison of two hex digests."""
    return hmac.compare_digest(left.encode(), right.encode())
