"""Helpers for the plugin platform tests: recorded upstream, test plugins, snapshots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import SQLModel

import ledger
from ledger.api import Clock, Ledger
from ledger.contracts import Plugin, SyncContext, SyncResult
from ledger.contracts.http import HttpPolicy
from ledger.platform.registry import Registry
from ledger.storage import tables

FIO_FIXTURES = Path(__file__).parent / "fixtures" / "fio"

Snapshot = dict[str, dict[Any, dict[str, Any]]]


def fio_body(name: str) -> bytes:
    """A recorded Fio response body from ``tests/fixtures/fio``."""
    return (FIO_FIXTURES / name).read_bytes()


Reply = httpx.Response | BaseException | Callable[[httpx.Request], httpx.Response]


@dataclass
class Upstream:
    """A scripted upstream: answers requests in order (the last answer repeats).

    Each answer is a (status, body, headers) triple, an exception to raise, or a
    function of the request. Every request is kept in `requests`.
    """

    answers: list[tuple[int, bytes, dict[str, str]] | BaseException | Callable[..., Any]]
    requests: list[httpx.Request] = field(default_factory=list)

    @classmethod
    def of(cls, *answers: Any) -> Upstream:
        return cls(list(answers))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            result: httpx.Response = answer(request)
            return result
        status, body, headers = answer
        return httpx.Response(status, content=body, headers=headers, request=request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    @property
    def urls(self) -> list[str]:
        return [str(request.url) for request in self.requests]


def ok(body: bytes | str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    """A 200 answer."""
    return (200, body.encode() if isinstance(body, str) else body, headers)


def status(code: int, body: str = "", **headers: str) -> tuple[int, bytes, dict[str, str]]:
    """An answer with status `code`; header names use underscores (Retry_After)."""
    return (code, body.encode(), {k.replace("_", "-"): v for k, v in headers.items()})


@dataclass
class Sleeps:
    """A fake `sleep` for `HttpPolicy` that records how long it was asked to wait."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)

    def policy(self, **limits: Any) -> HttpPolicy:
        return HttpPolicy(sleep=self, **limits)


def make_plugin(
    sync: Callable[[SyncContext[Any]], Any],
    name: str = "scripted",
    version: str = "1.0.0",
    settings: type[Any] | None = None,
) -> type[Plugin[Any]]:
    """A plugin class whose `sync` calls `sync(ctx)`."""

    def method(self: Plugin[Any], ctx: SyncContext[Any]) -> Any:
        return sync(ctx)

    members: dict[str, Any] = {"name": name, "version": version, "sync": method}
    if settings is not None:
        members["Settings"] = settings
    members["__doc__"] = f"Test plugin {name}."
    return type(name.title().replace("_", ""), (Plugin,), members)


def row(external_id: str, amount: str = "100.00", **fields: Any) -> dict[str, Any]:
    """A transaction as a plugin upserts it."""
    return {
        "external_id": external_id,
        "booked_on": fields.pop("booked_on", dt.date(2026, 11, 20)),
        "amount": amount,
        "currency": fields.pop("currency", "CZK"),
        **fields,
    }


def upserting(
    rows: Callable[[], list[dict[str, Any]]] | list[dict[str, Any]], cursor: str | None = None
) -> Callable[[SyncContext[Any]], SyncResult]:
    """A sync function that upserts `rows` (or what `rows()` returns) and sets `cursor`."""

    def sync(ctx: SyncContext[Any]) -> SyncResult:
        result = ctx.ledger.transactions.upsert(rows() if callable(rows) else rows)
        if cursor is not None:
            ctx.cursor = cursor
        return result

    return sync


def open_with(url: str, clock: Clock, *plugins: type[Plugin[Any]], enable: bool = True) -> Ledger:
    """A ledger on `url` whose registry holds `plugins` (enabled unless told otherwise)."""
    lg = ledger.open(url, clock=clock, registry=Registry(plugins))
    if enable:
        for plugin in plugins:
            lg.plugins.enable(plugin.name)
    return lg


def domain_snapshot(lg: Ledger) -> Snapshot:
    """Every row of every audited table (domain data, plugin settings and cursors)."""
    result: Snapshot = {}
    with lg.database.engine.connect() as conn:
        for name in sorted(tables.AUDITED_TABLES):
            table = SQLModel.metadata.tables[name]
            rows = conn.execute(sa.select(table)).mappings()
            result[name] = {r["id"]: dict(r) for r in rows}
    return result


def count(lg: Ledger, table: str) -> int:
    """Rows in `table`."""
    with lg.database.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def raw_rows(lg: Ledger, table: str) -> list[sa.RowMapping]:
    """Every row of `table` as stored (no model, no decoding)."""
    with lg.database.engine.connect() as conn:
        return list(conn.execute(sa.text(f"SELECT * FROM {table}")).mappings())


def stored_text(lg: Ledger, *table_names: str) -> str:
    """Everything stored in `table_names`, as one string to search for leaks."""
    return "\n".join(repr(dict(r)) for name in table_names for r in raw_rows(lg, name))


def cursor_of(lg: Ledger, plugin: str) -> str | None:
    """The stored cursor of `plugin`."""
    with lg.database.engine.connect() as conn:
        value = conn.execute(
            sa.text("SELECT cursor FROM plugin_state WHERE plugin = :p"), {"p": plugin}
        ).scalar()
    return None if value is None else str(value)
