"""``ledger clients add|list|edit|archive``: who you invoice."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, given_options, open_cli_ledger
from ledger.cli.names import ClientArgument
from ledger.cli.output import JsonOption, money, print_json, print_table
from ledger.core.models import Client

clients_app = typer.Typer(help="Clients: who you invoice.", no_args_is_help=True)

RateOption = Annotated[
    str | None, typer.Option("--rate", help="Hourly rate in the client's currency, e.g. 1500.")
]
CurrencyOption = Annotated[str | None, typer.Option(help="ISO 4217 code, e.g. CZK or EUR.")]
EmailOption = Annotated[str | None, typer.Option(help="Where invoices go.")]
LanguageOption = Annotated[str | None, typer.Option(help="Invoice language: en or cs.")]
TermsOption = Annotated[
    int | None, typer.Option("--terms", help="Days from issue to the due date.")
]


@clients_app.command("add")
@friendly_errors
def add(
    name: Annotated[str, typer.Argument(help="Who you invoice, as printed on invoices.")],
    currency: CurrencyOption = None,
    rate: RateOption = None,
    email: EmailOption = None,
    language: LanguageOption = None,
    terms: TermsOption = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Add a client."""
    fields = given_options(currency=currency, hourly_rate=rate, email=email, language=language,
                    payment_terms_days=terms)  # fmt: skip
    client = open_cli_ledger(database).clients.add(name=name, **fields)
    _show(client, as_json, "added")


@clients_app.command("list")
@friendly_errors
def list_clients(
    archived: Annotated[bool, typer.Option("--all", help="Include archived clients.")] = False,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """List clients by name."""
    clients = open_cli_ledger(database).clients.list(include_archived=archived)
    if as_json:
        print_json(clients)
        return
    rows = [
        (c.id, c.name, c.currency, money(c.hourly_rate, c.currency), c.language,
         c.payment_terms_days, "archived" if c.archived else "")
        for c in clients
    ]  # fmt: skip
    print_table(("ID", "NAME", "CURRENCY", "RATE", "LANG", "TERMS", ""), rows)


@clients_app.command("edit")
@friendly_errors
def edit(
    client: ClientArgument,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    currency: CurrencyOption = None,
    rate: RateOption = None,
    email: EmailOption = None,
    language: LanguageOption = None,
    terms: TermsOption = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Change the given fields of a client; the others stay."""
    lg = open_cli_ledger(database)
    fields = given_options(name=name, currency=currency, hourly_rate=rate, email=email,
                    language=language, payment_terms_days=terms)  # fmt: skip
    _show(lg.clients.update(lg.clients.find(client), **fields), as_json, "changed")


@clients_app.command("archive")
@friendly_errors
def archive(
    client: ClientArgument,
    undo: Annotated[bool, typer.Option("--undo", help="Bring an archived client back.")] = False,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Hide a client from lists; its projects, work and invoices stay."""
    lg = open_cli_ledger(database)
    found = lg.clients.archive(lg.clients.find(client), archived=not undo)
    _show(found, as_json, "restored" if undo else "archived")


def _show(client: Client, as_json: bool, done: str) -> None:
    if as_json:
        print_json(client)
    else:
        rate = money(client.hourly_rate, client.currency) or "no rate"
        typer.echo(f"client {client.id} {client.name!r} {done} ({client.currency}, {rate})")
