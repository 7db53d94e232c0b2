"""``ledger serve``: the web UI under uvicorn, in one process or several workers."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from ledger.api import resolve_database_url
from ledger.cli.common import DatabaseOption, friendly_errors
from ledger.config import Config
from ledger.errors import ConfigurationError

DEMO_USER = "demo"
DEMO_PASSWORD = "demo-ledger"  # noqa: S105  (the public demo account, shown on its login page)
FACTORY = "ledger.web.server:app_from_environment"


@friendly_errors
def serve(
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes (PostgreSQL only; they share sessions through the "
            "database). SQLite is served by one.",
        ),
    ] = 1,
    demo: Annotated[
        bool,
        typer.Option(
            help="Serve a separate demo database (created with demo data, "
            f"user '{DEMO_USER}', password '{DEMO_PASSWORD}')."
        ),
    ] = False,
) -> None:
    """Serve the web UI (http://127.0.0.1:8000 by default)."""
    import uvicorn

    from ledger.web import create_app, warm_up
    from ledger.web.config import WebConfig
    from ledger.web.server import open_web_ledger

    if demo and database is None:
        database = str(Config().data_dir / "demo" / "ledger.db")
    url = resolve_database_url(database, create=True)
    if workers > 1 and url.startswith("sqlite"):
        raise ConfigurationError(
            "--workers above 1 needs PostgreSQL (set LEDGER_DATABASE_URL or --database "
            "postgresql+psycopg://...); SQLite is served by one worker"
        )
    config = WebConfig(demo_login=f"{DEMO_USER} / {DEMO_PASSWORD}" if demo else "")
    lg = open_web_ledger(url, config)  # creates or migrates the database once, here
    # Templates, languages and the PDF engine load in the background while the demo
    # data is written and the server starts, so the first page and PDF wait for nothing.
    warm_up.start(lg)
    if demo:
        prepare_demo(lg)
        typer.echo(f"demo database: log in as {DEMO_USER!r} with password {DEMO_PASSWORD!r}")
    typer.echo(f"ledger is at http://{host}:{port}/" + (f" ({workers} workers)" * (workers > 1)))
    # No access log: portal addresses carry their secret token in the path.
    # Forwarded headers are judged by the app against LEDGER_TRUSTED_PROXIES alone.
    options = {"host": host, "port": port, "log_level": "warning", "access_log": False,
               "proxy_headers": False}  # fmt: skip
    if workers == 1:
        uvicorn.run(create_app(lg, config), **options)  # type: ignore[arg-type]
        return
    lg.close()
    # Each worker builds its app from the environment it inherits.
    os.environ["LEDGER_DATABASE_URL"] = url
    os.environ["LEDGER_DEMO_LOGIN"] = config.demo_login
    uvicorn.run(FACTORY, factory=True, workers=workers, **options)  # type: ignore[arg-type]


def prepare_demo(lg: object) -> None:
    """Demo data, the demo bank enabled and the demo account, once."""
    from ledger.api import Ledger
    from ledger.demo import load_demo

    assert isinstance(lg, Ledger)
    if not lg.clients.list(include_archived=True):
        load_demo(lg)
    if not lg.users.count():
        lg.users.create(DEMO_USER, DEMO_PASSWORD)
    if not any(p.enabled for p in lg.plugins.list() if p.name == "demo_bank"):
        lg.plugins.enable("demo_bank")
