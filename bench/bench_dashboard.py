"""Dashboard benchmark at 200,000 time entries and 5,000 invoices (issue 16).

    python bench/bench_dashboard.py                       # about 4 minutes with PostgreSQL
    python bench/bench_dashboard.py --entries 20000 --invoices 500 --rounds 3   # a smoke run
    LEDGER_BENCH_POSTGRES_URL=postgresql+psycopg://USER:PW@HOST/postgres \\
        python bench/bench_dashboard.py                   # adds the load test

The data (`sample_ledger.py`: Czech clients, a few projects each, two years of entries,
invoices every half month, most paid through a synced bank account) is built once,
untimed, through the audited bulk paths.

1. Server time (SQLite, in process): every round copies the built database to a fresh
   file and, in a fresh process, logs in with Starlette's TestClient and times
   `--requests` rounds of four requests: the dashboard with its data unchanged; the
   dashboard after logging a time entry (untimed, through the API, as a freelancer
   does before looking); the dashboard with its cache emptied, as after any other
   change; and a static Starlette page (the floor: what the TestClient and Starlette
   cost without ledger). Goal: each median under 30 ms (ratio median / 30 ms).
2. Load (PostgreSQL, when ``LEDGER_BENCH_POSTGRES_URL`` or ``LEDGER_TEST_DATABASE_URL``
   names a role with CREATEDB): a fresh database with the same data, analysed (as
   autovacuum does soon after a bulk load), then ``ledger serve --workers 4`` on
   127.0.0.1 with 4 clients asking for the dashboard back to back for `--seconds`,
   after a warm-up. Goals: at least 52 requests/s, 4x the 13 measured before issue 16
   with one server (ratio 52 / measured), and p95 under 200 ms (ratio p95 / 200 ms).
   The floor, a static page from uvicorn with the same workers and clients, is printed
   beside it.

The machine is shared (2 cores): the load average is printed at the start and the end.

Each request's CPU time (the process's: the TestClient's thread and the server's, as
for the floor) is printed beside its wall time: a busy machine moves it much less.

Measured on the shared 2-core machine (Python 3.11, SQLite 3.40), default arguments,
SQLite only, after the settings were read once per request, the invoiced months and
top clients were summed from ix_invoices_issued alone and the timer's options made
once; the code before measured in between (load average 2.0 to 2.8, others' tests
and benchmarks running; the floor's min 1.1 to 1.2 ms, 1.0 in the quietest runs):

    SQLite, in process, 5 rounds x 20  wall min  median  CPU min  median (ms)
    dashboard, data unchanged               5.1     9.5      5.1     9.0  < 30: met (0.32x)
    after logging time                     12.0    23.6     12.0    20.3  < 30: met (0.79x)
    after any other change                 19.4    48.1     19.3    30.7  < 30: not met (1.60x)
    floor (static page)                     1.1     2.5      1.1     2.4
    peak RSS 92 MiB
    the run before it (load 3.1 to 2.6): after any other change 21.3 / 33.6 (1.12x),
    after logging time 14.0 / 22.3, data unchanged 6.0 / 9.3, floor 1.2 / 1.8
    the code before, between the two (load 2.4 to 2.2): after any other change
    25.6 / 40.4 (CPU median 39.4), after logging time 17.4 / 26.3, data unchanged
    8.1 / 11.7, floor 1.2 / 1.9

With the settings also read as a plain row (about 0.3 ms less on every page), at
load 3.6 to 4.0: after any other change 20.4 / 47.9 (CPU 20.4 / 33.3), after logging
time 13.1 / 31.1, data unchanged 5.3 / 11.6, floor 1.2 / 2.9.

The minimum after a change fell by a sixth to a quarter (25.6 to 19.4 to 21.3 ms);
the medians swing with the machine (48.1 ms beside a CPU median of 30.7: the process
waited for a core), so the goal is not shown met on this machine today. At load 4.8 to
5.1 the same code measured 19.1 min / 69.8 median (CPU 19.1 / 34.5); interleaved
with the code before at load 4.6 to 5.7, 19.6 to 20.4 ms min against 23.3 to 25.1.
Read in one process, part by part (min of 60): rendering with the layout 3.8 to
2.2 ms (the timer's 319 projects 0.8 to under 0.1), the invoiced months 0.72 to
0.28 ms, the top clients 0.81 to 0.56 ms, the settings read twice more (first steps,
today's time zone) 1.3 ms to none.

What is left after a change, per part (min of 60, in process): unbilled work 5 to 6 ms
(the open entries' SQL 3.0 to 3.7, the owners 0.5, pricing each of 319 groups in
Python, rows fetched one at a time: fetched whole and read by position, 0.7 ms less),
money owed and overdue 2.2 to 2.5 ms (5,000 issued invoices each probing its
payments), income and expenses 1.4 ms (3,000 transactions sorted into months), top
clients 0.6, reminders 0.3, invoiced months 0.3; rendering 2.2; the settings, the
session, the newest audit id, the running timer and the due templates 0.2 to 0.5
each; the floor 1.0. Reading the work figures on a second connection beside the
money figures was tried and dropped: at load 5 both reads took 13.3 ms min that way
and 12.8 ms one after the other.

Before these changes, load average 1.7 at the start and 3.1 at the end, after the
money figures were kept across logged time:

    SQLite, in process, 5 rounds x 20  wall min  median  CPU min  median (ms)
    dashboard, data unchanged               6.5    10.1      6.5    10.0  < 30: met (0.34x)
    after logging time                     13.9    21.8     13.8    21.1  < 30: met (0.73x)
    after any other change                 22.6    30.6     22.6    30.6  not met (1.02x)
    floor (static page)                     1.0     1.7      1.0     1.7
    peak RSS 91 MiB

    PostgreSQL, 4 workers, 4 clients, 10 s  req/s   p50   p95   max (ms)
    floor (static page, uvicorn)           1246.0     8    22    58
    dashboard                               150.9    25    42   305   0 errors
    goals: >= 52 req/s met (0.34x), p95 < 200 ms met (0.21x)

Earlier the same day, after issue 16's second round (migration 0017) but before the
money figures were kept across logged time, with others' benchmarks running (load
5.4 to 4.5): data unchanged 8.1 / 23.7, after a change 35.6 / 78.2 (CPU 28.9 /
41.5); PostgreSQL 58.7 req/s, p95 126 ms.

The quietest run of that code (SQLite only, load 1.9 to 2.0): after a change 22.0
min / 38.4 median (CPU 22.0 / 38.2), data unchanged 6.1 / 11.4, floor 0.9 / 1.7; at
load 2.8 to 3.2: after a change 23.5 / 42.0, data unchanged 6.4 / 12.2. Before this round, at
load 2.8 to 4.3: after a change 36.1 / 56.6, data unchanged 5.8 / 9.0. On the same
data, interleaved in one session at load 4 to 5, the dashboard handler's own CPU time
after a change went from 38 to 44 ms (min; median 59 to 65) to 21 to 23 ms (median 34);
its wall median moves with the load, not with ledger (the floor's median doubles too).

The load test swings with the machine: at load 7.8, 41.2 req/s and p95 196 ms; at
8.6 (others' benchmarks running), 21.6 req/s and p95 274 ms. Before issue 16 the same
data gave a dashboard of 1.19 s min / 1.45 s median in process (load 3.9).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine
from sqlmodel import SQLModel
from starlette.testclient import TestClient

import benchkit
import ledger
import ledger.storage.tables  # every table in the metadata
import sample_ledger
from bench_load import (
    Browser,
    Samples,
    for_seconds,
    free_port,
    fresh_database,
    load,
    measure_floor,
    server,
)
from ledger.web import create_app
from ledger.web.data_cache import DataCache
from web_data import PASSWORD

SERVER_MS = 30.0
REQUESTS_PER_S = 52.0  # 4x the 13 requests/s of one server before issue 16
P95_MS = 200.0
SERVE = "from ledger.cli.app import main; main()"
LABELS = {"dashboard": "dashboard, data unchanged", "logged": "after logging time",
          "changed": "after any other change", "floor": "floor (static page)"}  # fmt: skip
CPU = [f"{name} cpu" for name in LABELS]


def build(url: str, entries: int, invoices: int) -> dict[str, int]:
    lg = ledger.open(url, source="cli")
    counts = sample_ledger.build(lg, entries, invoices, lg.today())
    lg.users.create("bench", PASSWORD)
    lg.close()
    return counts


# --- 1. server time, in process --------------------------------------------------------


def measure_in_process(path: str, requests: int) -> None:
    """Run in a fresh process: time the dashboard and the floor, print JSON."""
    from bench_load import floor_app

    lg = ledger.open(path, source="cli")
    app = create_app(lg)
    times: dict[str, list[float]] = {name: [] for name in (*LABELS, *CPU)}
    with TestClient(app) as client, TestClient(floor_app) as bare:
        token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/login", data={"username": "bench", "password": PASSWORD,
                                    "csrf_token": token})  # fmt: skip
        assert client.get("/").status_code == 200  # templates compiled, pools filled
        project = lg.projects.list()[0].id
        for n in range(requests):
            _timed(client, "/", times, "dashboard")
            # A freelancer logs time, then looks: hours and unbilled work are read again.
            lg.entries.add(project, date=lg.today(), minutes=15 + n, description="Oprava")
            _timed(client, "/", times, "logged")
            app.state.data_cache = DataCache()  # as after any other change: all read
            _timed(client, "/", times, "changed")
            _timed(bare, "/", times, "floor")
    lg.close()
    print(json.dumps({**times, "rss_kib": peak_rss_kib()}))


def peak_rss_kib() -> int:
    """This process's peak RSS: VmHWM starts afresh at exec, while Linux's ru_maxrss
    keeps the parent's peak (here the built data) across the fork and exec."""
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _timed(client: TestClient, path: str, times: dict[str, list[float]], name: str) -> None:
    """Wall and CPU milliseconds of one request (the process's CPU: the client's thread
    and the server's, as for the floor), under `name` and `name` + " cpu"."""
    started, cpu = time.perf_counter(), time.process_time()
    status = client.get(path).status_code
    times[name].append((time.perf_counter() - started) * 1000)
    times[f"{name} cpu"].append((time.process_time() - cpu) * 1000)
    if status != 200:
        raise SystemExit(f"{path} answered {status}")


