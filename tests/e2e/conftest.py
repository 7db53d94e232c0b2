"""A live ledger server and Debian's Chromium driven by Playwright.

The browser is required: without Chromium these tests fail, they never skip
(`.ci/run` installs it). `LEDGER_CHROMIUM` names the binary when it is not on PATH.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Playwright, sync_playwright

import ledger
from ledger.web import create_app
from ledger.web.config import WebConfig

from .browser_kit import CHROMIUM_FLAGS, LiveServer, chromium_path


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
    yield launched
    launched.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """ledger on a fresh SQLite file, served by uvicorn on a free loopback port."""
    lg = ledger.open(tmp_path / "ledger.db", source="system:web")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    app = create_app(lg, WebConfig(base_url=url))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield LiveServer(url, lg)
    server.should_exit = True
    thread.join(5)
    lg.close()
