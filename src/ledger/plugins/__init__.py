"""The bundled plugins and the registry.

Registration is explicit: the list below is every bundled plugin. Add your own
with `register(MyPlugin)` (a notebook, a test, or your own start-up code).
"""

from __future__ import annotations

from typing import Any, TypeVar

from ledger.contracts.plugin import Plugin
from ledger.plugins.demo_bank import DemoBank
from ledger.plugins.fio import Fio
from ledger.registry import Registry

BUNDLED: list[type[Plugin[Any]]] = [DemoBank, Fio]

default_registry = Registry(BUNDLED)
"""The registry `ledger.open()` uses unless given another."""

P = TypeVar("P", bound=type[Plugin[Any]])


def register(plugin: P) -> P:
    """Add `plugin` to the default registry (validated; errors name the fix)."""
    default_registry.add(plugin)
    return plugin


__all__ = ["BUNDLED", "DemoBank", "Fio", "Registry", "default_registry", "register"]
