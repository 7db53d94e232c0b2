"""A plugin's settings form, generated from its pydantic `Settings` model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class FormField:
    """One input of a generated form."""

    name: str
    label: str
    help: str
    kind: str  # text, number, integer, date, checkbox, select, secret
    required: bool
    value: Any
    choices: tuple[str, ...] = ()


def settings_fields(model: type[BaseModel], stored: dict[str, Any]) -> list[FormField]:
    """The form of `model`; secrets are write-only, never shown back."""
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    fields = []
    for name, prop in schema.get("properties", {}).items():
        detail = _resolved(prop, schema)
        kind = _kind(detail)
        value = None if kind == "secret" else stored.get(name, detail.get("default"))
        fields.append(FormField(
            name=name,
            label=str(prop.get("title") or name),
            help=str(prop.get("description") or ""),
            kind=kind, required=name in required, value="" if value is None else value,
            choices=tuple(str(c) for c in detail.get("enum", ())),
        ))  # fmt: skip
    return fields


def _resolved(prop: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The property's own schema, looking through Optional (anyOf null) and $ref."""
    options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"] or [prop]
    option = options[0]
    if "$ref" in option:
        option = schema.get("$defs", {}).get(option["$ref"].rsplit("/", 1)[-1], option)
    return {**prop, **option}


def _kind(detail: dict[str, Any]) -> str:
    if detail.get("writeOnly") or detail.get("format") == "password":
        return "secret"
    if "enum" in detail:
        return "select"
    if detail.get("format") == "date":
        return "date"
    return {"boolean": "checkbox", "integer": "integer", "number": "number"}.get(
        str(detail.get("type")), "text"
    )


def submitted_values(fields: list[FormField], form: dict[str, str]) -> dict[str, Any]:
    """Form input for `Ledger.plugins.configure`: blank optional fields are unset."""
    values: dict[str, Any] = {}
    for field in fields:
        raw = form.get(field.name, "")
        if field.kind == "checkbox":
            values[field.name] = raw in ("on", "true", "1")
        elif raw != "" or field.kind == "secret":
            values[field.name] = raw
        elif not field.required:
            values[field.name] = None
    return values
