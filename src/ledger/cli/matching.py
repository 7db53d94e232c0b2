"""``ledger match``, ``ledger review``, ``ledger unmatch`` and ``ledger invoices``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, open_cli_ledger
from ledger.cli.output import JsonOption, print_json
from ledger.core.matching.service import Suggestion

review_app = typer.Typer(help="The review queue: suggested matches waiting for you.")


@friendly_errors
def match(database: DatabaseOption = None) -> None:
    """Match incoming payments to issued invoices and show what happened and why."""
    lg = open_cli_ledger(database)
    report = lg.match()
    numbers = {invoice.id: invoice.number for invoice in lg.invoices.list()}
    typer.echo(f"{report.matched} matched, {report.suggested} new suggestions")
    for decision in report.decisions:
        invoices = ", ".join(str(numbers.get(i)) for i in decision["invoices"])
        why = _why(decision["evidence"])
        typer.echo(f"  transaction {decision['transaction_id']} → {invoices}  ({why})")
    _print_queue(lg.matching.queue())


@review_app.callback(invoke_without_command=True)
@friendly_errors
def review(ctx: typer.Context, database: DatabaseOption = None) -> None:
    """List open suggestions, best first."""
    if ctx.invoked_subcommand is None:
        _print_queue(open_cli_ledger(database).matching.queue())


@review_app.command("accept")
@friendly_errors
def review_accept(suggestion: int, database: DatabaseOption = None) -> None:
    """Apply a suggestion as a match."""
    open_cli_ledger(database).matching.accept(suggestion)
    typer.echo(f"suggestion {suggestion} accepted")


@review_app.command("reject")
@friendly_errors
def review_reject(suggestion: int, database: DatabaseOption = None) -> None:
    """Dismiss a suggestion."""
    open_cli_ledger(database).matching.reject(suggestion)
    typer.echo(f"suggestion {suggestion} rejected")


@friendly_errors
def unmatch(
    transaction: Annotated[int, typer.Argument(help="Transaction id.")],
    database: DatabaseOption = None,
) -> None:
    """Undo a transaction's matches; automatic matching leaves it alone afterwards."""
    removed = open_cli_ledger(database).matching.unmatch(transaction)
    typer.echo(f"removed {removed} payment(s) of transaction {transaction}")


@friendly_errors
def match_manual(
    transaction: Annotated[int, typer.Argument(help="Transaction id.")],
    invoice: Annotated[str, typer.Argument(help="Invoice number, e.g. 2026-0001.")],
    amount: Annotated[
        str | None,
        typer.Option(
            help="Part of the payment to apply, written 1500.50 (no thousands separator)."
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Match a transaction to an invoice by hand."""
    lg = open_cli_ledger(database)
    lg.matching.match(transaction, lg.invoices.get(invoice).id, amount)
    typer.echo(f"transaction {transaction} matched to {invoice}")


@friendly_errors
def invoices(
    status: Annotated[
        str | None, typer.Option(help="draft, issued or cancelled; anything else is refused.")
    ] = None,
    client: Annotated[str | None, typer.Option(help="Only this client's (name or id).")] = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """List invoices with totals, what is paid, and the payment state."""
    lg = open_cli_ledger(database)
    found = lg.invoices.list(status=status, client=client)
    if as_json:
        print_json(found)
        return
    typer.echo(f"{'NUMBER':<11} {'CLIENT':<22} {'TOTAL':>14} {'PAID':>14}  STATE")
    for invoice in found:
        number = invoice.number or f"draft {invoice.id}"
        state = invoice.payment_state or invoice.status
        total = f"{invoice.total} {invoice.currency}"
        typer.echo(
            f"{number:<11} {invoice.client_name[:22]:<22} {total:>14} {invoice.paid:>14}  {state}"
        )
        for payment in lg.invoices.payments(invoice.id):
            why = _why(payment.evidence) if payment.evidence else payment.method
            typer.echo(f"{'':<11} paid {payment.amount} on {payment.paid_on} ({why})")


def _print_queue(queue: list[Suggestion]) -> None:
    if not queue:
        typer.echo("review queue is empty")
        return
    typer.echo("review queue (accept with `ledger review accept ID`):")
    for item in queue:
        targets = ", ".join(f"{a.invoice_number} {a.amount}" for a in item.allocations)
        typer.echo(
            f"  #{item.id} {item.booked_on} {item.amount} {item.currency} from "
            f"{item.counterparty_name or '?'} '{item.message}' → {targets}"
            f"  ({_why(item.evidence)})"
        )


def _why(evidence: dict[str, Any]) -> str:
    parts = ["matched by hand"] if evidence.get("manual") else []
    for key, value in sorted(evidence.items()):
        if key == "manual":
            continue
        if value is True:
            parts.append(f"{key.replace('_', ' ')} agrees")
        elif value is False:
            parts.append(f"{key.replace('_', ' ')} differs")
        else:
            parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts)
