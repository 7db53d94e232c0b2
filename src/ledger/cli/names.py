"""Names a user types for clients, projects and invoices: completion and look-up."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.api import Ledger, open_ledger
from ledger.core.models import Invoice
from ledger.errors import LedgerError, NotFound


def _names(ctx: typer.Context, kind: str) -> list[str]:
    # The shell passes the words before the cursor: `-d PATH` counts when typed first.
    database = ctx.params.get("database")
    try:
        lg = open_ledger(database, source="cli", create=False)
    except (LedgerError, OSError):
        return []  # completion must never print an error into the user's shell
    try:
        if kind == "client":
            return [client.name for client in lg.clients.list()]
        if kind == "project":
            return sorted({project.name for project in lg.projects.list()})
        return [invoice.number or str(invoice.id) for invoice in lg.invoices.list()]
    finally:
        lg.close()


def complete_client(ctx: typer.Context, incomplete: str) -> list[str]:
    """Client names starting with what is typed."""
    return [n for n in _names(ctx, "client") if n.startswith(incomplete)]


def complete_project(ctx: typer.Context, incomplete: str) -> list[str]:
    """Project names starting with what is typed."""
    return [n for n in _names(ctx, "project") if n.startswith(incomplete)]


def complete_invoice(ctx: typer.Context, incomplete: str) -> list[str]:
    """Invoice numbers (and draft ids) starting with what is typed."""
    return [n for n in _names(ctx, "invoice") if n.startswith(incomplete)]


ClientArgument = Annotated[
    str, typer.Argument(help="Client name or id.", autocompletion=complete_client)
]
ProjectArgument = Annotated[
    str, typer.Argument(help="Project name or id.", autocompletion=complete_project)
]
InvoiceArgument = Annotated[
    str,
    typer.Argument(help="Invoice number, or a draft's id.", autocompletion=complete_invoice),
]
ClientOption = Annotated[
    str | None,
    typer.Option(
        "--client", help="The project's client, where a project name is shared.",
        autocompletion=complete_client,
    ),
]  # fmt: skip


def find_invoice(lg: Ledger, invoice: str) -> Invoice:
    """The invoice numbered `invoice`, else (for digits) the one with that id."""
    try:
        return lg.invoices.get(invoice.strip())
    except NotFound:
        if not invoice.strip().isdigit():
            raise
    try:
        return lg.invoices.get(int(invoice))
    except NotFound:
        raise NotFound(f"no invoice is numbered {invoice!r} and none has that id") from None
