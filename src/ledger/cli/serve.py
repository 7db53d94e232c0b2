"""``ledger serve``: the web UI under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.api import open_ledger
from ledger.cli.common import DatabaseOption, friendly_errors
from ledger.config import Config

DEMO_USER = "demo"
DEMO_PASSWORD = "demo-ledger"  # noqa: S105  (the public demo account, shown on its login page)


@friendly_errors
def serve(
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
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

    if demo and database is None:
        database = str(Config().data_dir / "demo" / "ledger.db")
    lg = open_ledger(database, source="system:web")
    # Templates, languages and the PDF engine load in the background while the demo
    # data is written and the server starts, so the first page and PDF wait for nothing.
    warm_up.start(lg)
    if demo:
        prepare_demo(lg)
        typer.echo(f"demo database: log in as {DEMO_USER!r} with password {DEMO_PASSWORD!r}")
    typer.echo(f"ledger is at http://{host}:{port}/")
    config = WebConfig(demo_login=f"{DEMO_USER} / {DEMO_PASSWORD}" if demo else "")
    # No access log: portal addresses carry their secret token in the path.
    # Forwarded headers are judged by the app against LEDGER_TRUSTED_PROXIES alone.
    uvicorn.run(
        create_app(lg, config), host=host, port=port, log_level="warning", access_log=False,
        proxy_headers=False,
    )  # fmt: skip


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
