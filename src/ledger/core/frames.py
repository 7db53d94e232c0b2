"""Records as pandas DataFrames: the one module that imports pandas.

Column types follow the model's fields, so a frame reads and plots the same whether
it has rows or not:

- money and other `Decimal` fields are ``float64`` (they plot and sum); the exact
  `Decimal` stays on the records themselves, and every money frame has a
  ``currency`` column;
- dates are ``datetime64[s]``, datetimes ``datetime64[us, UTC]``;
- optional integers (``invoice_id``) are pandas' nullable ``Int64``, not floats;
- names sit beside ids (``client_id``, ``client_name``), as the models carry them.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable, Collection, Sequence
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

import pandas as pd
from pydantic import BaseModel

_TEXT = pd.Series(["text"]).dtype
"""What pandas makes of a text column (``str`` from pandas 3, ``object`` before); an
empty or all-missing column gets it too, so a frame's types do not depend on its rows."""


def records_frame(
    items: Sequence[BaseModel], model: type[BaseModel] | None, exclude: Collection[str] = ()
) -> pd.DataFrame:
    """One row per item, one typed column per field of `model` (minus `exclude`)."""
    if model is None:  # an empty list of unknown type: nothing to name the columns by
        return pd.DataFrame()
    fields = {n: f.annotation for n, f in model.model_fields.items() if n not in exclude}
    rows = [item.model_dump(include=set(fields)) for item in items]
    frame = pd.DataFrame(rows, columns=list(fields))
    for name, annotation in fields.items():
        frame[name] = _typed(frame[name], annotation)
    return frame


def _money(column: pd.Series[Any]) -> pd.Series[Any]:
    return column.map(lambda v: None if v is None else float(v)).astype("float64")


def _datetimes(column: pd.Series[Any]) -> pd.Series[Any]:
    return pd.to_datetime(column, utc=True).astype("datetime64[us, UTC]")


def _dates(column: pd.Series[Any]) -> pd.Series[Any]:
    # Seconds, not pandas' nanoseconds: those end in 2262, a date field does not.
    return pd.to_datetime(column).astype("datetime64[s]")


_CONVERTERS: dict[Any, Callable[[pd.Series[Any]], pd.Series[Any]]] = {
    Decimal: _money,
    dt.datetime: _datetimes,
    dt.date: _dates,
}


def _typed(column: pd.Series[Any], annotation: Any) -> pd.Series[Any]:
    kind, optional = _kind(annotation)
    if kind is int:
        return column.astype("Int64" if optional else "int64")
    if kind is bool and not optional:
        return column.astype("bool")
    if kind is str:  # an all-None column would stay ``object`` under pandas 3
        return column.astype(_TEXT)
    convert = _CONVERTERS.get(kind)
    return column if convert is None else convert(column)


def _kind(annotation: Any) -> tuple[Any, bool]:
    """The type of a field without ``| None``, and whether it was optional."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else object), True
    return annotation, False
