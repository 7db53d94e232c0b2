"""``ledger invoice credit|cancel|delete``: correcting an issued invoice, dropping a draft."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, open_cli_ledger
from ledger.cli.names import InvoiceArgument, find_invoice
from ledger.cli.output import JsonOption, money, print_json

ReasonOption = Annotated[
    str | None, typer.Option(help="Why the invoice is corrected; printed on the credit note.")
]
DateOption = Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")]


@friendly_errors
def credit(
    invoice: InvoiceArgument,
    reason: Annotated[
        str, typer.Option(help="Why the invoice is corrected; printed on the credit note.")
    ],
    line: Annotated[
        list[int] | None,
        typer.Option(help="A line id to credit (repeat it); default: every line not credited."),
    ] = None,
    date: DateOption = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Issue a credit note (opravný daňový doklad) for an issued invoice."""
    lg = open_cli_ledger(database)
    note = lg.invoices.credit(
        find_invoice(lg, invoice), reason=reason, lines=line or None, issue_date=date
    )
    if as_json:
        print_json(note)
        return
    typer.echo(
        f"credit note {note.number} issued for {note.corrects}: "
        f"total {money(note.total, note.currency)}"
    )


@friendly_errors
def cancel(
    invoice: InvoiceArgument,
    reason: ReasonOption = None,
    date: DateOption = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Cancel an invoice: an issued one by a credit note for all of it; its work becomes
    unbilled again."""
    lg = open_cli_ledger(database)
    cancelled = lg.invoices.cancel(find_invoice(lg, invoice), reason=reason, issue_date=date)
    if as_json:
        print_json(cancelled)
    elif cancelled.credit_notes:
        typer.echo(
            f"invoice {cancelled.number} cancelled by credit note {cancelled.credit_notes[-1]}"
        )
    else:
        typer.echo(f"draft {cancelled.id} cancelled")


@friendly_errors
def delete(invoice: InvoiceArgument, database: DatabaseOption = None) -> None:
    """Delete a draft invoice; its work becomes unbilled again."""
    lg = open_cli_ledger(database)
    found = find_invoice(lg, invoice)
    lg.invoices.delete(found)
    typer.echo(f"draft {found.id} deleted")
