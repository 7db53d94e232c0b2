"""Every registered plugin passes the shared contract suite."""

from __future__ import annotations

import pytest

from ledger.platform.registry import default_registry
from ledger.testing import PluginContract

from .specs import SPECS


def test_every_registered_plugin_has_a_contract_spec() -> None:
    assert set(default_registry.names()) == set(SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_spec_names_its_plugin(name: str) -> None:
    assert SPECS[name].plugin is default_registry.get(name)


class TestFioContract(PluginContract):
    spec = SPECS["fio"]


class TestDemoBankContract(PluginContract):
    spec = SPECS["demo_bank"]


class TestTogglContract(PluginContract):
    spec = SPECS["toggl"]
