"""``ledger settings show|set``: your company, VAT registration and preferences."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, open_cli_ledger
from ledger.cli.output import JsonOption, print_json, print_table
from ledger.core.app_settings import SettingsInput
from ledger.errors import InvalidInput

settings_app = typer.Typer(
    help="Settings: your company as invoices print it, VAT, numbering, preferences.",
    no_args_is_help=True,
)


@settings_app.command("show")
@friendly_errors
def show(as_json: JsonOption = False, database: DatabaseOption = None) -> None:
    """Print every setting and its value."""
    current = open_cli_ledger(database).settings.get()
    if as_json:
        print_json(current)
        return
    print_table(("setting", "value"), list(current.model_dump().items()))


@settings_app.command("set")
@friendly_errors
def set_values(
    pairs: Annotated[
        list[str],
        typer.Argument(
            help="NAME=VALUE pairs, e.g. vat_payer=true default_vat_rate=21 "
            "supplier_vat_id=CZ8001011234 (names as `ledger settings show` lists them)."
        ),
    ],
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Change settings; all are checked together and nothing changes on an error."""
    fields: dict[str, Any] = dict(_pair(text) for text in pairs)
    changed = open_cli_ledger(database).settings.update(**fields)
    if as_json:
        print_json(changed)
        return
    typer.echo(f"saved: {', '.join(sorted(fields))}")


def _pair(text: str) -> tuple[str, str | None]:
    name, equals, value = text.partition("=")
    name = name.strip()
    if not equals or name not in SettingsInput.model_fields:
        known = ", ".join(SettingsInput.model_fields)
        raise InvalidInput("settings", f"write NAME=VALUE with NAME one of {known}; got {text!r}")
    # An empty value clears an optional number (a rate, say); text fields take "".
    optional = SettingsInput.model_fields[name].default is None
    return name, (None if optional and value == "" else value)
