"""A plugin author's file, loaded for ``ledger plugin check`` and ``ledger sync``.

Loading is explicit (the path is named on the command line, nothing is discovered);
a file that cannot even be imported is one line that says what broke, never a
traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ledger.contracts.plugin import Plugin
from ledger.errors import InvalidInput
from ledger.platform.loader import load_plugin_classes
from ledger.testing.spec import CheckResult, ContractReport

PluginClass = type[Plugin[Any]]


class PluginFileError(Exception):
    """The file cannot be imported, or defines no plugin class."""


def is_plugin_file(target: str) -> bool:
    """Whether `target` names a file (``*.py`` or an existing file) rather than a plugin."""
    return target.endswith(".py") or Path(target).is_file()


def load_plugin_file(path: Path) -> list[PluginClass]:
    """The plugin classes the file at `path` defines.

    Raises:
        PluginFileError: the file is missing, does not import (an error on import or in
            a class body, even ``sys.exit``), or defines no plugin class.
    """
    try:
        return load_plugin_classes(path)
    except InvalidInput as exc:
        raise PluginFileError(
            f"{exc.message}; fix the file so that `python {path.name}` runs without error"
        ) from None
    except SystemExit as exc:
        raise PluginFileError(
            f"importing {path} called sys.exit({exc.code!r}); a plugin file must not exit"
        ) from None


def unloadable_report(path: Path, error: PluginFileError) -> ContractReport:
    """The report of a file that cannot be loaded: check ``shape`` fails, nothing else runs."""
    return ContractReport(path.name, [CheckResult("shape", "failed", str(error))])
