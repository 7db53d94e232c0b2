"""A sync from the API imports httpx without httpx's command-line client (click,
rich, pygments): tens of milliseconds of every notebook's sync for a command
ledger never runs. Runs in a fresh process, as a notebook does."""

from __future__ import annotations

import json
import subprocess
import sys

from ledger.api import Ledger
from ledger.demo import load_demo

WATCHED = ("httpx", "click", "rich", "pygments")

SYNC = """
import json, sys
import ledger
lg = ledger.open(sys.argv[1])
run = lg.sync("demo_bank")
print(json.dumps([run.status, [m for m in json.loads(sys.argv[2]) if m in sys.modules]]))
"""


def test_a_sync_imports_httpx_without_its_command_line(lg: Ledger, database_url: str) -> None:
    load_demo(lg)
    lg.plugins.enable("demo_bank")
    lg.close()
    done = subprocess.run(
        [sys.executable, "-c", SYNC, database_url, json.dumps(WATCHED)],
        capture_output=True,
        text=True,
        check=True,
    )
    status, loaded = json.loads(done.stdout.splitlines()[-1])
    assert status == "succeeded"
    assert loaded == ["httpx"]


def test_httpx_keeps_its_command_line_module_importable() -> None:
    """Only the first import skips the command's module; asking for it still works."""
    done = subprocess.run(
        [sys.executable, "-c", "import ledger.contracts.httpx_import, httpx._main, rich"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
