"""Example Tracker from Python: pull, pull again, a dry run, then the push."""

import secrets
import tempfile
from pathlib import Path

from example_tracker import ExampleTracker
from fake_tracker import FakeTracker

import ledger
from ledger import Registry

lg = ledger.open(Path(tempfile.mkdtemp()) / "ledger.db", registry=Registry([ExampleTracker]))
acme = lg.clients.add(name="Acme s.r.o.", currency="CZK", hourly_rate="1500")
lg.plugins.configure("example_tracker", token=secrets.token_urlsafe(16))  # a fake tracker
lg.plugins.enable("example_tracker")
tracker = FakeTracker()  # recorded answers, and a live invoice endpoint


def sync(dry_run: bool = False) -> None:
    seen = len(tracker.received)
    run = lg.sync("example_tracker", transport=tracker.transport, dry_run=dry_run)
    print(f"run {run.id}: {run.status}, created {run.created}, updated {run.updated}")
    for request in tracker.received[seen:]:
        print(f"  request: {request.method} {request.url}")
    for exchange in run.upstream:
        if exchange["would_send"]:
            print(f"  would send: {exchange['method']} {exchange['url']} {exchange['sent']}")


sync()  # the first sync: entries, their projects, Nordwind; Acme is linked by name
print([client.name for client in lg.clients.list()])
sync()  # nothing changed since the sync token

lg.invoices.issue(lg.invoices.draft(acme), issue_date="2026-01-20")
sync(dry_run=True)  # the POST is withheld and listed
sync()  # the invoice goes to the tracker, once
sync()  # and is not sent again
print(tracker.invoices["i-401"]["total"], tracker.invoices["i-401"]["client_id"])
