"""Records as pandas DataFrames: the one module that imports pandas.

Column types follow the model's fields, so a frame reads and plots the same whether
it has rows or not:

- money and other `Decimal` fields are ``float64`` (they plot and sum); the exact
  `Decimal` stays on the records themselves, and every money frame has a
  ``currency`` column;
- dates and datetimes are ``datetime64`` (datetimes in UTC);
- optional integers (``invoice_id``) are pandas' nullable ``Int64``, not floats;
- names sit beside ids (``client_id``, ``client_name``), as the models carry them.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any, Union, get_args, get_origin

import pandas as pd
from pydantic import BaseModel


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


def _typed(column: pd.Series[Any], annotation: Any) -> pd.Series[Any]:
    kind, optional = _kind(annotation)
    if kind is Decimal:
        return column.map(lambda v: None if v is None else float(v)).astype("float64")
    if kind is dt.datetime:
        return pd.to_datetime(column, utc=True)
    if kind is dt.date:
        return pd.to_datetime(column)
    if kind is int:
        return column.astype("Int64" if optional else "int64")
    if kind is bool and not optional:
        return column.astype("bool")
    return column


def _kind(annotation: Any) -> tuple[Any, bool]:
    """The type of a field without ``| None``, and whether it was optional."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else object), True
    return annotation, False
