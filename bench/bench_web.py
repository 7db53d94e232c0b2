"""Web benchmark: the dashboard and the invoice list over 200,000 entries and
5,000 invoices — server-side time per page (median) — and dashboard requests per
second from a loopback load generator against uvicorn.

    python bench/bench_web.py                          # the full data set
    python bench/bench_web.py --entries 20000 --invoices 500   # a smoke run

Target: dashboard under 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import socket
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn
from starlette.testclient import TestClient

import ledger
from ledger.web import create_app

DASHBOARD_MS = 100.0
PASSWORD = "bench-password-1"


def build(lg: ledger.Ledger, entries: int, invoices: int) -> None:
    """Clients, projects, `entries` entries over 3 years and `invoices` issued invoices."""
    rnd = random.Random(7)
    start = dt.date(2023, 12, 1)
    clients = [
        lg.clients.add(name=f"Client {n}", currency="CZK" if n % 3 else "EUR",
                       hourly_rate="1200" if n % 3 else "60")
        for n in range(50)
    ]  # fmt: skip
    projects = [lg.projects.add(c, name=f"Project {c.id}") for c in clients]
    per_project = entries // len(projects)
    for project in projects:
        items = [
            {"date": start + dt.timedelta(days=rnd.randrange(1095)),
             "minutes": rnd.choice((30, 60, 90, 120)), "description": "Work"}
            for _ in range(per_project)
        ]  # fmt: skip
        lg.entries.add_many(project, items)
    days = [
        start + dt.timedelta(days=d) for d in range(0, 1095, 1095 * len(clients) // invoices or 1)
    ]
    made = 0
    for day in days:
        for client in clients:
            if made >= invoices:
                return
            try:
                draft = lg.invoices.draft(client, since=day - dt.timedelta(days=30), until=day)
            except ledger.InvalidInput:
                continue
            lg.invoices.issue(draft, issue_date=day)
            made += 1


def median_ms(client: TestClient, path: str, runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times)


def requests_per_second(app: object, seconds: float = 5.0, workers: int = 8) -> float:
    """Dashboard requests/s from `workers` loopback clients against uvicorn."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    cookies = login(base)
    deadline = time.monotonic() + seconds

    def hammer() -> int:
        count = 0
        with httpx.Client(base_url=base, cookies=cookies) as http:
            while time.monotonic() < deadline:
                assert http.get("/").status_code == 200
                count += 1
        return count

    with ThreadPoolExecutor(workers) as pool:
        total = sum(pool.map(lambda _: hammer(), range(workers)))
    server.should_exit = True
    return total / seconds


def login(base: str) -> httpx.Cookies:
    with httpx.Client(base_url=base) as http:
        page = http.get("/login").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        http.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
        return http.cookies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--invoices", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        lg = ledger.open(Path(tmp) / "web.db", source="cli")
        started = time.perf_counter()
        build(lg, args.entries, args.invoices)
        print(f"data set: {args.entries} entries, {len(lg.invoices.list())} invoices "
              f"built in {time.perf_counter() - started:.1f} s")  # fmt: skip
        lg.users.create("bench", PASSWORD)
        app = create_app(lg)
        with TestClient(app) as client:
            token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
            client.post(
                "/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token}
            )
            dashboard = median_ms(client, "/")
            invoice_list = median_ms(client, "/invoices")
        print(f"{'page':<28} {'median ms':>10}  target")
        share = dashboard / DASHBOARD_MS
        print(
            f"{'dashboard':<28} {dashboard:>10.1f}  < {DASHBOARD_MS:.0f} ms: {share:.2f} of target"
        )
        print(f"{'invoice list':<28} {invoice_list:>10.1f}")
        rps = requests_per_second(app)
        lg.close()
    print(f"{'dashboard requests/s':<28} {rps:>10.1f}  (8 loopback clients, uvicorn, 1 process)")


if __name__ == "__main__":
    main()
