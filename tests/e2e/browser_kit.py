"""What the browser tests share: the live server's shape, Chromium, screenshots."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from ledger.api import Ledger

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = Path(os.environ.get("LEDGER_SCREENSHOTS", "build/screenshots"))


@dataclass
class LiveServer:
    url: str
    ledger: Ledger


def chromium_path() -> str:
    path = os.environ.get("LEDGER_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Chromium is missing: install Debian's `chromium` (CI does, in .ci/run)")
    return path
