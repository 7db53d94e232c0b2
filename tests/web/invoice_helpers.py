"""What the invoice and money page tests share: row counts, htmx requests, errors."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.storage import tables

from .web_helpers import csrf

NBSP = "\xa0"
XSS = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def row_counts(lg: Ledger) -> dict[str, int]:
    """Rows of every audited table and of the audit trail: a refused form changes none."""
    names = sorted(set(sa.inspect(lg.database.engine).get_table_names()) & tables.AUDITED_TABLES)
    with lg.database.engine.connect() as conn:
        return {
            name: conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in [*names, "audit_events"]
        }


def hx(client: TestClient, path: str, data: dict[str, str] | None = None) -> Any:
    """What htmx sends: the CSRF header; a POST when there is data, else a GET."""
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf(client)}
    if data is None:
        return client.get(path, headers=headers)
    return client.post(path, data=data, headers=headers)


def errors(html: str) -> list[str]:
    """The field errors a page shows, in order."""
    return re.findall(r'<p class="error"[^>]*>([^<]*)</p>', html)


def text_of(html: str) -> str:
    """`html` without its tags (for reading sentences spread over elements)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
