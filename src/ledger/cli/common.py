"""What every ``ledger`` command shares: the database option and error handling."""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError

from ledger.api import Ledger, open_ledger
from ledger.errors import ConfigurationError, LedgerError
from ledger.platform.registry import Registry

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database", "-d", help="SQLite path or database URL (default: LEDGER_* settings)."
    ),
]

_opened: ContextVar[list[Ledger] | None] = ContextVar("cli_ledgers", default=None)
"""The ledgers the running command opened; `friendly_errors` closes them."""

P = ParamSpec("P")
R = TypeVar("R")


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a `LedgerError` into one line on stderr and exit status 1; close the
    ledgers the command opened."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        opened: list[Ledger] = []
        token = _opened.set(opened)
        try:
            return command(*args, **kwargs)
        except LedgerError as exc:
            typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
            raise typer.Exit(1) from None
        finally:
            _opened.reset(token)
            for lg in opened:
                lg.close()

    return wrapper


def open_cli_ledger(
    database: str | None, *, create: bool = False, registry: Registry | None = None
) -> Ledger:
    """The ledger the CLI works on; its writes are attributed to ``cli``.

    `registry` holds the plugins it can sync (default: the bundled ones). Only
    `create` (``ledger init``) makes a new database: any other command on a
    mistyped path says so instead of leaving an empty database there.

    Raises:
        ConfigurationError: when the database cannot be opened (a file that is not a
            database, a server that does not answer), as one line without a traceback.
    """
    try:
        lg = open_ledger(database, source="cli", create=create, registry=registry)
    except (OSError, SQLAlchemyError) as exc:
        reason = getattr(exc, "orig", None) or exc
        first_line = str(reason).strip().splitlines()[0] if str(reason).strip() else repr(reason)
        raise ConfigurationError(f"cannot open the database: {first_line}") from exc
    opened = _opened.get()
    if opened is not None:
        opened.append(lg)  # the command's connections end with it, not with the process
    return lg


def given_options(**options: Any) -> dict[str, Any]:
    """The options the user gave: an option left out changes nothing."""
    return {key: value for key, value in options.items() if value is not None}
