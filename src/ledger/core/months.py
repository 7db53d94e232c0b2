"""A date column's month as ``YYYY-MM`` in SQL, the same text on SQLite and PostgreSQL.

One expression, compiled per dialect, so a statement that groups by month is built
once rather than per database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class year_month(FunctionElement[str]):  # noqa: N801 (an SQL function, named like one)
    """``year_month(column)``: ``'2026-11'`` for a date in November 2026."""

    type = String()
    name = "year_month"
    inherit_cache = True


@compiles(year_month, "sqlite")
def _sqlite(element: year_month, compiler: Any, **kw: Any) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"


@compiles(year_month)
def _default(element: year_month, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"
