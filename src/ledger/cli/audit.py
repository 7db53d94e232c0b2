"""``ledger audit``: verify the audit trail and sign checkpoints of it."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, open_cli_ledger
from ledger.errors import AuditRowsDiffer

audit_app = typer.Typer(help="Inspect the audit trail.", no_args_is_help=True)

HeadOption = Annotated[
    str | None,
    typer.Option(
        "--head",
        help="A line `ledger audit checkpoint` printed, kept outside the database: "
        "also catches events removed or recomputed after the last stored checkpoint.",
    ),
]


@audit_app.command("verify")
@friendly_errors
def audit_verify(database: DatabaseOption = None, head: HeadOption = None) -> None:
    """Check the keyed chain and checkpoints, and replay the trail against the tables."""
    try:
        result = open_cli_ledger(database).audit.check(head=head)
    except AuditRowsDiffer as exc:
        for difference in exc.differences:
            typer.echo(difference, err=True)
        count = len(exc.differences)
        typer.secho(
            f"error: {count} row difference{'s' * (count != 1)} from the audit trail",
            err=True,
            fg=typer.colors.RED,
        )
        raise typer.Exit(1) from None
    typer.echo(f"audit chain ok: {result.events} events verified")
    if result.unkeyed:
        typer.echo(
            f"  {result.unkeyed} of them predate the keyed chain: "
            "only checkpoints and a kept head line protect those"
        )
    held = result.checkpoints
    typer.echo(f"  held against {held} signed checkpoint{'s' * (held != 1)}")
    typer.echo("  every row of the audited tables matches a replay of the trail")


@audit_app.command("checkpoint")
@friendly_errors
def audit_checkpoint(database: DatabaseOption = None) -> None:
    """Sign and store the trail's head; print the head line to keep elsewhere."""
    mark = open_cli_ledger(database).audit.checkpoint()
    typer.echo(mark.line())
    typer.echo(
        f"checkpoint stored at event {mark.event_id}; keep the line above outside this "
        "database and pass it to `ledger audit verify --head`",
        err=True,
    )
