"""The shared contract test suite every plugin must pass.

From pytest, subclass `PluginContract` and set its `spec`; from the shell,
``ledger plugin check path/to/plugin.py``; from code, `run_contract(spec)`.
"""

from __future__ import annotations

from ledger.testing.checks import CHECK_NAMES, CHECKS
from ledger.testing.pytest_support import PluginContract
from ledger.testing.recording import RecordedResponse, Recording, UnrecordedRequest
from ledger.testing.runner import ContractRun, run_contract
from ledger.testing.spec import (
    CheckResult,
    ContractFailure,
    ContractReport,
    ContractSpec,
    PushSpec,
)

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
