"""Stored plugin settings: plain values in clear, secret fields encrypted."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, SecretBytes, SecretStr
from sqlmodel import Session, select

from ledger.contracts.errors import BadConfiguration
from ledger.contracts.redaction import MASK
from ledger.core.validation import validated
from ledger.errors import ConfigurationError, InvalidInput
from ledger.platform.secret_box import SecretBox
from ledger.storage import tables


def secret_fields(model: type[BaseModel]) -> set[str]:
    """Names of the fields declared `SecretStr`/`SecretBytes` (optional or not)."""
    names = set()
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if annotation in (SecretStr, SecretBytes) or any(
            arg in (SecretStr, SecretBytes) for arg in getattr(annotation, "__args__", ())
        ):
            names.add(name)
    return names


def load_row(session: Session, plugin: str) -> tables.PluginSettings | None:
    """The stored row of `plugin`, if it was ever configured or enabled."""
    query = select(tables.PluginSettings).where(tables.PluginSettings.plugin == plugin)
    return session.exec(query).first()


def stored_values(row: tables.PluginSettings | None, box: SecretBox) -> dict[str, Any]:
    """Plain and decrypted secret values of a row."""
    if row is None:
        return {}
    return {**json.loads(row.values), **box.decrypt(row.secrets, row.plugin)}


def merge_and_validate(
    model: type[BaseModel], current: dict[str, Any], changes: dict[str, Any]
) -> BaseModel:
    """New settings: `changes` over `current`; a blank secret keeps the stored one.

    Raises:
        InvalidInput: naming each field that is wrong, or that the model does not have.
    """
    unknown = sorted(set(changes) - set(model.model_fields))
    if unknown:
        known = ", ".join(model.model_fields) or "none"
        errors = {name: f"there is no such setting; the settings are: {known}" for name in unknown}
        raise InvalidInput(unknown[0], errors[unknown[0]], errors)
    secrets = secret_fields(model)
    kept = {k: v for k, v in changes.items() if not (k in secrets and v in (None, ""))}
    return validated(model, {**current, **kept})


def split_for_storage(settings: BaseModel) -> tuple[dict[str, Any], dict[str, str]]:
    """(plain JSON values, secret clear texts) of validated settings."""
    secrets = secret_fields(type(settings))
    plain = settings.model_dump(mode="json", exclude=secrets)
    hidden = {}
    for name in secrets:
        value = getattr(settings, name)
        if value is not None:
            secret = value.get_secret_value()
            hidden[name] = secret.decode() if isinstance(secret, bytes) else secret
    return plain, hidden


def load_settings(
    model: type[BaseModel], row: tables.PluginSettings | None, box: SecretBox
) -> BaseModel:
    """The validated settings a run uses.

    Raises:
        BadConfiguration: the stored settings are missing or invalid; names the field.
        CredentialUnreadable: a stored secret cannot be decrypted.
    """
    try:
        return validated(model, stored_values(row, box))
    except InvalidInput as exc:
        plugin = row.plugin if row else "the plugin"
        raise BadConfiguration(
            f"{exc.message}; set it with `ledger plugins configure {plugin}`", field=exc.field
        ) from None


def redacted(
    model: type[BaseModel], row: tables.PluginSettings | None, box: SecretBox
) -> dict[str, Any]:
    """Settings for display: plain values, ``***`` for a secret that is set."""
    if row is None:
        return {}
    values: dict[str, Any] = json.loads(row.values)
    try:
        present = set(box.decrypt(row.secrets, row.plugin))
    except ConfigurationError:
        present = set()
        values["__problem__"] = "stored credentials are unreadable; re-enter them"
    for name in secret_fields(model):
        values[name] = MASK if name in present else None
    return values
