"""Run the step 1 plugin once, in a throwaway database."""

import tempfile
from pathlib import Path

from hello_plugin import ExampleBank

import ledger
from ledger import Registry

scratch = Path(tempfile.mkdtemp()) / "scratch.db"
lg = ledger.open(scratch, registry=Registry([ExampleBank]))
lg.plugins.enable("example_bank")

run = lg.sync("example_bank")
print(run.status, run.created, run.updated, run.unchanged)
print(run.log[0]["message"])
