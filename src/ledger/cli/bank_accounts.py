"""``ledger accounts list|add|edit|remove``: your bank accounts, one per currency."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, given_options, open_cli_ledger
from ledger.cli.output import JsonOption, print_json, print_table
from ledger.core.bank_accounts import AccountRef
from ledger.core.models import BankAccount

accounts_app = typer.Typer(
    help="Bank accounts, one per currency: an invoice prints the account of its currency.",
    no_args_is_help=True,
)

AccountArgument = Annotated[str, typer.Argument(help="The account's currency (EUR) or id.")]
NumberOption = Annotated[
    str | None, typer.Option(help="Czech account number, e.g. 19-2000145399/0800.")
]
IbanOption = Annotated[str | None, typer.Option(help="IBAN; EUR QR payments need it.")]
BicOption = Annotated[str | None, typer.Option(help="The bank's BIC (SWIFT code).")]
LabelOption = Annotated[str | None, typer.Option(help="Your name for it, e.g. 'Fio EUR'.")]


@accounts_app.command("list")
@friendly_errors
def list_accounts(as_json: JsonOption = False, database: DatabaseOption = None) -> None:
    """List the accounts by currency."""
    accounts = open_cli_ledger(database).bank_accounts.list()
    if as_json:
        print_json(accounts)
        return
    rows = [(a.id, a.currency, a.account_number, a.iban, a.bic, a.label) for a in accounts]
    print_table(("ID", "CURRENCY", "ACCOUNT NUMBER", "IBAN", "BIC", "LABEL"), rows)


@accounts_app.command("add")
@friendly_errors
def add(
    currency: Annotated[str, typer.Argument(help="Invoices in it print the account, e.g. EUR.")],
    account_number: NumberOption = None,
    iban: IbanOption = None,
    bic: BicOption = None,
    label: LabelOption = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Add the account for a currency (an IBAN or a Czech account number, or both)."""
    fields = given_options(account_number=account_number, iban=iban, bic=bic, label=label)
    _show(open_cli_ledger(database).bank_accounts.add(currency, **fields), as_json, "added")


@accounts_app.command("edit")
@friendly_errors
def edit(
    account: AccountArgument,
    account_number: NumberOption = None,
    iban: IbanOption = None,
    bic: BicOption = None,
    label: LabelOption = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Change the given fields of an account; an empty value ('') clears one."""
    fields = given_options(account_number=account_number, iban=iban, bic=bic, label=label)
    changed = open_cli_ledger(database).bank_accounts.update(_ref(account), **fields)
    _show(changed, as_json, "changed")


@accounts_app.command("remove")
@friendly_errors
def remove(account: AccountArgument, database: DatabaseOption = None) -> None:
    """Remove an account: invoices in its currency then print no payment details."""
    lg = open_cli_ledger(database)
    found = lg.bank_accounts.get(_ref(account))
    lg.bank_accounts.remove(found.id)
    typer.echo(f"{found.currency} account {found.id} removed")


def _ref(text: str) -> AccountRef:
    return int(text) if text.strip().isdigit() else text


def _show(account: BankAccount, as_json: bool, done: str) -> None:
    if as_json:
        print_json(account)
        return
    paid_into = account.iban or account.account_number
    typer.echo(f"{account.currency} account {account.id} {done} ({paid_into})")
