"""Turning user input into checked values, with errors that name the field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ledger.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: dict[str, Any]) -> M:
    """Validate `data` with `model`; raise `InvalidInput` listing every bad field."""
    refuse_nul(data)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        codes: dict[str, str] = {}
        for err in exc.errors():
            field = ".".join(str(part) for part in err["loc"]) or "input"
            errors.setdefault(field, err["msg"].removeprefix("Value error, "))
            codes.setdefault(field, err["type"])
        field, message = next(iter(errors.items()))
        error = InvalidInput(field, message, errors)
        error.codes = codes
        raise error from None


def require_text(value: object, field: str, max_length: int = 200) -> str:
    """A non-empty, stripped string no longer than `max_length`."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, "must not be empty")
    refuse_nul({field: value})
    if len(value.strip()) > max_length:
        raise InvalidInput(field, f"must be at most {max_length} characters")
    return value.strip()


def optional_text(value: object, field: str, max_length: int) -> str:
    """A stripped string (empty allowed) no longer than `max_length`, without NUL."""
    if not isinstance(value, str):
        raise InvalidInput(field, f"expected text, got {value!r}")
    refuse_nul({field: value})
    if len(value.strip()) > max_length:
        raise InvalidInput(field, f"must be at most {max_length} characters")
    return value.strip()


def refuse_nul(data: dict[str, Any]) -> None:
    """Refuse text holding a NUL character: PostgreSQL cannot store one in text."""
    for field, value in data.items():
        if isinstance(value, str) and "\x00" in value:
            raise InvalidInput(field, "contains a NUL character; remove it")
        if isinstance(value, dict):
            refuse_nul({f"{field}.{key}": inner for key, inner in value.items()})
