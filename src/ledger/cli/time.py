"""``ledger log`` and ``ledger timer start|stop|status``: recording work."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, open_cli_ledger
from ledger.cli.durations import parse_duration
from ledger.cli.names import ClientOption, ProjectArgument
from ledger.cli.output import JsonOption, print_json
from ledger.core.datetimes import format_time
from ledger.core.models import WorkEntry

timer_app = typer.Typer(help="The timer: one running entry at a time.", no_args_is_help=True)

DescriptionArgument = Annotated[str, typer.Argument(help="What you worked on.")]


@friendly_errors
def log(
    duration: Annotated[str, typer.Argument(help="How long: 1:30, 90m or 1.5h.")],
    project: ProjectArgument,
    description: DescriptionArgument = "",
    date: Annotated[
        str | None, typer.Option(help="The day of the work, YYYY-MM-DD (default: today).")
    ] = None,
    client: ClientOption = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Record time worked on a project."""
    minutes = parse_duration(duration)
    lg = open_cli_ledger(database)
    found = lg.projects.find(project, client)
    entry = lg.entries.add(
        found, date=date or lg.today(), minutes=minutes, description=description
    )
    _show(entry, as_json, f"logged {_hours(minutes)}")


@timer_app.command("start")
@friendly_errors
def timer_start(
    project: ProjectArgument,
    description: DescriptionArgument = "",
    client: ClientOption = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Start the timer on a project."""
    lg = open_cli_ledger(database)
    entry = lg.entries.start(lg.projects.find(project, client), description)
    zone = lg.settings.get().time_zone
    _show(entry, as_json, f"timer started at {format_time(entry.started_at, zone)} ({zone})")


@timer_app.command("stop")
@friendly_errors
def timer_stop(as_json: JsonOption = False, database: DatabaseOption = None) -> None:
    """Stop the running timer and keep its time as an entry."""
    entry = open_cli_ledger(database).entries.stop()
    _show(entry, as_json, f"timer stopped after {_hours(entry.minutes or 0)}")


@timer_app.command("status")
@friendly_errors
def timer_status(as_json: JsonOption = False, database: DatabaseOption = None) -> None:
    """Show the running timer, if any."""
    lg = open_cli_ledger(database)
    entry = lg.entries.running()
    if as_json:
        print_json({"running": entry})
    elif entry is None or entry.started_at is None:
        typer.echo("no timer is running")
    else:
        started = entry.started_at  # SQLite hands back naive UTC
        started = started if started.tzinfo else started.replace(tzinfo=dt.UTC)
        minutes = int((lg.clock() - started).total_seconds() // 60)
        since = format_time(started, lg.settings.get().time_zone)
        _show(entry, False, f"timer running for {_hours(minutes)} (since {since})")


def _hours(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _show(entry: WorkEntry, as_json: bool, done: str) -> None:
    if as_json:
        print_json(entry)
        return
    what = f" {entry.description!r}" if entry.description else ""
    typer.echo(f"{done} on {entry.client_name} · {entry.project_name}{what} (entry {entry.id})")
