"""Bookkeeping tables: the audit trail and its checkpoints, backups, plugin settings,
state and sync runs, browser sessions and throttles. They record how ledger runs, not
business data; `ledger.storage.tables` re-exports them beside the business tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Text, text
from sqlmodel import Field, SQLModel

from ledger.storage.timestamps import utcnow


class WebSession(SQLModel, table=True):
    """A browser's web UI session; only the SHA-256 of its cookie token is stored.

    Security state, not business data: written outside the audit like sync runs.
    """

    __tablename__ = "web_sessions"
    token_hash: str = Field(max_length=64, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: dt.datetime
    last_seen_at: dt.datetime
    flash: str = Field(default="[]", sa_type=Text)


class ThrottleWindow(SQLModel, table=True):
    """Recent failures of one throttled key (an address, an account) in one scope
    (``login``, ``portal``): every worker and host counts the same attempts.

    Only the SHA-256 of the key is kept, so the table names no address or typed user
    name. Security state, not business data: written outside the audit like sessions.
    """

    __tablename__ = "throttle_windows"
    scope: str = Field(max_length=20, primary_key=True)
    key_hash: str = Field(max_length=64, primary_key=True)
    window_start: dt.datetime = Field(index=True)
    failures: int = 0


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime
    source: str = Field(max_length=60, index=True)
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=40)
    action: str = Field(max_length=6)
    before: str | None = Field(default=None, sa_type=Text)
    after: str | None = Field(default=None, sa_type=Text)
    run_id: int | None = Field(default=None, index=True)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditCheckpoint(SQLModel, table=True):
    """A signed statement of the audit chain's head at one moment.

    ``kind`` is ``checkpoint`` (``ledger audit checkpoint``) or ``unkeyed_until`` (the
    events a database had when its chain became keyed). Not audited: a record about the
    audit trail, signed with the audit key, and auditing it would move the head it names.
    """

    __tablename__ = "audit_checkpoints"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=14)
    event_id: int
    head_hash: str = Field(max_length=64)
    at: dt.datetime
    signature: str = Field(max_length=64)


class BackupRecord(SQLModel, table=True):
    """When `ledger backup` last wrote a copy, for `ledger doctor`. Not domain data."""

    __tablename__ = "backup_records"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime
    target: str = Field(sa_type=Text)


class PluginSettings(SQLModel, table=True):
    """A plugin's stored settings; secret fields are encrypted in `secrets`."""

    __tablename__ = "plugin_settings"
    id: int | None = Field(default=None, primary_key=True)
    plugin: str = Field(unique=True, max_length=40)
    enabled: bool = False
    values: str = Field(default="{}", sa_type=Text)
    secrets: str = Field(default="", sa_type=Text)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class PluginState(SQLModel, table=True):
    """A plugin's cursor for incremental sync, committed with the run's writes."""

    __tablename__ = "plugin_state"
    id: int | None = Field(default=None, primary_key=True)
    plugin: str = Field(unique=True, max_length=40)
    cursor: str | None = Field(default=None, sa_type=Text)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class SyncRun(SQLModel, table=True):
    """The history of one sync: who, when, what it changed and how it ended.

    Not a domain table: it is the record of the audited writes, not one of them.
    """

    __tablename__ = "sync_runs"
    __table_args__ = (
        Index(
            "ux_sync_runs_one_running",
            "plugin",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    plugin: str = Field(max_length=40, index=True)
    plugin_version: str = Field(max_length=40)
    trigger: str = Field(max_length=60)
    dry_run: bool = False
    status: str = Field(default="running", max_length=12)
    started_at: dt.datetime = Field(default_factory=utcnow)
    finished_at: dt.datetime | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: str = Field(default="[]", sa_type=Text)
    error_kind: str | None = Field(default=None, max_length=20)
    error_message: str | None = Field(default=None, sa_type=Text)
    traceback: str | None = Field(default=None, sa_type=Text)
    log: str = Field(default="[]", sa_type=Text)
    upstream: str = Field(default="[]", sa_type=Text)
    cursor_before: str | None = Field(default=None, sa_type=Text)
    cursor_after: str | None = Field(default=None, sa_type=Text)
    changes: str = Field(default="[]", sa_type=Text)
    pid: int | None = None
    lease_expires_at: dt.datetime | None = None
    recovered_at: dt.datetime | None = None
    recovered_by: str | None = Field(default=None, max_length=60)
    # The latest progress while it runs, published for the workers that do not run it.
    progress_done: int | None = Field(default=None, sa_type=BigInteger)
    progress_total: int | None = Field(default=None, sa_type=BigInteger)
    progress_message: str | None = Field(default=None, max_length=200)