def server_time(template: Path, tmp: Path, rounds: int, requests: int) -> bool:
    times: dict[str, list[float]] = {name: [] for name in (*LABELS, *CPU)}
    rss: list[int] = []
    for n in range(rounds):
        fresh = tmp / f"round-{n}.db"
        shutil.copy(template, fresh)
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(fresh), "--requests", str(requests)],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        result = json.loads(out.strip().splitlines()[-1])
        for name in times:
            times[name] += result[name]
        rss.append(result["rss_kib"])
        fresh.unlink()
    rss_mib = statistics.median(rss) / 1024
    print(f"SQLite, in process, {rounds} rounds x {requests} requests; peak RSS "
          f"{rss_mib:.0f} MiB (median of the rounds); ms min / median, wall and CPU:")  # fmt: skip
    for name, label in LABELS.items():
        wall, cpu = times[name], times[f"{name} cpu"]
        print(f"  {label:<28} {min(wall):7.1f} {statistics.median(wall):7.1f}"
              f"   CPU {min(cpu):7.1f} {statistics.median(cpu):7.1f}")  # fmt: skip
    met = True
    for name, goal in (("dashboard", "dashboard server time"),
                       ("logged", "dashboard server time after logging time"),
                       ("changed", "dashboard server time after any other change")):  # fmt: skip
        median = statistics.median(times[name])
        detail = f"median {median:.1f} ms vs {SERVER_MS:.0f} ms"
        met &= benchkit.report_ratio(goal, median / SERVER_MS, 1.0, detail)
    return met


