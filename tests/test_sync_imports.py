"""A sync imports httpx only for a plugin that reaches the network (tens of
milliseconds of every notebook's sync otherwise). It runs in a fresh process, as a
notebook does."""

from __future__ import annotations

import json
import subprocess
import sys

WATCHED = ("httpx",)

SYNC = """
import json, sys
import ledger
from ledger.contracts import Plugin, SyncResult
from ledger.platform.registry import Registry

class Statement(Plugin):
    name = "statement"
    version = "1.0.0"

    def sync(self, ctx):
        row = {"external_id": "1", "booked_on": "2026-01-05", "amount": "12.50",
               "currency": "CZK", "account": "2001234567/2010"}
        return ctx.ledger.transactions.upsert([row])

lg = ledger.open(sys.argv[1], registry=Registry([Statement]))
lg.plugins.enable("statement")
run = lg.sync("statement")
watched = [m for m in json.loads(sys.argv[2]) if m in sys.modules]
print(json.dumps([run.status, run.error_message, run.created, watched]))
"""


def last_line(*args: str) -> object:
    """What the fresh process `python -c ARGS` printed last, as JSON."""
    done = subprocess.run(
        [sys.executable, "-c", *args], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_a_sync_that_never_reaches_the_network_does_not_import_httpx(database_url: str) -> None:
    """A plugin that reads a statement file never touches ``ctx.http``."""
    outcome = last_line(SYNC, database_url, json.dumps(WATCHED))
    assert outcome == ["succeeded", None, 1, []]
