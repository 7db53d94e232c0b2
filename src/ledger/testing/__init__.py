"""The shared contract test suite every plugin must pass.

From pytest, subclass `PluginContract` and set its `spec`; from the shell,
``ledger plugin check path/to/plugin.py``; from code, `run_contract(spec)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.testing.checks import CHECK_NAMES, CHECKS
from ledger.testing.recording import RecordedResponse, Recording, UnrecordedRequest
from ledger.testing.runner import ContractRun, run_contract
from ledger.testing.spec import (
    CheckResult,
    ContractFailure,
    ContractReport,
    ContractSpec,
    PushSpec,
)

if TYPE_CHECKING:
    from ledger.testing.pytest_support import PluginContract


def __getattr__(name: str) -> Any:
    """`PluginContract` imports pytest, so only code that uses it pays for pytest.

    ``ledger sync`` and ``ledger plugin check`` use this package on an installation
    without pytest (a development dependency).
    """
    if name == "PluginContract":
        from ledger.testing.pytest_support import PluginContract

        return PluginContract
    raise AttributeError(f"module 'ledger.testing' has no attribute {name!r}")


__all__ = [
    "CHECKS",
    "CHECK_NAMES",
    "CheckResult",
    "ContractFailure",
    "ContractReport",
    "ContractRun",
    "ContractSpec",
    "PluginContract",
    "PushSpec",
    "RecordedResponse",
    "Recording",
    "UnrecordedRequest",
    "run_contract",
]