# --- 2. load, PostgreSQL ----------------------------------------------------------------


def copy_to_postgres(template: Path, url: str) -> None:
    """The SQLite database's rows, audit trail included, into a new PostgreSQL ledger.

    Building the data on PostgreSQL through the same paths takes three minutes: the
    bulk inserts ask for their ids back in multi-row statements that psycopg parses
    anew each time. COPY writes the same rows in seconds; both databases share the key
    file, so the copied audit chain verifies (`ledger audit verify`)."""
    ledger.open(url, source="cli").close()  # the schema, at the newest migration
    source = create_engine(f"sqlite:///{template}")
    target = create_engine(url)
    with source.connect() as reading, target.begin() as writing:
        writing.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
        cursor = writing.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for table in SQLModel.metadata.sorted_tables:
            names = ", ".join(f'"{column.name}"' for column in table.columns)
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in reading.execute(table.select()):
                    copy.write_row(tuple(row))
            if "id" in table.columns and table.c.id.autoincrement is not False:
                writing.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f'coalesce(max(id), 0) + 1, false) FROM "{table.name}"'
                )
    source.dispose()
    with target.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")  # what autovacuum does soon after a bulk load
    target.dispose()


def load_test(admin: str, template: Path, args: argparse.Namespace) -> bool:
    with fresh_database(admin) as url:
        started = time.perf_counter()
        copy_to_postgres(template, url)
        print(f"PostgreSQL: the same data copied and analysed in "
              f"{time.perf_counter() - started:.0f} s (untimed)")  # fmt: skip
        floor = measure_floor(args.workers, args.seconds, args.clients)
        dashboard = serve_dashboard(url, args)
    ordered = sorted(dashboard.latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000
    errors = sum(status != 200 for status in dashboard.statuses)
    head = f"{'':<30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'409':>6} "
    print(head + f"{'4xx':>5} {'5xx':>5} {'>2 s':>6}")
    print(f"{'floor (static page, uvicorn)':<30} {floor.row()}")
    print(f"{'dashboard':<30} {dashboard.row()}")
    print(f"{args.workers} workers, {args.clients} clients, {args.seconds:g} s; "
          f"{errors} answers other than 200")  # fmt: skip
    rps = dashboard.rps
    met = benchkit.report_ratio(
        f"dashboard requests/s, {args.workers} workers (floor {REQUESTS_PER_S:g} / measured)",
        REQUESTS_PER_S / rps if rps else float("inf"), 1.0,
        f"{rps:.1f} req/s vs at least {REQUESTS_PER_S:g}",
    )  # fmt: skip
    met &= benchkit.report_ratio(
        "dashboard p95 under load", p95 / P95_MS, 1.0, f"p95 {p95:.0f} ms vs {P95_MS:.0f} ms"
    )
    return met and errors == 0


def serve_dashboard(url: str, args: argparse.Namespace) -> Samples:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", SERVE, "serve", "--database", url, "--port", str(port),
               "--workers", str(args.workers)]  # fmt: skip
    with server(command, base, args.workers):
        browser = Browser(base)
        requests = {"dashboard": browser.dashboard}
        until = for_seconds(args.warm_up)
        load(base, browser.cookies, requests, until, args.clients)  # every worker warm
        return load(base, browser.cookies, requests, for_seconds(args.seconds), args.clients)[
            "dashboard"
        ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--invoices", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=5, help="fresh processes, in process")
    parser.add_argument("--requests", type=int, default=20, help="dashboards per round")
    parser.add_argument("--seconds", type=float, default=10.0, help="the load window")
    parser.add_argument("--warm-up", type=float, default=6.0, help="before the load window")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = benchkit.known_args(parser, argv)
    if args.measure:
        measure_in_process(args.measure, args.requests)
        return 0
    benchkit.print_load("load average at the start:")
    met = True
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LEDGER_DATA_DIR"] = tmp  # the key file every process shares
        template = Path(tmp) / "template.db"
        started = time.perf_counter()
        counts = build(str(template), args.entries, args.invoices)
        print(f"SQLite data set {counts} built in {time.perf_counter() - started:.0f} s "
              "(untimed)")  # fmt: skip
        met &= server_time(template, Path(tmp), args.rounds, args.requests)
        admin = os.environ.get("LEDGER_BENCH_POSTGRES_URL") or os.environ.get(
            "LEDGER_TEST_DATABASE_URL"
        )
        if admin:
            met &= load_test(admin, template, args)
        else:
            print("load test skipped: it needs PostgreSQL (set LEDGER_BENCH_POSTGRES_URL)")
    benchkit.print_load("load average at the end:")
    print(f"finished {dt.datetime.now(dt.UTC):%H:%M} UTC")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
