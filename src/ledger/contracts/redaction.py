"""Keeping secrets out of logs, errors, history and audit values."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from pydantic import BaseModel, SecretBytes, SecretStr

MASK = "***"


def secret_values(settings: BaseModel) -> list[str]:
    """The clear text of every `SecretStr`/`SecretBytes` field of `settings`."""
    values = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            values.append(value.get_secret_value())
        elif isinstance(value, SecretBytes):
            values.append(value.get_secret_value().decode(errors="replace"))
    return [v for v in values if v]


class Redactor:
    """Replaces known secret values (and their URL-encoded forms) with ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms = set()
        for secret in secrets:
            if len(secret) >= 4:  # shorter values would mask ordinary text
                forms.update({secret, quote(secret, safe=""), quote(secret)})
        self._forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, MASK)
        return text

    def __bool__(self) -> bool:
        return bool(self._forms)
