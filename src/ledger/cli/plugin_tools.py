"""What ``ledger sync FILE``, ``--recording`` and ``ledger plugin check`` take from the
contract suite (`ledger.testing`).

`ledger.cli.plugins` imports this module inside those commands only, so every other
command starts without the contract suite and what it loads (Alembic among them).
"""

from __future__ import annotations

from pathlib import Path

import typer

from ledger.api import Ledger
from ledger.cli.common import open_cli_ledger
from ledger.cli.plugins import parse_pairs
from ledger.contracts.errors import PluginDefinitionError
from ledger.errors import InvalidInput
from ledger.platform.registry import PluginClass, Registry, default_registry
from ledger.testing import ContractSpec, Recording, run_contract
from ledger.testing.bundled import bundled_spec
from ledger.testing.plugin_file import (
    PluginFileError,
    is_plugin_file,
    load_plugin_file,
    unloadable_report,
)
from ledger.testing.recording import RecordingTransport


def ledger_for(target: str, database: str | None) -> tuple[Ledger, str]:
    """The ledger to sync in and the plugin's name; a plugin file is registered and enabled."""
    if not is_plugin_file(target):
        return open_cli_ledger(database), target
    plugin = _one_plugin(Path(target))
    try:
        registry = Registry([*default_registry, plugin])
    except PluginDefinitionError as exc:
        raise InvalidInput("path", f"{target}: {exc}") from None
    lg = open_cli_ledger(database, registry=registry)
    if not any(info.name == plugin.name and info.enabled for info in lg.plugins.list()):
        lg.plugins.enable(plugin.name)
        typer.echo(f"{plugin.name} enabled (its file was named on the command line)")
    return lg, plugin.name


def _one_plugin(path: Path) -> PluginClass:
    try:
        plugins = load_plugin_file(path)
    except PluginFileError as exc:
        raise InvalidInput("path", str(exc)) from None
    if len(plugins) > 1:
        names = ", ".join(p.__name__ for p in plugins)
        raise InvalidInput(
            "path", f"{path} defines {len(plugins)} plugins ({names}); sync runs one per file"
        )
    return plugins[0]


def recorded(folder: Path | None) -> RecordingTransport | None:
    """A transport replaying the recorded responses in `folder`, if one is given."""
    if folder is None:
        return None
    if not folder.is_dir():
        raise InvalidInput("recording", f"{folder} is not a folder of recorded responses")
    return Recording.from_folder(folder).transport()


def check(
    target: str,
    *,
    recording: Path | None,
    values: list[str] | None,
    future_cursor: str | None,
    golden: Path | None,
    opt_out: list[str] | None,
    secret_in_url: str | None,
) -> None:
    """``ledger plugin check``: the contract suite on a plugin file or a bundled plugin."""
    if not is_plugin_file(target):
        if any((recording, values, future_cursor, golden, opt_out, secret_in_url)):
            raise InvalidInput(
                "target",
                f"{target} is a bundled plugin checked with its bundled spec; "
                "the options apply to a plugin file",
            )
        _report_and_exit([bundled_spec(target)])
    path = Path(target)
    try:
        plugins = load_plugin_file(path)
    except PluginFileError as exc:
        typer.echo(unloadable_report(path, exc).render())
        raise typer.Exit(1) from None
    specs = [
        ContractSpec(
            plugin=plugin,
            settings=parse_pairs(values or []),
            recording=Recording.from_folder(recording) if recording else Recording(),
            future_cursor=future_cursor,
            golden=golden,
            opt_out=parse_pairs(opt_out or []),
            secret_in_url=secret_in_url,
        )
        for plugin in plugins
    ]
    _report_and_exit(specs)


def _report_and_exit(specs: list[ContractSpec]) -> None:
    failed = False
    for spec in specs:
        try:
            report = run_contract(spec)
        except ValueError as exc:  # a spec mistake: an opt-out without a reason
            raise InvalidInput("opt_out", str(exc)) from None
        typer.echo(report.render())
        failed = failed or not report.passed
    raise typer.Exit(1 if failed else 0)
