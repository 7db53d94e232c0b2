"""``ledger plugin check path/to/plugin.py``: the contract suite from the shell."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from ledger.contracts.plugin import Plugin
from ledger.errors import InvalidInput


def load_plugin_classes(path: Path) -> list[type[Plugin[Any]]]:
    """Import the file at `path` and return the plugin classes it defines."""
    if not path.is_file():
        raise InvalidInput("path", f"{path} is not a file")
    module = _import(path)
    found = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, Plugin) and obj.__module__ == module.__name__
    ]
    if not found:
        raise InvalidInput("path", f"{path} defines no subclass of ledger.contracts.Plugin")
    return found


def _import(path: Path) -> ModuleType:
    name = f"ledger_checked_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InvalidInput("path", f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise InvalidInput(
            "path", f"importing {path} failed: {type(exc).__name__}: {exc}"
        ) from exc
    return module
