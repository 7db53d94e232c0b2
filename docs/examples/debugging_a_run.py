"""Find out why a run failed, from its history."""

import os
import tempfile
from pathlib import Path

from example_bank import ExampleBank

import ledger
from ledger import Registry
from ledger.testing import RecordedResponse, Recording

lg = ledger.open(Path(tempfile.mkdtemp()) / "ledger.db", registry=Registry([ExampleBank]))
lg.plugins.configure(
    "example_bank", account_id="2001234567", token=os.environ["EXAMPLE_BANK_TOKEN"]
)
lg.plugins.enable("example_bank")

# The bank renamed a field overnight: `booked_at` is now `booking_date`.
renamed = {
    "transactions": [
        {"id": "tx-1", "booking_date": "2026-01-05", "amount": 100, "currency": "CZK"}
    ],
    "sync_token": "st-1",
}
answer = RecordedResponse(r"/transactions\?", body=renamed)
lg.sync("example_bank", transport=Recording((answer,)).transport())

# The newest run first: what failed, and how.
run = lg.plugins.history("example_bank")[0]
print(run.id, run.status, run.error_kind)
print(run.error_message)
print(run.cursor_before, run.cursor_after)  # the cursor did not move

# What the plugin logged, and what the bank said.
for line in run.log:
    print(line["level"], line["message"])
for exchange in run.upstream:
    print(exchange["method"], exchange["url"], exchange["status"])
    print(exchange["body"][:60], "...")

# Nothing of a failed run is written.
print(len(lg.plugins.changes(run.id)), len(lg.transactions.list()))
