"""How commands print: aligned text for people, ``--json`` for scripts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from pydantic import BaseModel

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON for scripts (money as exact strings).")
]


def print_json(data: BaseModel | Sequence[BaseModel] | dict[str, Any]) -> None:
    """`data` as indented JSON on standard output; money stays exact (``"1500.00"``)."""
    typer.echo(json.dumps(_jsonable(data), indent=2, ensure_ascii=False))


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {key: _jsonable(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def print_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Left-aligned columns as wide as their longest value; "(none)" for no rows."""
    if not rows:
        typer.echo("(none)")
        return
    cells = [[_text(v) for v in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def _text(value: object) -> str:
    return "" if value is None else str(value)


def money(amount: object, currency: str) -> str:
    """``1500.00 CZK``, or empty for no amount."""
    return "" if amount is None else f"{amount} {currency}"
