"""The bundled plugins.

Registration is explicit: the list below is every bundled plugin, and the
platform's default registry is built from it. Add your own with
``ledger.register(MyPlugin)`` (a notebook, a test, or your own start-up code).
Each plugin here imports only :mod:`ledger.contracts`.
"""

from __future__ import annotations

from typing import Any

from ledger.contracts import Plugin
from ledger.plugins.cnb import Cnb
from ledger.plugins.demo_bank import DemoBank
from ledger.plugins.fio import Fio
from ledger.plugins.toggl import Toggl

BUNDLED: list[type[Plugin[Any]]] = [Cnb, DemoBank, Fio, Toggl]

__all__ = ["BUNDLED", "Cnb", "DemoBank", "Fio", "Toggl"]
