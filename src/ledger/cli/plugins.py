"""``ledger plugins``, ``ledger sync`` and friends: the integration commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, open_cli_ledger
from ledger.core.datetimes import format_datetime
from ledger.core.sync_models import SyncRun
from ledger.platform.plugin_settings import secret_fields

plugins_app = typer.Typer(help="List, configure, enable and disable plugins.")
plugin_app = typer.Typer(help="Tools for plugin authors.", no_args_is_help=True)


@plugins_app.callback(invoke_without_command=True)
@friendly_errors
def plugins_list(ctx: typer.Context, database: DatabaseOption = None) -> None:
    """List every registered plugin: name, version, enabled, configured."""
    if ctx.invoked_subcommand is not None:
        return
    infos = open_cli_ledger(database).plugins.list()
    typer.echo(f"{'NAME':<16} {'VERSION':<10} {'ENABLED':<8} {'CONFIGURED':<11} DESCRIPTION")
    for info in infos:
        enabled = "yes" if info.enabled else "no"
        configured = "yes" if info.configured else "no"
        typer.echo(
            f"{info.name:<16} {info.version:<10} {enabled:<8} {configured:<11} {info.description}"
        )


@plugins_app.command("configure")
@friendly_errors
def plugins_configure(
    name: Annotated[str, typer.Argument(help="Plugin name.")],
    values: Annotated[
        list[str] | None,
        typer.Option("--set", help="FIELD=VALUE, repeatable; without it every field is prompted."),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Store a plugin's settings; secrets are prompted without echo and encrypted."""
    lg = open_cli_ledger(database)
    model = lg.registry.get(name).Settings
    given = parse_pairs(values or []) if values else _prompt(model, lg.plugins.settings(name))
    shown = lg.plugins.configure(name, **given)
    typer.echo(f"{name} configured: {json.dumps(shown, default=str, ensure_ascii=False)}")


@plugins_app.command("enable")
@friendly_errors
def plugins_enable(name: str, database: DatabaseOption = None) -> None:
    """Allow a plugin to sync."""
    open_cli_ledger(database).plugins.enable(name)
    typer.echo(f"{name} enabled")


@plugins_app.command("disable")
@friendly_errors
def plugins_disable(name: str, database: DatabaseOption = None) -> None:
    """Stop a plugin from syncing; its settings and data stay."""
    open_cli_ledger(database).plugins.disable(name)
    typer.echo(f"{name} disabled")


