"""The notebook quick start from the README, exactly as written."""

from __future__ import annotations

from decimal import Decimal

from ledger.api import Ledger


def test_readme_quickstart(lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme s.r.o.", currency="CZK", hourly_rate="1500")
    web = lg.projects.add(client=acme, name="Web")
    lg.entries.add(project=web, date="2026-11-02", minutes=90, description="Review")
    lg.entries.add(project=web, date="2026-11-03", amount="2000", description="Hosting")
    inv = lg.invoices.draft(client=acme)
    inv = lg.invoices.issue(inv)
    assert inv.total == Decimal("4250.00")
    assert inv.number == "2026-0001"
    assert inv.variable_symbol == "20260001"
    lg.invoices.record_payment(inv, amount="4250", date="2026-11-20")
    assert lg.invoices.get(inv).payment_state == "paid"

    frame = lg.audit.to_frame()
    assert set(frame["source"]) == {"notebook"}
    assert {"clients", "projects", "work_entries", "invoices", "invoice_lines", "payments"} <= set(
        frame["entity"]
    )
    assert lg.audit.verify() == len(frame)
