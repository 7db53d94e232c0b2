"""The public surface of the `ledger` package."""

from __future__ import annotations

import importlib.metadata
import inspect
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import ledger
import ledger.contracts
from ledger.api import Ledger, open_ledger
from ledger.errors import LedgerError


def test_all_is_sorted_and_unique() -> None:
    assert ledger.__all__ == sorted(set(ledger.__all__))


# Both packages load their names on first use: the app's (`import ledger`) and the
# plugin contract's (`import ledger.contracts`).
LAZY_PACKAGES = (ledger, ledger.contracts)
EXPORTED = [(package, name) for package in LAZY_PACKAGES for name in package.__all__]


@pytest.mark.parametrize(
    ("package", "name"), EXPORTED, ids=[f"{p.__name__}.{n}" for p, n in EXPORTED]
)
def test_every_exported_name_is_importable(package: ModuleType, name: str) -> None:
    value = getattr(package, name)
    assert value is not None
    assert name in dir(package)
    namespace: dict[str, object] = {}
    exec(f"from {package.__name__} import {name}", namespace)
    assert namespace[name] is value


@pytest.mark.parametrize("package", LAZY_PACKAGES, ids=lambda p: p.__name__)
def test_star_import_gives_exactly_all(package: ModuleType) -> None:
    namespace: dict[str, object] = {}
    exec(f"from {package.__name__} import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(package.__all__)


def test_reading_amounts_of_the_contract_loads_no_pydantic() -> None:
    code = "import sys, ledger.contracts.currencies; print('pydantic' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "False"


def test_everything_ledger_defines_at_the_top_level_is_exported() -> None:
    for name in ledger.__all__:
        getattr(ledger, name)  # load the lazy ones
    defined_here = {
        name
        for name, value in vars(ledger).items()
        if not name.startswith("_")
        and not inspect.ismodule(value)
        and getattr(value, "__module__", "").startswith("ledger")
    }
    assert defined_here == set(ledger.__all__)


def test_the_main_entry_points() -> None:
    assert ledger.open is open_ledger
    assert ledger.Ledger is Ledger
    assert ledger.__version__ == importlib.metadata.version("ledger")
    errors = [getattr(ledger, n) for n in ledger.__all__ if n.endswith(("Error", "Input"))]
    assert errors
    assert all(issubclass(e, LedgerError) for e in errors)
    assert issubclass(ledger.AlreadyRunning, ledger.Conflict)


def test_the_package_is_typed() -> None:
    assert (Path(ledger.__file__).parent / "py.typed").exists()


def test_pandas_and_weasyprint_load_only_when_used(tmp_path: Path) -> None:
    code = (
        "import sys, ledger; "
        "lg = ledger.open(sys.argv[1]); "
        "lg.clients.add(name='Acme', currency='CZK'); "
        "lg.audit.list(); "
        "print(sorted(m for m in ('pandas', 'weasyprint') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "ledger.db")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_alembic_loads_only_when_the_schema_needs_migrating(tmp_path: Path) -> None:
    path = str(tmp_path / "ledger.db")
    code = "import sys, ledger; ledger.open(sys.argv[1]).close(); print('alembic' in sys.modules)"
    runs = [
        subprocess.run(
            [sys.executable, "-c", code, path], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs == ["True", "False"]  # the first open migrates a new file; the second need not
