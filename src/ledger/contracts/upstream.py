"""Helpers for reading what an upstream sends, failing as `BadUpstreamData`."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from ledger.contracts.errors import BadUpstreamData

if TYPE_CHECKING:
    import httpx

M = TypeVar("M", bound=BaseModel)


def json_body(response: httpx.Response) -> Any:
    """The response's JSON with numbers as exact `Decimal`s.

    Raises:
        BadUpstreamData: the body is not valid JSON (e.g. cut off mid-way).
    """
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError as exc:
        raise BadUpstreamData(f"the response is not valid JSON ({exc})", field="body") from None


def parse_upstream(model: type[M], data: Any, where: str = "") -> M:
    """Validate upstream `data` with a pydantic `model`.

    Raises:
        BadUpstreamData: naming the first wrong or missing field, prefixed by `where`.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = ".".join(str(part) for part in error["loc"])
        field = ".".join(part for part in (where, path) if part) or "body"
        raise BadUpstreamData(error["msg"], field=field) from None
