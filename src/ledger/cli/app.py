"""The ``ledger`` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli import (
    corrections as cli_corrections,
    doctor as cli_doctor,
    documents as cli_documents,
    invoicing as cli_invoicing,
    mail as cli_mail,
    matching as cli_matching,
    plugins as cli_plugins,
    rates as cli_rates,
    serve as cli_serve,
    time as cli_time,
)
from ledger.cli.audit import audit_app
from ledger.cli.bank_accounts import accounts_app
from ledger.cli.clients import clients_app
from ledger.cli.common import DatabaseOption, friendly_errors, open_cli_ledger
from ledger.cli.documents import invoice_app
from ledger.cli.matching import review_app
from ledger.cli.plugins import plugin_app, plugins_app
from ledger.cli.projects import projects_app
from ledger.cli.recurring import recurring_app
from ledger.cli.settings import settings_app
from ledger.cli.start import status_lines

app = typer.Typer(
    help="ledger: time tracking and invoicing for independent developers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # `ledger --install-completion`: commands, options and names
)
user_app = typer.Typer(help="Manage the account that logs in to the web UI.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(plugins_app, name="plugins")
app.add_typer(plugin_app, name="plugin")
app.command("serve")(cli_serve.serve)
app.command("sync")(cli_plugins.sync)
app.command("sync-history")(cli_plugins.sync_history)
app.command("sync-show")(cli_plugins.sync_show)
app.command("match")(cli_matching.match)
app.add_typer(review_app, name="review")
app.command("unmatch")(cli_matching.unmatch)
app.command("match-manual")(cli_matching.match_manual)
app.command("invoices")(cli_matching.invoices)
app.add_typer(invoice_app, name="invoice")
app.command("month-export")(cli_documents.month_export)
invoice_app.command("draft")(cli_invoicing.draft)
invoice_app.command("issue")(cli_invoicing.issue)
invoice_app.command("pay")(cli_invoicing.pay)
invoice_app.command("credit")(cli_corrections.credit)
invoice_app.command("cancel")(cli_corrections.cancel)
invoice_app.command("delete")(cli_corrections.delete)
invoice_app.command("show")(cli_invoicing.show)
invoice_app.command("send")(cli_mail.send)
app.add_typer(cli_mail.mail_app, name="mail")
app.add_typer(cli_mail.reminders_app, name="reminders")
app.add_typer(clients_app, name="clients")
app.add_typer(projects_app, name="projects")
app.add_typer(settings_app, name="settings")
app.add_typer(accounts_app, name="accounts")
app.add_typer(recurring_app, name="recurring")
app.command("log")(cli_time.log)
app.add_typer(cli_time.timer_app, name="timer")
app.command("doctor")(cli_doctor.doctor)
app.command("rates")(cli_rates.rates)


@app.command()
@friendly_errors
def init(
    database: DatabaseOption = None,
    demo: Annotated[
        bool, typer.Option(help="Add a realistic demo dataset and enable the demo bank.")
    ] = False,
) -> None:
    """Create the database (or migrate it to the newest schema)."""
    lg = open_cli_ledger(database, create=True)
    typer.echo(f"database ready: {lg.database.engine.url.render_as_string(hide_password=True)}")
    if demo:
        from ledger.demo import load_demo

        summary = load_demo(lg)
        lg.plugins.enable("demo_bank")
        typer.echo(f"demo data added: {summary}; try `ledger sync demo_bank`")


@app.command()
@friendly_errors
def status(database: DatabaseOption = None) -> None:
    """Counts of everything, unbilled work and outstanding invoices."""
    typer.echo("\n".join(status_lines(open_cli_ledger(database).reports.status())))


@app.command()
@friendly_errors
def backup(
    path: Annotated[Path, typer.Argument(help="File to write; must not exist yet.")],
    database: DatabaseOption = None,
) -> None:
    """Write a consistent copy of the database while it is in use."""
    from ledger.storage.backup import backup as make_backup

    lg = open_cli_ledger(database)
    typer.echo(f"backup written to {make_backup(lg.database, path)}")


@user_app.command("create")
@friendly_errors
def user_create(
    username: Annotated[str, typer.Argument(help="Login name.")],
    database: DatabaseOption = None,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password.")
    ] = "",
) -> None:
    """Create the account that logs in to the web UI."""
    user_id = open_cli_ledger(database).users.create(username, password)
    typer.echo(f"user {username!r} created (id {user_id})")


def main() -> None:
    """Entry point of the ``ledger`` console script."""
    app()