@friendly_errors
def sync(
    target: Annotated[
        str, typer.Argument(help="Plugin name (see `ledger plugins`) or a plugin's .py file.")
    ],
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Run the plugin, show what would change, write nothing."),
    ] = False,
    values: Annotated[
        list[str] | None,
        typer.Option("--set", help="Store setting FIELD=VALUE first, repeatable."),
    ] = None,
    recording: Annotated[
        Path | None,
        typer.Option(help="Replay this folder of recorded responses instead of the network."),
    ] = None,
    allow_loopback_http: Annotated[
        bool,
        typer.Option(
            "--allow-loopback-http",
            help="Let the plugin use plain http to 127.0.0.1, ::1 or localhost (a local "
            "fake server); https stays required for every other host.",
        ),
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Run a plugin's sync now and print the run.

    Given a plugin file, the file's one plugin class is registered for this command
    only, enabled and synced: no start-up file, nothing discovered.
    """
    from ledger.cli import plugin_tools  # plugin files and recordings need ledger.testing
    from ledger.contracts.http import HttpPolicy  # httpx loads only when syncing

    lg, name = plugin_tools.ledger_for(target, database)
    if values:
        lg.plugins.configure(name, **parse_pairs(values))
    transport = plugin_tools.recorded(recording)
    policy = HttpPolicy(allow_loopback_http=allow_loopback_http)
    run = lg.sync(name, dry_run=dry_run, transport=transport, policy=policy)
    _print_run(run, with_changes=dry_run)
    if run.status != "succeeded":
        raise typer.Exit(1)


@friendly_errors
def sync_history(
    name: Annotated[str | None, typer.Argument(help="Only this plugin's runs.")] = None,
    limit: Annotated[int, typer.Option(help="How many runs (1 or more).")] = 20,
    database: DatabaseOption = None,
) -> None:
    """List recent sync runs, newest first."""
    lg = open_cli_ledger(database)
    runs, settings = lg.plugins.history(name, limit=limit), lg.settings.get()
    header = ("RUN", "PLUGIN", "STATUS", "STARTED", "+NEW", "~UPD", "=SAME")
    typer.echo("{:>5} {:<14} {:<12} {:<20} {:>6} {:>6} {:>6}  ERROR".format(*header))
    for run in runs:
        started = format_datetime(run.started_at, settings.locale, settings.time_zone)
        status = run.status + (" (dry)" if run.dry_run else "")
        typer.echo(
            f"{run.id:>5} {run.plugin:<14} {status:<12} {started:<20} {run.created:>6} "
            f"{run.updated:>6} {run.unchanged:>6}  {run.error_message or ''}"
        )


@friendly_errors
def sync_show(
    run_id: Annotated[int, typer.Argument(help="Run id (see `ledger sync-history`).")],
    database: DatabaseOption = None,
) -> None:
    """Show one run: status, counts, error, log, upstream responses and changes."""
    lg = open_cli_ledger(database)
    run = lg.plugins.run(run_id)
    _print_run(run, with_changes=run.dry_run)
    for exchange in run.upstream:
        if not exchange.get("would_send"):
            typer.echo(f"upstream: {exchange['method']} {exchange['url']} → {exchange['status']}")
    if not run.dry_run:
        for event in lg.plugins.changes(run_id):
            typer.echo(
                f"change: {event.action} {event.entity} {event.entity_id} {_diff(event.changes())}"
            )


@plugin_app.command("check")
@friendly_errors
def plugin_check(
    target: Annotated[
        str, typer.Argument(help="A plugin's .py file, or a bundled plugin's name.")
    ],
    recording: Annotated[
        Path | None, typer.Option(help="Folder of recorded responses (see the testing guide).")
    ] = None,
    values: Annotated[
        list[str] | None, typer.Option("--set", help="Example setting FIELD=VALUE, repeatable.")
    ] = None,
    future_cursor: Annotated[str | None, typer.Option(help="A cursor past any data.")] = None,
    golden: Annotated[
        Path | None, typer.Option(help="Expected-writes file (golden check).")
    ] = None,
    opt_out: Annotated[
        list[str] | None, typer.Option(help="CHECK=REASON for a check that does not apply.")
    ] = None,
    secret_in_url: Annotated[
        str | None,
        typer.Option(help="REASON the API takes a secret in the URL (secrets_hidden)."),
    ] = None,
) -> None:
    """Run the shared contract suite on a plugin file, or a bundled plugin with its spec."""
    from ledger.cli import plugin_tools  # the contract suite loads only for this command

    plugin_tools.check(
        target,
        recording=recording,
        values=values,
        future_cursor=future_cursor,
        golden=golden,
        opt_out=opt_out,
        secret_in_url=secret_in_url,
    )


def _print_run(run: SyncRun, *, with_changes: bool) -> None:
    typer.echo(
        f"run {run.id}: {run.plugin} {run.plugin_version} — {run.status}"
        + (" (dry run, nothing written)" if run.dry_run else "")
    )
    typer.echo(
        f"created {run.created}, updated {run.updated}, unchanged {run.unchanged}"
        + (f", {run.duration:.2f} s" if run.duration is not None else "")
    )
    if run.error_message:
        typer.echo(f"error ({run.error_kind}): {run.error_message}")
    for warning in run.warnings:
        typer.echo(f"warning: {warning}")
    for line in run.log:
        typer.echo(f"log {line['level']}: {line['message']}")
    if with_changes:
        for change in run.changes:
            typer.echo(f"would {change['action']} {change['entity']} {change['entity_id']}")
    for exchange in run.upstream:
        if exchange.get("would_send"):
            typer.echo(f"would send: {exchange['method']} {exchange['url']} {exchange['sent']}")


def _diff(changes: dict[str, tuple[Any, Any]]) -> str:
    return ", ".join(f"{k}: {b!r} → {a!r}" for k, (b, a) in changes.items())


def parse_pairs(pairs: list[str]) -> dict[str, str]:
    """``FIELD=VALUE`` options as a dict."""
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"{pair!r}: use FIELD=VALUE")
        result[key.strip()] = value
    return result


def _prompt(model: Any, current: dict[str, Any]) -> dict[str, str]:
    secrets = secret_fields(model)
    values = {}
    for field_name, info in model.model_fields.items():
        label = f"{field_name} ({info.description})" if info.description else field_name
        if field_name in secrets:
            hint = " [stored; Enter keeps it]" if current.get(field_name) else ""
            values[field_name] = typer.prompt(
                label + hint, default="", hide_input=True, show_default=False
            )
        else:
            fallback = None if info.is_required() else info.default
            shown = current.get(field_name, fallback)
            values[field_name] = typer.prompt(
                label, default="" if shown is None else str(shown), show_default=shown is not None
            )
    return {k: v for k, v in values.items() if v != ""}
