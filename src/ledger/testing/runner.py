"""Run the contract checks on one plugin and report."""

from __future__ import annotations

from collections.abc import Iterable

from ledger.contracts.definition import find_problems
from ledger.testing.checks import CHECK_NAMES, CHECKS
from ledger.testing.harness import Harness
from ledger.testing.session import Session
from ledger.testing.spec import (
    CheckResult,
    ContractFailure,
    ContractReport,
    ContractSpec,
)

MIN_REASON = 10
STATIC = ("shape", "settings")


def check_opt_outs(spec: ContractSpec) -> None:
    """Refuse opt-outs of unknown checks or without a real written reason."""
    for name, reason in spec.opt_out.items():
        if name not in CHECK_NAMES:
            raise ValueError(
                f"opt_out names unknown check {name!r}; checks: {', '.join(CHECK_NAMES)}"
            )
        if name in ("shape", "audit_complete", "secrets_hidden", "disabled_refuses"):
            raise ValueError(f"check {name!r} cannot be opted out of")
        if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON:
            raise ValueError(f"opting out of {name!r} needs a written reason (a sentence)")


class ContractRun:
    """The checks of one plugin, computed lazily and each at most once."""

    def __init__(self, spec: ContractSpec) -> None:
        check_opt_outs(spec)
        self.spec = spec
        self.session = Session(spec)
        try:
            self.blocked = bool(find_problems(spec.plugin))
            self.session.built = Harness(spec)
        except Exception as exc:  # a plugin whose class or Settings cannot be built
            self.blocked = True
            self.session.build_error = f"{type(exc).__name__}: {exc}"
        self._results: dict[str, CheckResult] = {}

    def result(self, name: str) -> CheckResult:
        """Run check `name` (once) and return its result."""
        if name not in self._results:
            self._results[name] = self._run(name)
        return self._results[name]

    def report(self, only: Iterable[str] | None = None) -> ContractReport:
        """Every (or the named) check's result."""
        names = list(only) if only is not None else CHECK_NAMES
        label = getattr(self.spec.plugin, "__name__", repr(self.spec.plugin))
        return ContractReport(label, [self.result(n) for n in names])

    def close(self) -> None:
        if self.session.built is not None:
            self.session.built.close()

    def _run(self, name: str) -> CheckResult:
        reason = self.spec.opt_out.get(name)
        if reason:
            return CheckResult(name, "opted_out", reason.strip())
        if name != "shape" and self.result("shape").status == "failed":
            return CheckResult(name, "failed", "fix the shape check first")
        if name not in STATIC and self.blocked:
            return CheckResult(name, "failed", "fix the settings check first")
        check = next(c for c in CHECKS if c.name == name)
        try:
            check.run(self.session)
        except ContractFailure as failure:
            return CheckResult(
                name,
                "failed",
                str(failure.args[0]).split("\n  See ")[0].removeprefix(f"[{name}] "),
            )
        except Exception as exc:  # the plugin broke the check itself; say so, no traceback
            return CheckResult(
                name,
                "failed",
                f"the check could not run on this plugin ({type(exc).__name__}: {exc}); "
                "fix the plugin so its class, Settings and example settings can be built",
            )
        return CheckResult(name, "passed")


def run_contract(spec: ContractSpec) -> ContractReport:
    """Run every check on `spec.plugin`; the report says what passed and what to fix."""
    contract = ContractRun(spec)
    try:
        return contract.report()
    finally:
        contract.close()
