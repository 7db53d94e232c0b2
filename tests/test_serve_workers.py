"""``ledger serve --workers N``: several processes on PostgreSQL sharing logins through
the database; SQLite refuses more than one worker in one line."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import ledger
from ledger.cli.app import app
from web.web_helpers import PASSWORD

Server = tuple[str, subprocess.Popen[bytes]]
SERVE = "from ledger.cli.app import main; main()"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_pids(pid: int) -> list[int]:
    """The processes `pid` started (Linux), e.g. uvicorn's workers."""
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(text) for text in found.read_text().split()] if found.exists() else []


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server | None]:
    """`ledger serve --workers 2` on the test database until the test ends (None on
    SQLite, which refuses it)."""
    if database_url.startswith("sqlite"):
        yield None
        return
    lg = ledger.open(database_url)
    lg.users.create("jana", PASSWORD)
    lg.close()
    port = free_port()
    command = [sys.executable, "-c", SERVE, "serve", "--database", database_url,
               "--port", str(port), "--workers", "2"]  # fmt: skip
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log)
        yield base, process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll until the server answers (bounded: a broken start fails the test)."""
    for _ in range(300):
        if process.poll() is not None:
            pytest.fail(f"ledger serve stopped: {log.read_text()}")
        try:
            httpx.get(f"{base}/login", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("ledger serve did not answer within a minute")


def test_workers_on_postgresql_share_the_login_and_sqlite_refuses_them(
    database_url: str, server: Server | None
) -> None:
    if server is None:
        result = CliRunner().invoke(app, ["serve", "--database", database_url, "--workers", "2"])
        assert result.exit_code == 1
        assert result.output.count("\n") == 1
        assert "--workers above 1 needs PostgreSQL" in result.output
        return
    base, process = server
    with httpx.Client(base_url=base) as browser:
        page = browser.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        login = browser.post("/login", data={"username": "jana", "password": PASSWORD,
                                             "csrf_token": token})  # fmt: skip
        cookies = browser.cookies
    assert (login.status_code, login.headers["location"]) == (303, "/")
    pages = []
    for path in ["/", "/invoices", "/time", "/clients"] * 5:  # each on a new connection
        with httpx.Client(base_url=base, cookies=cookies) as fresh:
            pages.append((path, fresh.get(path).status_code))
    assert pages == [(path, 200) for path, _ in pages]
    assert len(child_pids(process.pid)) >= 2
