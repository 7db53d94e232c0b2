"""Payment matching from Python, on a throwaway demo database."""

import tempfile
from pathlib import Path

import ledger
import ledger.demo

lg = ledger.open(Path(tempfile.mkdtemp()) / "demo.db")
ledger.demo.load_demo(lg)

# The demo bank pays the open invoices the ways real clients do.
lg.plugins.enable("demo_bank")
run = lg.sync("demo_bank")
print(run.log[-1]["message"])  # matching ran after the sync

# What matched, and the evidence for it.
for invoice in lg.invoices.list(status="issued"):
    for payment in lg.invoices.payments(invoice):
        if payment.method == "match":
            print(invoice.number, payment.amount, payment.evidence)

# What was only suggested waits for you, best first.
queue = lg.matching.queue()
for suggestion in queue:
    targets = [a.invoice_number for a in suggestion.allocations]
    print(suggestion.id, suggestion.amount, suggestion.message, targets, suggestion.evidence)

# Accept the best suggestion: its invoice gets the payment.
best = queue[0]
lg.matching.accept(best.id)
print(lg.invoices.get(best.allocations[0].invoice_id).payment_state)

# Matching again is safe: it changes nothing that is already decided.
print(lg.match())
