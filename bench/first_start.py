"""From a fresh clone to the first served page, then the first page and PDF vs later ones.

    python bench/first_start.py                # clones this checkout's HEAD into a temp dir
    python bench/first_start.py --port 8123

Runs ``make run`` in a fresh ``git clone`` (so pip installs into a new virtualenv; with
a warm package cache that is the common case) with its own data directory, and reports:

- seconds from ``make run`` to the installed virtualenv, and to the first answered page
  (the login page);
- the first dashboard and the first invoice PDF after start, then the median of the
  next five of each (start-up warming should make first and later alike). They are
  fetched after ``--pause`` seconds, the time a person takes to log in (0: at once,
  while the warming may still run).

Not part of ``make bench`` (it installs a virtualenv); the stdlib only, so it runs with
any Python 3.11.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--pause", type=float, default=5.0, help="seconds to log in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "ledger"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = {**os.environ, "LEDGER_DATA_DIR": str(Path(tmp) / "data")}
        started = time.perf_counter()
        server = subprocess.Popen(
            ["make", "run", f"PORT={args.port}"], cwd=clone, env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{args.port}"
            installed = wait_for(f"{base}/login", server, clone / ".venv" / ".installed-runtime")
            print(f"make run → virtualenv installed: {installed - started:.1f} s")
            print(f"make run → first page: {time.perf_counter() - started:.1f} s")
            time.sleep(args.pause)
            measure(base)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()


def wait_for(url: str, server: subprocess.Popen[bytes], stamp: Path) -> float:
    """Wait until `url` answers; return when the install's `stamp` appeared."""
    installed = 0.0
    while server.poll() is None:
        if not installed and stamp.exists():
            installed = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=5):
                return installed or time.perf_counter()
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise SystemExit(f"make run ended with status {server.returncode}")


def measure(base: str) -> None:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    login = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token, "no CSRF token on the login page"
    form = {"username": "demo", "password": "demo-ledger", "csrf_token": token.group(1)}
    opener.open(f"{base}/login", data=urllib.parse.urlencode(form).encode()).read()
    invoices = opener.open(f"{base}/invoices?status=issued").read().decode()
    invoice = re.search(r'href="/invoices/(\d+)"', invoices)
    assert invoice, "no issued invoice in the demo data"
    for name, path in (("dashboard", "/"), ("invoice PDF", f"/invoices/{invoice.group(1)}/pdf")):
        times = [timed(opener, base + path) for _ in range(6)]
        print(f"{name}: first {times[0] * 1000:.0f} ms, "
              f"then median {statistics.median(times[1:]) * 1000:.0f} ms")  # fmt: skip


def timed(opener: urllib.request.OpenerDirector, url: str) -> float:
    started = time.perf_counter()
    opener.open(url).read()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
