"""The command-line reference page, generated from the Typer app so it cannot go stale.

``docs/reference/cli.md`` keeps its hand-written overview above `MARKER`; everything
below it is one section per command: its help, its usage, and a table of its arguments
and options, as ``--help`` has them. ``make docs-cli`` rewrites the page
(``python -m ledger.cli.reference docs/reference/cli.md``); a test fails when the page
differs from what this module generates.
"""

from __future__ import annotations

import inspect
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from ledger.cli.app import app

MARKER = "<!-- Everything below this line is generated from the Typer app: make docs-cli -->"
SKIPPED = {"--help", "--install-completion", "--show-completion"}


def commands() -> Iterator[tuple[str, Any]]:
    """Every command and group under ``ledger``, depth first, by name (Typer's commands)."""

    def walk(command: Any, path: str) -> Iterator[tuple[str, Any]]:
        yield path, command
        subcommands = getattr(command, "commands", {})
        for name in sorted(subcommands):
            yield from walk(subcommands[name], f"{path} {name}")

    yield from walk(typer.main.get_command(app), "ledger")


def reference() -> str:
    """The generated part of the page: a section per command."""
    return "\n".join(section(path, command) for path, command in commands())


def section(path: str, command: Any) -> str:
    """One command: heading, help, usage and its parameters."""
    level = "#" * min(path.count(" ") + 3, 5)
    lines = [f"{level} `{path}`", "", inspect.cleandoc(command.help or "").replace("\b\n", ""), ""]
    if hasattr(command, "commands"):
        return "\n".join(lines)
    params = [param for param in command.params if not _skipped(param)]
    arguments = [_argument(param) for param in params if not param.opts[0].startswith("-")]
    lines += ["```", " ".join([path, "[OPTIONS]", *arguments]), "```", ""]
    if params:
        lines += ["| parameter | meaning |", "| --- | --- |", *map(_row, params), ""]
    return "\n".join(lines)


def _skipped(param: Any) -> bool:
    return bool(set(param.opts) & SKIPPED) or bool(getattr(param, "hidden", False))


def _argument(param: Any) -> str:
    name = str(param.name).upper()
    return name if param.required else f"[{name}]"


def _value_name(param: Any) -> str:
    """``TEXT``, ``INTEGER``, ``PATH``... from the parameter's annotation."""
    annotation = param.type_descriptor.annotation
    inner = typing.get_args(annotation)
    kind = inner[0] if inner else annotation
    names = {str: "TEXT", int: "INTEGER", float: "NUMBER", Path: "PATH"}
    return names.get(kind, getattr(kind, "__name__", "VALUE").upper())


def _row(param: Any) -> str:
    """``| `--rate` `TEXT` | Hourly rate ... |`` for one argument or option."""
    if param.opts[0].startswith("-"):
        name = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
        if not getattr(param, "is_flag", False):
            name += f" `{_value_name(param)}`"
        if param.multiple:
            name += " (repeatable)"
    else:
        name = f"`{_argument(param)}`"
    meaning = " ".join(str(param.help or "").split()).replace("|", "\\|")
    if param.required:
        meaning += " (required)"
    elif param.default not in (None, False, "", ()) and not callable(param.default):
        meaning += f" (default: `{param.default}`)"
    return f"| {name} | {meaning.strip()} |"


def rewrite(page: str) -> str:
    """`page` with everything after `MARKER` generated anew (the marker is added if absent)."""
    overview = page.split(MARKER, maxsplit=1)[0].rstrip("\n")
    return f"{overview}\n\n{MARKER}\n\n## Every command\n\n{reference().rstrip()}\n"


def main(argv: list[str]) -> int:
    """Rewrite the page named by ``argv[0]``; say whether it changed."""
    path = Path(argv[0])
    old = path.read_text(encoding="utf-8")
    new = rewrite(old)
    if new != old:
        path.write_text(new, encoding="utf-8")
    print(f"{path}: {'rewritten' if new != old else 'up to date'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
