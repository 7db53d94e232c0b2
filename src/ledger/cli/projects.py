"""``ledger projects add|list|edit|archive``: a client's pieces of work."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, given_options, open_cli_ledger
from ledger.cli.names import ClientArgument, ClientOption, ProjectArgument, complete_client
from ledger.cli.output import JsonOption, money, print_json, print_table
from ledger.core.models import Project

projects_app = typer.Typer(help="Projects: a client's work, with rates and rounding.",
                           no_args_is_help=True)  # fmt: skip

RateOption = Annotated[
    str | None, typer.Option("--rate", help="Hourly rate; overrides the client's.")
]
RoundingOption = Annotated[
    str | None, typer.Option(help="How billed minutes round: none, up or nearest.")
]
StepOption = Annotated[
    int | None, typer.Option("--rounding-minutes", help="The step minutes round to, e.g. 15.")
]


@projects_app.command("add")
@friendly_errors
def add(
    client: ClientArgument,
    name: Annotated[str, typer.Argument(help="The project's name.")],
    rate: RateOption = None,
    currency: Annotated[str | None, typer.Option(help="Defaults to the client's.")] = None,
    rounding: RoundingOption = None,
    rounding_minutes: StepOption = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Add a project to a client."""
    lg = open_cli_ledger(database)
    fields = given_options(hourly_rate=rate, currency=currency, rounding=rounding,
                           rounding_minutes=rounding_minutes)  # fmt: skip
    _show(lg.projects.add(lg.clients.find(client), name=name, **fields), as_json, "added")


@projects_app.command("list")
@friendly_errors
def list_projects(
    client: Annotated[
        str | None,
        typer.Option("--client", help="Only this client's.", autocompletion=complete_client),
    ] = None,
    archived: Annotated[bool, typer.Option("--all", help="Include archived projects.")] = False,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """List projects by name."""
    projects = open_cli_ledger(database).projects.list(client, include_archived=archived)
    if as_json:
        print_json(projects)
        return
    rows = [
        (p.id, p.name, p.client_name, money(p.hourly_rate, p.currency), _rounding(p),
         "archived" if p.archived else "")
        for p in projects
    ]  # fmt: skip
    print_table(("ID", "NAME", "CLIENT", "RATE", "ROUNDING", ""), rows)


@projects_app.command("edit")
@friendly_errors
def edit(
    project: ProjectArgument,
    client: ClientOption = None,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    rate: RateOption = None,
    rounding: RoundingOption = None,
    rounding_minutes: StepOption = None,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Change the given fields of a project; billed work keeps its rates."""
    lg = open_cli_ledger(database)
    fields = given_options(name=name, hourly_rate=rate, rounding=rounding,
                           rounding_minutes=rounding_minutes)  # fmt: skip
    found = lg.projects.find(project, client)
    _show(lg.projects.update(found, **fields), as_json, "changed")


@projects_app.command("archive")
@friendly_errors
def archive(
    project: ProjectArgument,
    client: ClientOption = None,
    undo: Annotated[bool, typer.Option("--undo", help="Bring an archived project back.")] = False,
    as_json: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Hide a project from lists and the timer; its work stays."""
    lg = open_cli_ledger(database)
    found = lg.projects.archive(lg.projects.find(project, client), archived=not undo)
    _show(found, as_json, "restored" if undo else "archived")


def _rounding(project: Project) -> str:
    if project.rounding == "none":
        return ""
    return f"{project.rounding} to {project.rounding_minutes} min"


def _show(project: Project, as_json: bool, done: str) -> None:
    if as_json:
        print_json(project)
    else:
        rate = money(project.hourly_rate, project.currency) or "client's rate"
        typer.echo(
            f"project {project.id} {project.name!r} of {project.client_name} {done} ({rate})"
        )
