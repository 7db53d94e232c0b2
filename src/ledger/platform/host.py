"""`PlatformLedger`: what the sync engine and ``lg.plugins`` need of the ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ledger.config import Config
from ledger.core.service import LedgerScope
from ledger.platform.progress import RunProgress
from ledger.platform.registry import Registry
from ledger.platform.secret_box import SecretBox
from ledger.storage.sources import Source

if TYPE_CHECKING:
    from ledger.core.audit_log import AuditLog
    from ledger.core.entries import Entries
    from ledger.core.exchange_rates import ExchangeRates
    from ledger.core.projects import Projects
    from ledger.core.transactions import Transactions
    from ledger.platform.service import Plugins


class PlatformLedger(LedgerScope, Protocol):
    """A `LedgerScope` with the plugin registry, secrets and run state (`ledger.Ledger`)."""

    @property
    def source(self) -> Source: ...
    @property
    def registry(self) -> Registry: ...
    @property
    def secret_box(self) -> SecretBox: ...
    @property
    def run_progress(self) -> RunProgress: ...
    @property
    def config(self) -> Config | None: ...
    @property
    def plugins(self) -> Plugins: ...
    @property
    def transactions(self) -> Transactions: ...
    @property
    def projects(self) -> Projects: ...
    @property
    def entries(self) -> Entries: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def exchange_rates(self) -> ExchangeRates: ...

    def with_source(self, source: Source | str, run_id: int | None = None) -> PlatformLedger: ...
