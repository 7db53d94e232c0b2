"""A pretend bank for the demo: no credentials, no network, same answer every time.

It pays the ledger's open invoices in the ways real clients do — exactly, in part,
too much, without a variable symbol, with a wrong one — and adds the monthly
expenses of a freelancer, so payment matching has something real to do.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ledger.contracts import InvoiceView, NoSettings, Plugin, SyncContext, SyncResult

ACCOUNTS = {"CZK": "2001234567/2010", "EUR": "2101234567/2010"}
EXPENSES = [
    (3, "-4900", "CZK", "Impact Hub Praha", "Coworking"),
    (8, "-2890", "CZK", "JetBrains s.r.o.", "IDE subscription"),
    (15, "-1490", "CZK", "WEDOS Internet, a.s.", "Hosting"),
    (20, "-19", "EUR", "GitHub, Inc.", "Copilot"),
]
MONTHS_OF_EXPENSES = 3
PAYMENT_DELAY_DAYS = 9


class DemoBank(Plugin[NoSettings]):
    """Demo bank with realistic payments for your open invoices (offline)."""

    name = "demo_bank"
    version = "1.0.0"

    def sync(self, ctx: SyncContext[NoSettings]) -> SyncResult:
        today = ctx.today()
        # An invoice is paid once: invoices the bank already paid keep their
        # transaction as it was, so a later sync restates nothing differently.
        # The n-th invoice paid pays in the n-th of five ways: exactly, in part,
        # too much, without a variable symbol, with a wrong one.
        already = {t.external_id for t in ctx.ledger.transactions.list(source=self.name)}
        unpaid = sorted(
            (
                invoice
                for invoice in ctx.ledger.invoices.list(status="issued")
                if invoice.payment_state in ("unpaid", "overdue", "partially_paid")
                and f"demo-{invoice.number}" not in already
            ),
            key=lambda invoice: invoice.id,
        )
        rows = [
            row
            for style, invoice in enumerate(unpaid)
            if (row := _payment(invoice, style % 5, today)) is not None
        ]
        rows += _expenses(today)
        ctx.log.info(f"demo bank statement: {len(rows)} transactions")
        ctx.cursor = today.isoformat()
        return ctx.ledger.transactions.upsert(rows)


def _payment(invoice: InvoiceView, style: int, today: dt.date) -> dict[str, Any] | None:
    if invoice.issue_date is None or not invoice.number or not invoice.variable_symbol:
        return None
    booked = min(today, invoice.issue_date + dt.timedelta(days=PAYMENT_DELAY_DAYS))
    amount, symbol, message = invoice.balance, invoice.variable_symbol, f"Invoice {invoice.number}"
    if style == 1:
        amount = (invoice.balance / 2).quantize(Decimal("0.01"))
        message = f"First instalment {invoice.number}"
    elif style == 2:
        amount = invoice.balance + Decimal(500 if invoice.currency == "CZK" else 20)
    elif style == 3:
        symbol, message = "", f"Payment for invoice {invoice.number}, thanks!"
    elif style == 4:
        symbol = symbol[:-1] + str((int(symbol[-1]) + 1) % 10)
    return {
        "external_id": f"demo-{invoice.number}",
        "booked_on": booked,
        "amount": amount,
        "currency": invoice.currency,
        "account": ACCOUNTS.get(invoice.currency, ""),
        "counterparty_name": invoice.client_name,
        "counterparty_account": "19-2000145399/0800" if invoice.currency == "CZK" else "",
        "variable_symbol": symbol,
        "message": message,
        "details": {"type": "incoming transfer"},
    }


def _expenses(today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for months_back in range(MONTHS_OF_EXPENSES):
        index = today.year * 12 + today.month - 1 - months_back
        year, month = divmod(index, 12)
        for day, amount, currency, payee, message in EXPENSES:
            booked = dt.date(year, month + 1, day)
            if booked > today:
                continue
            rows.append(
                {
                    "external_id": f"demo-exp-{booked.isoformat()}-{_slug(payee)}",
                    "booked_on": booked,
                    "amount": amount,
                    "currency": currency,
                    "account": ACCOUNTS[currency],
                    "counterparty_name": payee,
                    "message": message,
                    "details": {
                        "type": "card payment" if currency == "EUR" else "outgoing transfer"
                    },
                }
            )
    return rows


def _slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())[:12]
