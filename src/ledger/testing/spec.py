"""What a plugin author gives the contract suite, and what it gives back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ledger.testing.recording import Recording

if TYPE_CHECKING:
    from ledger.api import Ledger
    from ledger.platform.registry import PluginClass

DOCS_PAGE = "docs/contract/{check}.md"
"""Where each check's page lives in the documentation site's sources."""


@dataclass(frozen=True)
class PushSpec:
    """How the suite exercises a plugin's push (check ``push``).

    Attributes:
        upstream: answers the plugin's changing requests (POST, PUT, PATCH,
            DELETE) as upstream would; its reads still come from the recording.
        prepare: after a first sync, makes ledger data the plugin should push
            (e.g. issues an invoice for imported entries).
    """

    upstream: Callable[[httpx.Request], httpx.Response]
    prepare: Callable[[Ledger], None]


@dataclass
class ContractSpec:
    """One plugin under test.

    Attributes:
        plugin: the plugin class.
        settings: example settings; every secret field is replaced by a canary
            value the suite then looks for everywhere it must not appear.
        recording: the recorded upstream responses of one sync.
        overlap: two recordings of overlapping windows (check ``overlap``).
        future_cursor: a cursor past any data (check ``cursor``).
        golden: file with the expected normalised writes (check ``golden``);
            regenerate with ``LEDGER_UPDATE_GOLDEN=1``.
        prepare: fills the throwaway ledger before each sync (clients, invoices...).
        opt_out: check name → the written reason it does not apply.
        push: how to check what the plugin sends upstream (check ``push``).
        secret_in_url: why the API takes a secret in the request URL (Fio puts its
            token in the path); without it a secret in a URL fails ``secrets_hidden``.
        time_limit: seconds a sync may take.
        max_requests: requests a sync may make.
    """

    plugin: PluginClass
    settings: dict[str, Any] = field(default_factory=dict)
    recording: Recording = field(default_factory=Recording)
    overlap: tuple[Recording, Recording] | None = None
    future_cursor: str | None = None
    golden: Path | None = None
    prepare: Callable[[Ledger], None] | None = None
    opt_out: dict[str, str] = field(default_factory=dict)
    push: PushSpec | None = None
    secret_in_url: str | None = None
    time_limit: float = 30.0
    max_requests: int = 100


@dataclass(frozen=True)
class CheckResult:
    """How one check went: ``passed``, ``failed`` or ``opted_out`` (with the reason)."""

    check: str
    status: str
    message: str = ""

    @property
    def docs(self) -> str:
        return DOCS_PAGE.format(check=self.check)


class ContractFailure(AssertionError):
    """A check failed; the message says what to fix and where the check is explained."""

    def __init__(self, check: str, message: str) -> None:
        self.check = check
        super().__init__(f"[{check}] {message}\n  See {DOCS_PAGE.format(check=check)}")


@dataclass
class ContractReport:
    """Every check's result for one plugin."""

    plugin: str
    results: list[CheckResult]

    @property
    def passed(self) -> bool:
        return all(result.status != "failed" for result in self.results)

    def result(self, check: str) -> CheckResult:
        return next(result for result in self.results if result.check == check)

    def render(self) -> str:
        """A readable report, one line per check, then the failures in full."""
        marks = {"passed": "ok  ", "failed": "FAIL", "opted_out": "skip"}
        lines = [f"contract report for {self.plugin}"]
        for result in self.results:
            note = f"  ({result.message})" if result.status == "opted_out" else ""
            lines.append(f"  {marks[result.status]} {result.check}{note}")
        for result in self.results:
            if result.status == "failed":
                lines.append(f"\n[{result.check}] {result.message}\n  See {result.docs}")
        passed = sum(r.status == "passed" for r in self.results)
        failed = sum(r.status == "failed" for r in self.results)
        lines.append(f"\n{passed} passed, {failed} failed")
        return "\n".join(lines)
