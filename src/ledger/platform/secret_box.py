"""Encryption at rest for plugin secrets (Fernet: AES-128-CBC + HMAC-SHA256).

The key comes from ``LEDGER_SECRET_KEY`` or from a key file created on first use
with mode 0600: beside a SQLite database, or in ``LEDGER_DATA_DIR`` otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.errors import ConfigurationError
from ledger.storage.audit_key import read_key

if TYPE_CHECKING:
    from cryptography.fernet import Fernet


class CredentialUnreadable(ConfigurationError):
    """A stored secret cannot be decrypted (altered, or encrypted with another key)."""


class SecretBox:
    """Encrypts and decrypts a plugin's secret fields as one JSON document."""

    def __init__(self, key_file: Path, env_key: str | None = None) -> None:
        self.key_file = key_file
        self._env_key = env_key
        self._fernet: Fernet | None = None

    def key_available(self) -> bool:
        """Whether a key is configured or its file exists."""
        return bool(self._env_key) or self.key_file.exists()

    def encrypt(self, secrets: dict[str, str]) -> str:
        """Ciphertext of `secrets` (creates the key file on first use)."""
        if not secrets:
            return ""
        return self._cipher(create=True).encrypt(json.dumps(secrets).encode()).decode()

    def decrypt(self, token: str, plugin: str) -> dict[str, str]:
        """The secrets behind `token`; a clear error when they cannot be read."""
        if not token:
            return {}
        from cryptography.fernet import InvalidToken  # loads only when a secret is read

        try:
            data = json.loads(self._cipher(create=False).decrypt(token.encode()))
        except (InvalidToken, ValueError):
            raise CredentialUnreadable(
                f"the stored credentials of {plugin} are unreadable (altered, or encrypted "
                f"with another key); re-enter them with `ledger plugins configure {plugin}`"
            ) from None
        return {str(k): str(v) for k, v in data.items()}

    def _cipher(self, *, create: bool) -> Fernet:
        from cryptography.fernet import Fernet

        if self._fernet is None:
            self._fernet = Fernet(self._load_key(create))
        return self._fernet

    def _load_key(self, create: bool) -> bytes:
        from cryptography.fernet import Fernet

        if self._env_key:
            try:
                Fernet(self._env_key.encode())
            except ValueError:
                raise ConfigurationError(
                    "LEDGER_SECRET_KEY is not a valid key; create one with "
                    "`python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'`"
                ) from None
        return read_key(
            self.key_file,
            self._env_key,
            create=create,
            missing="stored plugin credentials cannot be read",
        )
