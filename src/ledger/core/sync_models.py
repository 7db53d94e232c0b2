"""Public read models of the plugin platform: a sync run's history and a plugin's
status, as `lg.plugins` returns them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ledger.core.models import AuditEntry, PublicModel, html_rows
from ledger.storage import tables


class SyncRun(PublicModel):
    """One sync's history: what ran, how it ended, what it changed."""

    id: int
    plugin: str
    plugin_version: str
    trigger: str
    dry_run: bool
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    created: int
    updated: int
    unchanged: int
    warnings: list[str]
    error_kind: str | None
    error_message: str | None
    traceback: str | None
    log: list[dict[str, str]]
    upstream: list[dict[str, Any]]
    cursor_before: str | None
    cursor_after: str | None
    changes: list[dict[str, Any]]
    recovered_at: dt.datetime | None = None
    recovered_by: str | None = None

    def _repr_html_(self) -> str:
        parts = [super()._repr_html_()]
        if self.warnings:
            parts.append(html_rows("warnings", ("warning",), [(w,) for w in self.warnings]))
        if self.log:
            lines = [(line.get("level"), line.get("message")) for line in self.log]
            parts.append(html_rows("log", ("level", "message"), lines))
        if self.upstream:
            calls = [(e.get("method"), e.get("url"), e.get("status")) for e in self.upstream]
            parts.append(html_rows("upstream", ("method", "url", "status"), calls))
        return "".join(parts)

    def would_change(self) -> list[AuditEntry]:
        """A dry run's changes, shaped as the audit events they would have been
        (numbered 0: they were never written)."""
        return [
            AuditEntry(
                id=0, at=self.started_at, source=f"plugin:{self.plugin}", run_id=self.id,
                entity=c["entity"], entity_id=str(c["entity_id"]), action=c["action"],
                before=c.get("before"), after=c.get("after"),
            )
            for c in self.changes
        ]  # fmt: skip

    @property
    def duration(self) -> float | None:
        """Seconds from start to end."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @classmethod
    def from_row(cls, row: tables.SyncRun) -> SyncRun:
        assert row.id is not None
        data = row.model_dump(
            exclude={"warnings", "log", "upstream", "changes", "pid", "lease_expires_at"}
        )
        return cls(
            **data,
            warnings=json.loads(row.warnings),
            log=json.loads(row.log),
            upstream=json.loads(row.upstream),
            changes=json.loads(row.changes),
        )


class PluginInfo(PublicModel):
    """A registered plugin and its state in this ledger."""

    name: str
    version: str
    description: str
    enabled: bool
    configured: bool
    needs_settings: bool
