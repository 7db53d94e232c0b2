"""Where a plugin's secret goes when it is configured, and what comes back."""

import os
import tempfile
from pathlib import Path

from example_bank import ExampleBank

import ledger
from ledger import Registry

folder = Path(tempfile.mkdtemp())
lg = ledger.open(folder / "ledger.db", registry=Registry([ExampleBank]))

lg.plugins.configure(
    "example_bank", account_id="2001234567", token=os.environ["EXAMPLE_BANK_TOKEN"]
)
print(lg.plugins.settings("example_bank"))  # a stored secret is only ever shown as ***

lg.plugins.configure("example_bank", account_id="2009876543", token="")
print(lg.plugins.settings("example_bank"))  # a blank secret keeps the stored one

key = folder / "secret.key"  # created beside the database on first use
print(key.exists(), oct(key.stat().st_mode & 0o777))
