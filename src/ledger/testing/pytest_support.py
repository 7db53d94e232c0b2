"""Use the contract suite from pytest: subclass `PluginContract`, set `spec`.

Example::

    from ledger.testing import ContractSpec, PluginContract, Recording

    class TestMyBank(PluginContract):
        spec = ContractSpec(
            plugin=MyBank,
            settings={"token": "anything"},
            recording=Recording.from_folder(HERE / "recordings"),
            future_cursor="2999-01-01",
            golden=HERE / "golden" / "my_bank.json",
        )

The main sync runs once per class; each check is its own test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import pytest

from ledger.testing.runner import ContractRun
from ledger.testing.spec import ContractFailure, ContractSpec


class PluginContract:
    """Base class: one test per contract check for `spec.plugin`."""

    spec: ClassVar[ContractSpec]

    @pytest.fixture(scope="class")
    @classmethod
    def contract(cls) -> Iterator[ContractRun]:
        run = ContractRun(cls.spec)
        yield run
        run.close()

    def _verify(self, contract: ContractRun, name: str) -> None:
        result = contract.result(name)
        if result.status == "failed":
            raise ContractFailure(name, result.message)

    def test_shape(self, contract: ContractRun) -> None:
        self._verify(contract, "shape")

    def test_settings(self, contract: ContractRun) -> None:
        self._verify(contract, "settings")

    def test_sync_succeeds(self, contract: ContractRun) -> None:
        self._verify(contract, "sync_succeeds")

    def test_rows_valid(self, contract: ContractRun) -> None:
        self._verify(contract, "rows_valid")

    def test_idempotent(self, contract: ContractRun) -> None:
        self._verify(contract, "idempotent")

    def test_overlap(self, contract: ContractRun) -> None:
        self._verify(contract, "overlap")

    def test_cursor(self, contract: ContractRun) -> None:
        self._verify(contract, "cursor")

    def test_golden(self, contract: ContractRun) -> None:
        self._verify(contract, "golden")

    def test_audit_complete(self, contract: ContractRun) -> None:
        self._verify(contract, "audit_complete")

    def test_upstream_faults(self, contract: ContractRun) -> None:
        self._verify(contract, "upstream_faults")

    def test_network_discipline(self, contract: ContractRun) -> None:
        self._verify(contract, "network_discipline")

    def test_secrets_hidden(self, contract: ContractRun) -> None:
        self._verify(contract, "secrets_hidden")

    def test_bounded_work(self, contract: ContractRun) -> None:
        self._verify(contract, "bounded_work")

    def test_disabled_refuses(self, contract: ContractRun) -> None:
        self._verify(contract, "disabled_refuses")
