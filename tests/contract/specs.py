"""The contract spec of every bundled plugin: the ones shipped in `ledger.testing.bundled`."""

from __future__ import annotations

from ledger.testing.bundled import BUNDLED_SPECS
from ledger.testing.spec import ContractSpec

SPECS: dict[str, ContractSpec] = {name: build() for name, build in BUNDLED_SPECS.items()}
