"""``lg.plugins``: list, configure, enable and disable plugins; read sync history."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from ledger.core.models import AuditEntry, Records
from ledger.core.service import get_row
from ledger.core.sync_models import PluginInfo, SyncRun
from ledger.errors import ConfigurationError, InvalidInput
from ledger.platform.leases import recover_expired_runs
from ledger.platform.plugin_settings import (
    load_row,
    merge_and_validate,
    redacted,
    secret_fields,
    split_for_storage,
    stored_values,
)
from ledger.platform.progress import Progress, published_progress
from ledger.platform.secret_box import CredentialUnreadable
from ledger.storage import tables
from ledger.storage.tables import utcnow

if TYPE_CHECKING:
    from ledger.platform.host import PlatformLedger


class Plugins:
    """The registered plugins and their stored settings, state and runs."""

    def __init__(self, ledger: PlatformLedger) -> None:
        self._lg = ledger

    def progress(self, run_id: int) -> Progress | None:
        """What a running sync last reported, run by this process or another (None once
        it ended); another process's report is at most a second or two old."""
        runs = self._lg.run_progress
        if runs.is_running(run_id):
            return runs.of(run_id)
        return published_progress(self._lg.database, run_id)

    def list(self) -> Records[PluginInfo]:
        """Every registered plugin with its version, enabled and configured state."""
        with self._lg.reading() as session:
            rows = {row.plugin: row for row in session.exec(select(tables.PluginSettings))}
        infos = []
        for plugin in self._lg.registry:
            row = rows.get(plugin.name)
            needs = bool(plugin.Settings.model_fields)
            infos.append(
                PluginInfo(
                    name=plugin.name,
                    version=plugin.version,
                    description=(plugin.__doc__ or "").strip().splitlines()[0]
                    if plugin.__doc__
                    else "",
                    enabled=bool(row and row.enabled),
                    configured=not needs or self._configured(plugin.Settings, row),
                    needs_settings=needs,
                )
            )
        return Records(infos)

    def schema(self, name: str) -> dict[str, Any]:
        """The JSON schema of a plugin's settings (it drives the web form)."""
        return self._lg.registry.get(name).Settings.model_json_schema()

    def settings(self, name: str) -> dict[str, Any]:
        """Stored settings with every secret shown as ``***`` (or None when unset)."""
        plugin = self._lg.registry.get(name)
        with self._lg.reading() as session:
            return redacted(plugin.Settings, load_row(session, name), self._lg.secret_box)

    def configure(self, name: str, **values: Any) -> dict[str, Any]:
        """Validate and store settings; secrets are encrypted, blank secrets kept.

        Raises:
            InvalidInput: naming each field that is wrong; nothing is stored.
        """
        plugin = self._lg.registry.get(name)
        with self._lg.atomic() as uow:
            row = load_row(uow.session, name)
            try:
                current = stored_values(row, self._lg.secret_box)
            except CredentialUnreadable:
                # The old secrets are lost; the values given now must supply them again.
                current = json.loads(row.values) if row is not None else {}
            settings = merge_and_validate(plugin.Settings, current, values)
            plain, hidden = split_for_storage(settings)
            if row is None:
                row = tables.PluginSettings(plugin=name)
                uow.session.add(row)
            row.values = json.dumps(plain, sort_keys=True)
            row.secrets = self._lg.secret_box.encrypt(hidden)
            row.updated_at = utcnow()
            uow.session.flush()
        return self.settings(name)

    def enable(self, name: str) -> PluginInfo:
        """Allow the plugin to sync."""
        return self._set_enabled(name, True)

    def disable(self, name: str) -> PluginInfo:
        """Stop the plugin from syncing (its settings and data stay)."""
        return self._set_enabled(name, False)

    def history(self, name: str | None = None, *, limit: int = 50) -> Records[SyncRun]:
        """Recent runs, newest first, of one plugin or all."""
        if limit < 1:
            raise InvalidInput("limit", f"{limit} runs: give 1 or more")
        self._recover()
        query = select(tables.SyncRun).order_by(col(tables.SyncRun.id).desc()).limit(limit)
        if name is not None:
            query = query.where(tables.SyncRun.plugin == name)
        with self._lg.reading() as session:
            return Records(SyncRun.from_row(row) for row in session.exec(query))

    def run(self, run_id: int) -> SyncRun:
        """One run by id."""
        self._recover()
        with self._lg.reading() as session:
            return SyncRun.from_row(get_row(session, tables.SyncRun, run_id, "sync run"))

    def changes(self, run_id: int) -> Records[AuditEntry]:
        """The audit events a run caused (what changed, before and after)."""
        return self._lg.audit.list(run_id=run_id)

    def _recover(self) -> None:
        """Whoever looks at runs marks those whose lease expired (see `leases`)."""
        recover_expired_runs(self._lg.database, f"{self._lg.source.value} looking at the runs")

    def check_key(self) -> None:
        """Fail at start-up when stored secrets exist but their key does not."""
        if self._lg.secret_box.key_available():
            return
        with self._lg.reading() as session:
            query = select(tables.PluginSettings.plugin).where(tables.PluginSettings.secrets != "")
            with_secrets = list(session.exec(query))
        if with_secrets:
            raise ConfigurationError(
                f"the secret key file {self._lg.secret_box.key_file} is missing, so the stored "
                f"credentials of {', '.join(with_secrets)} cannot be read; restore the key "
                "from your backup or set LEDGER_SECRET_KEY"
            )

    def _set_enabled(self, name: str, enabled: bool) -> PluginInfo:
        self._lg.registry.get(name)
        with self._lg.atomic() as uow:
            row = load_row(uow.session, name)
            if row is None:
                row = tables.PluginSettings(plugin=name)
                uow.session.add(row)
            row.enabled = enabled
            row.updated_at = utcnow()
            uow.session.flush()
        return next(info for info in self.list() if info.name == name)

    def _configured(self, model: type[Any], row: tables.PluginSettings | None) -> bool:
        if row is None:
            return False
        present = set(json.loads(row.values)) | (secret_fields(model) if row.secrets else set())
        required = {n for n, info in model.model_fields.items() if info.is_required()}
        return required <= present
