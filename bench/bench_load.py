"""Load benchmark: ``ledger serve --workers N`` on PostgreSQL, on 127.0.0.1, with the
dashboard, the invoice list and a write (logging a time entry) under concurrent
clients: requests/s, p50/p95/max, busy answers (409) and errors (5xx), at 1 and 4
workers, idle and while a sync applies new bank transactions in another process (as
`ledger sync` would). The floor is a static Starlette page served by uvicorn with the
same workers.

    LEDGER_BENCH_POSTGRES_URL=postgresql+psycopg://USER:PW@HOST/postgres \\
        python bench/bench_load.py          # 20,000-row syncs: about 2 minutes
    python bench/bench_load.py --rows 100000 --entries 20000 --invoices 300  # issue 14

The role needs CREATEDB: each run makes a fresh database and drops it after.
``LEDGER_TEST_DATABASE_URL`` works too. Target (issue 14): no 5xx, and no request over
2 s while the sync applies (a write waits 1 s at most, then answers 409 "Busy").
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

import benchkit
import ledger
from bench_sync import SOURCE, bank_rows, make_plugin
from ledger.platform.registry import Registry
from web_data import PASSWORD, build

SLOW_S = 2.0
CLIENTS = 2  # per endpoint: six users at once, each sending its next request at once
WARM_UP_S = 2.0  # every worker compiles its templates and fills its pools, unmeasured
SETTLE_S = 1.5  # per worker: a spawned worker imports ledger after the first one answers
SERVE = "from ledger.cli.app import main; main()"
BENCH = Path(__file__).resolve().parent


async def static_page(request: object) -> HTMLResponse:
    return HTMLResponse("<!doctype html><title>floor</title><p>floor</p>")


floor_app = Starlette(routes=[Route("/", static_page)])
"""The floor: what uvicorn and Starlette cost without ledger."""


@dataclass
class Samples:
    """Latencies (s) and statuses of one endpoint over one window."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def row(self) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        busy = self.statuses.count(409)
        refused = sum(400 <= status < 500 and status != 409 for status in self.statuses)
        errors = sum(status >= 500 for status in self.statuses)
        slow = sum(latency > SLOW_S for latency in ordered)
        return (
            f"{self.rps:>8.1f} {statistics.median(ordered) * 1000:>8.0f} {p95 * 1000:>8.0f} "
            f"{ordered[-1] * 1000:>8.0f} {busy:>6} {refused:>5} {errors:>5} {slow:>6}"
        )

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new PostgreSQL database, dropped afterwards."""
    name = f"ledger_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def server(command: list[str], base: str, workers: int) -> Iterator[None]:
    """A server process (fresh for each measurement) once all its workers started,
    stopped at the end."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if process.poll() is not None:
                raise SystemExit(f"the server stopped: {' '.join(command[3:])}")
            try:
                httpx.get(base + "/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        time.sleep(SETTLE_S * workers)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


class Browser:
    """A logged-in user's cookies, CSRF token and a project to log time on."""

    def __init__(self, base: str) -> None:
        with httpx.Client(base_url=base) as http:
            http.post("/login", data={"username": "bench", "password": PASSWORD,
                                      "csrf_token": _token(http.get("/login").text)})  # fmt: skip
            page = http.get("/time").text
            self.cookies = http.cookies
        self.csrf = _token(page)
        self.project = re.findall(r'<option value="(\d+)"', page)[0]

    def dashboard(self, http: httpx.Client) -> httpx.Response:
        return http.get("/")

    def invoices(self, http: httpx.Client) -> httpx.Response:
        return http.get("/invoices")

    def write(self, http: httpx.Client) -> httpx.Response:
        form = {"project": self.project, "date": "2026-11-30", "duration": "30",
                "description": "Load test", "billable": "on", "csrf_token": self.csrf}  # fmt: skip
        return http.post("/time/entries", data=form)


def _token(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"', maxsplit=1)[0]


Request = Callable[[httpx.Client], httpx.Response]


def load(
    base: str,
    cookies: httpx.Cookies,
    requests: dict[str, Request],
    until: Callable[[], bool],
    clients: int,
) -> dict[str, Samples]:
    """`clients` clients per named request, each looping until `until()` is true."""
    samples = {name: Samples() for name in requests}
    lock = threading.Lock()

    def client(name: str) -> None:
        with httpx.Client(base_url=base, cookies=cookies, timeout=60) as http:
            while not until():
                started = time.perf_counter()
                status = requests[name](http).status_code
                took = time.perf_counter() - started
                with lock:
                    samples[name].latencies.append(took)
                    samples[name].statuses.append(status)

    threads = [
        threading.Thread(target=client, args=(name,)) for name in requests for _ in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for one in samples.values():
        one.seconds = time.perf_counter() - started
    return samples


def for_seconds(seconds: float) -> Callable[[], bool]:
    deadline = time.monotonic() + seconds
    return lambda: time.monotonic() >= deadline


def run_sync(url: str, rows: int, prefix: str) -> None:
    """In its own process, like `ledger sync`: `rows` new bank transactions."""
    data = [{**row, "external_id": f"{prefix}-{row['external_id']}"} for row in bank_rows(rows)]
    lg = ledger.open(url, source="cli", registry=Registry([make_plugin(lambda: iter(data))]))
    lg.plugins.enable(SOURCE)
    run = lg.sync(SOURCE)
    lg.close()
    if run.status != "succeeded" or run.created != rows:
        raise SystemExit(f"the sync did not apply: {run.status} {run.error_message}")


def measure_ledger(url: str, workers: int, args: argparse.Namespace) -> dict[str, Samples]:
    """Idle, then during a sync, against `ledger serve --workers N`."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", SERVE, "serve", "--database", url, "--port", str(port),
               "--workers", str(workers)]  # fmt: skip
    results: dict[str, Samples] = {}
    with server(command, base, workers):
        browser = Browser(base)
        requests = {"dashboard": browser.dashboard, "invoice list": browser.invoices,
                    "write (time entry)": browser.write}  # fmt: skip
        load(base, browser.cookies, requests, for_seconds(WARM_UP_S), args.clients)  # caches
        idle = load(base, browser.cookies, requests, for_seconds(args.seconds), args.clients)
        for name, one in idle.items():
            results[f"idle  {name}"] = one
        sync = multiprocessing.get_context("spawn").Process(
            target=run_sync, args=(url, args.rows, f"w{workers}")
        )
        started = time.perf_counter()
        sync.start()
        during = load(base, browser.cookies, requests, lambda: not sync.is_alive(), args.clients)
        sync.join()
        print(f"  {workers} worker(s): the {args.rows:,}-row sync took "
              f"{time.perf_counter() - started:.1f} s (exit {sync.exitcode})")  # fmt: skip
        for name, one in during.items():
            results[f"sync  {name}"] = one
    return results


def measure_floor(workers: int, seconds: float, clients: int) -> Samples:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uvicorn", "bench_load:floor_app", "--app-dir", str(BENCH),
               "--port", str(port), "--workers", str(workers), "--log-level", "warning",
               "--no-access-log"]  # fmt: skip
    with server(command, base, workers):
        requests: dict[str, Request] = {"floor": lambda http: http.get("/")}
        # As many concurrent clients as the three ledger endpoints have together.
        until = for_seconds(seconds)
        return load(base, httpx.Cookies(), requests, until, clients * 3)["floor"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000, help="transactions the sync adds")
    parser.add_argument("--entries", type=int, default=5_000)
    parser.add_argument("--invoices", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=4.0, help="each idle window")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--clients", type=int, default=CLIENTS, help="per endpoint")
    args = parser.parse_args()
    admin = os.environ.get("LEDGER_BENCH_POSTGRES_URL") or os.environ.get(
        "LEDGER_TEST_DATABASE_URL"
    )
    if not admin:
        print("bench_load: skipped, it needs PostgreSQL: set LEDGER_BENCH_POSTGRES_URL")
        return
    with tempfile.TemporaryDirectory() as tmp, fresh_database(admin) as url:
        os.environ["LEDGER_DATA_DIR"] = tmp  # the key file every process shares
        lg = ledger.open(url, source="cli")
        started = time.perf_counter()
        build(lg, args.entries, args.invoices)
        lg.users.create("bench", PASSWORD)
        lg.close()
        print(f"data set: {args.entries:,} entries, {args.invoices} invoices, built in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        table = {}
        for workers in args.workers:
            floor = measure_floor(workers, args.seconds, args.clients)
            table[workers] = (floor, measure_ledger(url, workers, args))
    report(table)


def report(table: dict[int, tuple[Samples, dict[str, Samples]]]) -> None:
    head = f"{'workers':>7}  {'window  endpoint':<26} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
    print(head + f"{'max ms':>8} {'409':>6} {'4xx':>5} {'5xx':>5} {'>2 s':>6} {'vs floor':>9}")
    for workers, (floor, results) in table.items():
        print(f"{workers:>7}  {'idle  floor (static page)':<26} {floor.row()} {'1.00':>9}")
        for name, one in results.items():
            print(f"{workers:>7}  {name:<26} {one.row()} {one.rps / floor.rps:>9.2f}")
    if len(table) > 1:
        low, high = min(table), max(table)
        for name in table[low][1]:
            ratio = table[high][1][name].rps / (table[low][1][name].rps or 1)
            print(f"{name:<26} {high} vs {low} workers: {ratio:.2f}x requests/s")
    during = [s for _, results in table.values() for n, s in results.items() if "sync" in n]
    errors = sum(status >= 500 for s in during for status in s.statuses)
    slow = sum(latency > SLOW_S for s in during for latency in s.latencies)
    print(f"while syncing: {errors} responses 5xx, {slow} over {SLOW_S:.0f} s (target: 0 and 0)")
    answered = sum(len(s.statuses) for s in during)
    benchkit.report_ratio(
        f"responses 5xx or over {SLOW_S:.0f} s while a sync applies (a count, goal none)",
        errors + slow,
        0,
        f"{errors} 5xx and {slow} slow of {answered} answered",
    )


if __name__ == "__main__":
    main()
