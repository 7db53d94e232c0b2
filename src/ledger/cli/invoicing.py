"""``ledger invoice draft|issue|pay|show``: from unbilled work to paid."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, open_cli_ledger
from ledger.cli.names import ClientArgument, InvoiceArgument, complete_project, find_invoice
from ledger.cli.output import JsonOption, money, print_json, print_table
from ledger.core.models import Invoice

DateOption = Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")]


@friendly_errors
def draft(
    client: ClientArgument,
    since: Annotated[str | None, typer.Option(help="First day of work, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Last day of work, YYYY-MM-DD.")] = None,
    project: Annotated[
        str | None,
        typer.Option(help="Only this project's work.", autocompletion=complete_project),
    ] = None,
    vat: Annotated[str | None, typer.Option(help="VAT rate in percent, e.g. 21.")] = None,
    notes: Annotated[str, typer.Option(help="Printed on the invoice.")] = "",
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Draft an invoice from a client's unbilled billable work."""
    lg = open_cli_ledger(database)
    owner = lg.clients.find(client)
    chosen = None if project is None else lg.projects.find(project, owner)
    invoice = lg.invoices.draft(
        owner, project=chosen, since=since, until=until, vat_rate=vat, notes=notes
    )
    _done(invoice, as_json, f"draft {invoice.id} for {invoice.client_name}")


@friendly_errors
def issue(
    invoice: InvoiceArgument,
    date: DateOption = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Issue a draft: it gets the next number of its series and a variable symbol."""
    lg = open_cli_ledger(database)
    issued = lg.invoices.issue(find_invoice(lg, invoice), issue_date=date)
    _done(issued, as_json, f"invoice {issued.number} issued, due {issued.due_date}")


@friendly_errors
def pay(
    invoice: InvoiceArgument,
    amount: Annotated[
        str | None, typer.Option(help="What was paid (default: the whole balance).")
    ] = None,
    date: DateOption = None,
    note: Annotated[str, typer.Option(help="Kept with the payment.")] = "",
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Record a payment received for an issued invoice."""
    lg = open_cli_ledger(database)
    found = find_invoice(lg, invoice)
    paid = found.balance if amount is None else amount  # the service parses and checks it
    payment = lg.invoices.record_payment(found, paid, date or lg.today(), note)
    after = lg.invoices.get(found.id)
    if as_json:
        print_json({"payment": payment, "invoice": after})
        return
    typer.echo(
        f"payment of {money(payment.amount, payment.currency)} recorded for "
        f"{after.number}; it is {after.payment_state}"
    )


@friendly_errors
def show(
    invoice: InvoiceArgument, as_json: JsonOption = False, database: DatabaseOption = None
) -> None:
    """Show an invoice: its lines, totals and payments."""
    lg = open_cli_ledger(database)
    found = find_invoice(lg, invoice)
    payments = lg.invoices.payments(found)
    if as_json:
        print_json({**found.model_dump(mode="json"), "payments": list(payments)})
        return
    title = found.number or f"draft {found.id}"
    kind = "credit note" if found.kind == "credit_note" else "invoice"
    typer.echo(f"{kind} {title} · {found.client_name} · {found.payment_state or found.status}")
    if found.corrects:
        typer.echo(f"corrects invoice {found.corrects}: {found.reason}")
    if found.credit_notes:
        typer.echo(f"corrected by credit notes {', '.join(found.credit_notes)}")
    typer.echo(f"issued {found.issue_date or '-'}  due {found.due_date or '-'}  "
               f"variable symbol {found.variable_symbol or '-'}")  # fmt: skip
    rows = [(line.description, line.quantity, line.unit, line.unit_price,
             "" if line.vat_rate is None else f"{line.vat_rate} %", line.amount)
            for line in found.lines]  # fmt: skip
    print_table(("DESCRIPTION", "QUANTITY", "UNIT", "PRICE", "VAT", "AMOUNT"), rows)
    typer.echo(f"{'subtotal':>10} {money(found.subtotal, found.currency)}")
    for rate in found.vat_summary:
        typer.echo(f"{'VAT':>10} {money(rate.vat, found.currency)} "
                   f"({rate.rate} % of {money(rate.base, found.currency)})")  # fmt: skip
    if found.vat_mode in VAT_NOTES:
        typer.echo(VAT_NOTES[found.vat_mode])
    _show_czk(found)
    for label, value in (
        ("total", found.total),
        ("paid", found.paid),
        ("credited", found.credited),
    ):
        if value or label == "total":
            typer.echo(f"{label:>10} {money(value, found.currency)}")
    for payment in payments:
        typer.echo(f"paid {money(payment.amount, payment.currency)} on {payment.paid_on}")


def _show_czk(invoice: Invoice) -> None:
    """The CZK amounts of a VAT payer's foreign-currency invoice, at its ČNB rate."""
    czk = invoice.czk
    if czk is None:
        return
    typer.echo(f"{'ČNB rate':>10} {czk.quantity} {czk.currency} = {czk.rate:.3f} CZK "
               f"(fixing of {czk.day})")  # fmt: skip
    for rate in czk.vat_summary:
        typer.echo(f"{'VAT CZK':>10} {money(rate.vat, 'CZK')} "
                   f"({rate.rate} % of {money(rate.base, 'CZK')})")  # fmt: skip
    if not czk.vat_summary:
        typer.echo(f"{'base CZK':>10} {money(czk.base, 'CZK')} (the client declares it)")


VAT_NOTES = {
    "reverse_charge": "       reverse charge: the client accounts for the VAT",
    "none": "       not a VAT payer: no VAT",
}


def _done(invoice: Invoice, as_json: bool, what: str) -> None:
    if as_json:
        print_json(invoice)
    else:
        typer.echo(f"{what}: total {money(invoice.total, invoice.currency)}")
