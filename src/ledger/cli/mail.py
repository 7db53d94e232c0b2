"""``ledger mail setup|show|test``, ``ledger invoice send`` and ``ledger reminders``:
invoices and payment reminders by e-mail, sent only when you ask."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, open_cli_ledger
from ledger.cli.output import JsonOption, print_json, print_table

mail_app = typer.Typer(
    help="E-mail: the SMTP server invoices and reminders are sent through.",
    no_args_is_help=True,
)
reminders_app = typer.Typer(
    help="Overdue invoices: list them, and send a payment reminder when you decide to.",
    invoke_without_command=True,
)

ToOption = Annotated[
    str | None,
    typer.Option("--to", help="Recipient(s), comma-separated (default: the client's e-mail)."),
]
LinkOption = Annotated[
    bool,
    typer.Option(
        "--link/--no-link",
        help="Include a new client-portal share link (built from LEDGER_BASE_URL).",
    ),
]


@mail_app.command("setup")
@friendly_errors
def setup(
    host: Annotated[str | None, typer.Option(help="SMTP server, e.g. smtp.example.com.")] = None,
    port: Annotated[
        int | None, typer.Option(help="Port (default: 587 STARTTLS, 465 TLS, 25 none).")
    ] = None,
    security: Annotated[
        str | None, typer.Option(help="starttls, tls (implicit TLS) or none.")
    ] = None,
    user: Annotated[str | None, typer.Option(help="Login name; empty: no login.")] = None,
    sender: Annotated[
        str | None, typer.Option(help="From address, e.g. jana@example.com.")
    ] = None,
    bcc_self: Annotated[
        bool | None,
        typer.Option("--bcc-self/--no-bcc-self", help="Blind copy of every e-mail to you."),
    ] = None,
    password: Annotated[
        bool, typer.Option("--password", help="Ask for the login's password (stored encrypted).")
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Set the SMTP server; only the options given change, all are checked together."""
    fields: dict[str, object] = {
        key: value
        for key, value in {
            "host": host, "port": port, "security": security, "username": user,
            "sender": sender, "bcc_self": bcc_self,
        }.items()
        if value is not None
    }  # fmt: skip
    if password:
        fields["password"] = typer.prompt("password", hide_input=True)
    saved = open_cli_ledger(database).mail.configure(**fields)  # type: ignore[arg-type]
    typer.echo(f"mail settings saved: {saved.host}:{saved.port} ({saved.security}), "
               f"from {saved.sender or '(no sender)'}")  # fmt: skip


@mail_app.command("show")
@friendly_errors
def show(as_json: JsonOption = False, database: DatabaseOption = None) -> None:
    """Print the SMTP settings (the password only as set or not)."""
    current = open_cli_ledger(database).mail.settings()
    if as_json:
        print_json(current)
        return
    print_table(("setting", "value"), list(current.model_dump().items()))


@mail_app.command("test")
@friendly_errors
def send_test(to: ToOption = None, database: DatabaseOption = None) -> None:
    """Send a test message (to the sender address by default)."""
    recipient = open_cli_ledger(database).mail.test(to)
    typer.echo(f"test message sent to {recipient}")


@friendly_errors
def send(
    number: Annotated[str, typer.Argument(help="Invoice or credit note number.")],
    to: ToOption = None,
    link: LinkOption = True,
    database: DatabaseOption = None,
) -> None:
    """E-mail an issued invoice or credit note to the client with its PDF and ISDOC."""
    lg = open_cli_ledger(database)
    sent = lg.mail.send_invoice(number, to, portal_url=_portal(link))
    typer.echo(f"{number} sent to {sent.sent_to}")


@reminders_app.callback()
@friendly_errors
def reminders(
    context: typer.Context, as_json: JsonOption = False, database: DatabaseOption = None
) -> None:
    """List overdue invoices with their reminders so far (send one with `send NUMBER`)."""
    if context.invoked_subcommand is not None:
        return
    lg = open_cli_ledger(database)
    overdue = lg.mail.overdue()
    if as_json:
        print_json(overdue)
        return
    today = lg.today()
    rows = []
    for invoice in overdue:
        history = lg.mail.history(invoice)
        last = history.last_reminder_at.date() if history.last_reminder_at else ""
        late = (today - invoice.due_date).days if invoice.due_date else 0
        balance = f"{invoice.balance} {invoice.currency}"
        rows.append((invoice.number, invoice.client_name, invoice.due_date, late, balance,
                     history.reminder_count, last))  # fmt: skip
    print_table(("number", "client", "due", "days late", "balance", "reminders", "last"), rows)


@reminders_app.command("send")
@friendly_errors
def send_reminder(
    number: Annotated[str, typer.Argument(help="Number of an overdue invoice.")],
    to: ToOption = None,
    link: LinkOption = True,
    database: DatabaseOption = None,
) -> None:
    """E-mail a payment reminder: days overdue, the balance, the PDF attached again."""
    lg = open_cli_ledger(database)
    sent = lg.mail.send_reminder(number, to, portal_url=_portal(link))
    count = lg.mail.history(number).reminder_count
    typer.echo(f"reminder {count} for {number} sent to {sent.sent_to}")


def _portal(link: bool) -> str | None:
    from ledger.web.config import WebConfig  # the web package loads only when needed

    return WebConfig().base_url if link else None
