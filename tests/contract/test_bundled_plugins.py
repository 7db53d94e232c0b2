"""Every registered plugin passes the shared contract suite."""

from __future__ import annotations

from pathlib import Path

import pytest

import ledger.plugins
from ledger.platform.registry import default_registry
from ledger.testing import PluginContract

from .specs import SPECS


def test_every_registered_plugin_has_a_contract_spec() -> None:
    assert set(default_registry.names()) == set(SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_spec_names_its_plugin(name: str) -> None:
    assert SPECS[name].plugin is default_registry.get(name)


class TestCnbContract(PluginContract):
    spec = SPECS["cnb"]


class TestFioContract(PluginContract):
    spec = SPECS["fio"]


class TestDemoBankContract(PluginContract):
    spec = SPECS["demo_bank"]


class TestTogglContract(PluginContract):
    spec = SPECS["toggl"]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_bundled_recordings_and_golden_files_ship_inside_the_package(name: str) -> None:
    package = Path(ledger.plugins.__file__).parent
    spec = SPECS[name]

    assert spec.golden is not None
    assert spec.golden.is_relative_to(package / "specs" / name)
    assert spec.golden.is_file()
    if name in ("cnb", "fio"):
        assert spec.recording.responses
        assert spec.overlap is not None
    assert (package / "specs" / name).is_dir()
