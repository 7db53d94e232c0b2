"""``ledger recurring list|add|run``: invoices made again every month, quarter or year."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, open_cli_ledger
from ledger.cli.output import JsonOption, money, print_json, print_table
from ledger.core.invoices import LineInput
from ledger.errors import InvalidInput

recurring_app = typer.Typer(
    help="Recurring invoices: a template per client makes one invoice per period.",
    no_args_is_help=True,
)


@recurring_app.command("list")
@friendly_errors
def list_templates(as_json: JsonOption = False, database: DatabaseOption = None) -> None:
    """List the templates by next date; DUE marks those a run would invoice now."""
    lg = open_cli_ledger(database)
    templates = lg.recurring.list()
    if as_json:
        print_json(templates)
        return
    today = lg.today()
    rows = [
        (t.id, t.client_name, t.name, t.interval, t.next_date, t.mode,
         money(t.subtotal, t.currency),
         "DUE" if t.active and t.next_date <= today else ("" if t.active else "inactive"))
        for t in templates
    ]  # fmt: skip
    print_table(("ID", "CLIENT", "NAME", "INTERVAL", "NEXT", "MODE", "SUBTOTAL", ""), rows)


@recurring_app.command("add")
@friendly_errors
def add(
    client: Annotated[str, typer.Option("--client", help="The client's name or id.")],
    next_date: Annotated[
        str, typer.Option("--next", help="First period to invoice, YYYY-MM-DD (its day is kept).")
    ],
    line: Annotated[
        list[str],
        typer.Option(
            "--line",
            help="'DESCRIPTION;QUANTITY;UNIT PRICE[;VAT %]', repeated for more lines.",
        ),
    ],
    interval: Annotated[str, typer.Option(help="monthly, quarterly or yearly.")] = "monthly",
    name: Annotated[
        str | None, typer.Option(help="The template's name (default: the first line's).")
    ] = None,
    issue: Annotated[
        bool, typer.Option("--issue", help="Issue each invoice when made (default: a draft).")
    ] = False,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Add a template: its invoices carry the given lines, one per period."""
    lines = [parse_line(text) for text in line]
    template = open_cli_ledger(database).recurring.add(
        client, name=name or lines[0].description, next_date=next_date, interval=interval,
        mode="issue" if issue else "draft", lines=lines,
    )  # fmt: skip
    if as_json:
        print_json(template)
        return
    typer.echo(
        f"template {template.id} added: {template.name} for {template.client_name}, "
        f"{template.interval} from {template.next_date}, "
        f"{money(template.subtotal, template.currency)} before VAT"
    )


@recurring_app.command("run")
@friendly_errors
def run(
    template: Annotated[
        int | None, typer.Argument(help="Only this template's id (default: every due one).")
    ] = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Make the invoices of every due period: one per period, missed ones caught up."""
    made = open_cli_ledger(database).recurring.run(template)
    if as_json:
        print_json(made)
        return
    if not made:
        typer.echo("nothing is due")
        return
    for invoice in made:
        label = invoice.number or f"draft {invoice.id}"
        typer.echo(
            f"{label}  {invoice.client_name}  {money(invoice.total, invoice.currency)}  "
            f"period {invoice.taxable_supply_date}"
        )


def parse_line(text: str) -> LineInput:
    """``Hosting;1;1500`` or ``Support;2.5;800;12`` as a line (VAT in percent)."""
    parts = [part.strip() for part in text.split(";")]
    if len(parts) not in (3, 4) or not parts[0]:
        raise InvalidInput("line", f"{text!r} is not 'DESCRIPTION;QUANTITY;UNIT PRICE[;VAT %]'")
    vat_rate = parts[3] if len(parts) == 4 and parts[3] else None
    return LineInput(parts[0], parts[1], parts[2], vat_rate=vat_rate)
