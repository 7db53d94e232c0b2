"""What the checks of one plugin share, and how a check is declared."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ledger.api import Ledger
from ledger.testing.harness import Capture, Harness
from ledger.testing.spec import ContractFailure, ContractSpec


@dataclass
class Session:
    """The spec, its harness (None when the plugin cannot be built) and the main sync."""

    spec: ContractSpec
    built: Harness | None = None
    build_error: str = ""
    main_ledger: Ledger | None = None
    main: Capture | None = None

    @property
    def harness(self) -> Harness:
        if self.built is None:
            raise RuntimeError(f"the plugin cannot be built: {self.build_error}")
        return self.built

    @property
    def name(self) -> str:
        return self.harness.spec.plugin.name

    def main_sync(self, check: str, *, need_success: bool = True) -> tuple[Ledger, Capture]:
        """The main sync (run once); fails `check` when it did not succeed."""
        if self.main is None:
            self.main_ledger = self.harness.fresh()
            self.main = self.harness.sync(self.main_ledger)
        assert self.main_ledger is not None
        if need_success and self.main.run.status != "succeeded":
            raise ContractFailure(check, "needs a successful sync first; see check sync_succeeds")
        return self.main_ledger, self.main


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    run: Callable[[Session], None]


def fail(check: str, message: str) -> ContractFailure:
    return ContractFailure(check, message)
