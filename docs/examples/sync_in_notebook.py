"""The tutorial's notebook cells: register, configure, sync from recordings, inspect."""

import os

from example_bank import ExampleBank

import ledger
from ledger import register
from ledger.testing import Recording

register(ExampleBank)
lg = ledger.open("tutorial-data/ledger.db")
lg.plugins.configure(
    "example_bank", account_id="2001234567", token=os.environ["EXAMPLE_BANK_TOKEN"]
)
lg.plugins.enable("example_bank")

# Example Bank is fictional: replay its recorded answers instead of the network.
replay = Recording.from_folder("recordings/example_bank/first_sync").transport()
run = lg.sync("example_bank", transport=replay)
print(run.status, run.created, run.updated, run.unchanged, run.cursor_after)

again = lg.sync("example_bank", transport=replay)
print(again.status, again.created, again.updated, again.unchanged, again.cursor_after)

for tx in lg.transactions.list(source="example_bank"):
    print(tx.booked_on, f"{tx.amount:>10} {tx.currency}", tx.counterparty_name)
