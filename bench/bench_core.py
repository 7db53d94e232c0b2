"""Core benchmark: bulk entries, the raw-sqlite3 floor, invoicing, reports, import.

Run with the project's virtualenv (``make bench``), or directly::

    python bench/bench_core.py                  # the full 200,000-entry run
    python bench/bench_core.py --entries 5000   # a quick smoke run

Everything happens in fresh temporary SQLite databases, deleted at the end.

The bulk step calls ``lg.entries.add_many`` once per project, twice: inside one
``lg.atomic()`` block (one transaction, like the floor) and, into another fresh
database, with each call its own transaction (50 commits, each paying SQLite's
fsync and WAL checkpoint). The floor is the same entry rows plus one audit row each,
inserted with the standard library's ``sqlite3`` ``executemany`` in one transaction
into a fresh copy of the same schema with the same pragmas (WAL, synchronous=FULL,
foreign keys on). The floor's rows, audit JSON and hashes are built before its clock
starts: it is the cost of writing the rows, nothing else. It runs before and after
the API, and the faster run counts. CPU seconds are printed too: on a busy machine
wall-clock ratios wander, CPU ratios much less.

Monthly earnings (``reports.monthly_earnings``: 107,892 billed entries of 1,000 issued
invoices, 1,000 month and project rows), measured on the shared 2-core machine
(Python 3.11, SQLite 3.40), default arguments, with others' benchmarks running, load
average 7.6 at the start and 5.8 at the end: 68.0 ms min / 74.9 ms median, 0.75x its
0.1 s target (an earlier run at load 5.2: 105 ms median). Before migration 0017 it was
166 ms (1.66x): every billed entry, joined to its project and client, was sorted into
its month. On the same data, interleaved at load 5.5, one process each: 113 to 130 ms
CPU before, 31 to 39 ms after. In the same run: bulk ``add_many`` in one
``lg.atomic()`` 23.5 s against the floor's 7.0 s (3.38x, CPU 2.70x; target 3x), a
transaction each 42.2 s, one ``lg.entries.add`` 9.9 ms median (target 5 ms), ``import
ledger`` 45 ms; those rows move with the load and were not this round's work.

Again on a quiet machine (2026-12-03, load average 0.74 at the start, 0.95 at the end):
bulk ``add_many`` in one ``lg.atomic()`` 8.75 s and a transaction each 10.03 s against
the floor's 3.85 s (2.27x and 2.61x), one ``lg.entries.add`` 2.1 ms median, monthly
earnings 30.4 ms median, ``import ledger`` 12 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import benchkit
import ledger

PROJECTS = 50
CLIENTS = 10
YEARS = 3
START = dt.date(2023, 1, 1)
SOURCE = "system:bench"
FORBIDDEN_AT_IMPORT = ("pandas", "alembic", "typer", "weasyprint")

# Targets (seconds, or a ratio for the bulk path).
BULK_VS_FLOOR = 3.0
SINGLE_ADD_S = 0.005
EARNINGS_S = 0.1
IMPORT_S = 0.3
CONTRACT_FASTER = 3.0  # import ledger.contracts vs import ledger; ledger.open(...)


@dataclass
class Row:
    step: str
    seconds: float
    rows: int | None = None
    unit: str = "rows/s"
    target: str = ""
    ratio: float | None = None  # measured / target; <= 1 meets it
    ratio_text: str = ""
    notes: list[str] = field(default_factory=list)
    cpu: float | None = None  # this process's CPU seconds, for busy machines

    @property
    def met(self) -> bool | None:
        return None if self.ratio is None else self.ratio <= 1.0


@dataclass
class Workload:
    """Entry items per project for the API, and each entry's column values for the floor."""

    items: dict[int, list[dict[str, Any]]]
    values: list[dict[str, Any]]  # typed, as the API stores them (minus id and created_at)

    @property
    def count(self) -> int:
        return len(self.values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000, help="work entries to create")
    parser.add_argument("--invoices", type=int, default=1000, help="invoices to draft and issue")
    parser.add_argument("--adds", type=int, default=50, help="interactive adds to time")
    parser.add_argument("--repeat", type=int, default=7, help="runs of the timed reports")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target is missed"
    )
    args = parser.parse_args(argv)
    if args.entries < PROJECTS:
        parser.error(f"--entries must be at least {PROJECTS}")

    benchkit.print_load("load average at the start:")
    print(
        f"ledger {ledger.__version__} on Python {sys.version.split()[0]}, "
        f"SQLite {sqlite3.sqlite_version}: {args.entries:,} entries, {PROJECTS} projects, "
        f"{CLIENTS} clients, {YEARS} years",
        flush=True,
    )
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        lg = ledger.open(Path(tmp) / "api.db", source=SOURCE)
        try:
            project_ids, client_of = _setup(lg)
            work = _workload(project_ids, args.entries, random.Random(args.seed))

            # The floor runs before and after the API, and the faster run counts.
            floors = [_floor(Path(tmp) / "floor-1.db", work)]
            bulk = _bulk_api(lg, work, one_transaction=True)
            per_call = _bulk_api_fresh(Path(tmp) / "per-call.db", work)
            floors.append(_floor(Path(tmp) / "floor-2.db", work))
            floor = min(floors, key=lambda row: row.seconds)
            floor.notes.append(f"runs: {', '.join(f'{row.seconds:.3f} s' for row in floors)}")
            for row in (bulk, per_call):
                ratio = row.seconds / floor.seconds
                row.ratio = ratio / BULK_VS_FLOOR
                row.ratio_text = f"{ratio:.2f}x floor"
                if row.cpu is not None and floor.cpu:
                    row.notes.append(
                        f"CPU {row.cpu:.3f} s vs the floor's {floor.cpu:.3f} s "
                        f"= {row.cpu / floor.cpu:.2f}x"
                    )
            rows += [bulk, per_call, floor]
            _report(rows[-3:])

            rows.append(_single_add(lg, project_ids[0], args.adds))
            _report(rows[-1:])
            rows.append(_invoicing(lg, project_ids, client_of, args.invoices))
            _report(rows[-1:])
            rows.append(_earnings(lg, work.count, args.repeat))
            _report(rows[-1:])
        finally:
            lg.close()
    rows.append(_import_time(args.repeat))
    _report(rows[-1:])
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        rows.append(_contract_import(args.repeat, Path(tmp)))
    _report(rows[-1:])

    return _summary(rows, strict=args.strict)


def _summary(rows: list[Row], *, strict: bool) -> int:
    """The table of every step, the targets missed and the load; the exit status."""
    print()
    _table(rows)
    missed = [row.step for row in rows if row.met is False]
    print()
    print("all targets met" if not missed else f"targets missed: {', '.join(missed)}")
    benchkit.print_load("load average at the end:")
    return 1 if missed and strict else 0


# --- set-up -----------------------------------------------------------------------------


def _setup(lg: ledger.Ledger) -> tuple[list[int], dict[int, int]]:
    """Clients and projects (cheap, untimed); the project ids and each one's client."""
    project_ids: list[int] = []
    client_of: dict[int, int] = {}
    for c in range(CLIENTS):
        client = lg.clients.add(
            name=f"Client {c:02d} s.r.o.", currency="CZK", hourly_rate=str(900 + 100 * c)
        )
        for p in range(PROJECTS // CLIENTS):
            project = lg.projects.add(client=client, name=f"Project {c:02d}-{p}")
            project_ids.append(project.id)
            client_of[project.id] = client.id
    return project_ids, client_of


def _workload(project_ids: list[int], total: int, rnd: random.Random) -> Workload:
    """Entries spread over `YEARS` years: mostly minutes, some start/end, some fixed."""
    days = (START.replace(year=START.year + YEARS) - START).days
    words = ["Review", "Fix", "Deploy", "Meeting", "Refactor", "Docs", "Support", "Tests"]
    items: dict[int, list[dict[str, Any]]] = {}
    values: list[dict[str, Any]] = []
    per_project, extra = divmod(total, len(project_ids))
    for index, project_id in enumerate(project_ids):
        count = per_project + (index < extra)
        dates = sorted(START + dt.timedelta(days=rnd.randrange(days)) for _ in range(count))
        batch = []
        for n, date in enumerate(dates):
            text = f"{rnd.choice(words)} #{n} of project {project_id}"
            item: dict[str, Any] = {"date": date.isoformat(), "description": text}
            started = ended = None
            minutes: int | None = None
            amount_minor = None
            kind = "time"
            roll = rnd.random()
            if roll < 0.04:
                kind = "fixed"
                amount_minor = rnd.randrange(500, 50_000) * 100
                item["amount"] = str(amount_minor // 100)
            elif roll < 0.10:
                started = dt.datetime.combine(date, dt.time(rnd.randrange(7, 12)), dt.UTC)
                ended = started + dt.timedelta(minutes=rnd.randrange(15, 480))
                minutes = (ended - started).seconds // 60
                item["start"], item["end"] = started.isoformat(), ended.isoformat()
            else:
                minutes = rnd.randrange(5, 480)
                item["minutes"] = minutes
            billable = rnd.random() >= 0.03
            if not billable:
                item["billable"] = False
            batch.append(item)
            values.append(
                {
                    "project_id": project_id,
                    "date": date,
                    "description": text,
                    "kind": kind,
                    "started_at": started,
                    "ended_at": ended,
                    "minutes": minutes,
                    "billable": billable,
                    "amount_minor": amount_minor,
                }
            )
        items[project_id] = batch
    return Workload(items, values)


# --- steps ------------------------------------------------------------------------------


def _bulk_api(lg: ledger.Ledger, work: Workload, *, one_transaction: bool) -> Row:
    """One `add_many` per project, in one `lg.atomic()` block (as the floor) or not."""
    started, cpu = time.perf_counter(), time.process_time()
    with lg.atomic() if one_transaction else contextlib.nullcontext():
        created = sum(len(lg.entries.add_many(pid, batch)) for pid, batch in work.items.items())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert created == work.count, (created, work.count)
    how = "in one lg.atomic()" if one_transaction else "a transaction each"
    return Row(
        f"bulk add_many x{len(work.items)}, {how}",
        seconds,
        created,
        target=f"<= {BULK_VS_FLOOR:g}x floor",
        cpu=cpu,
    )


def _bulk_api_fresh(path: Path, work: Workload) -> Row:
    """The per-call variant, into a fresh database of its own."""
    lg = ledger.open(path, source=SOURCE)
    try:
        assert _setup(lg)[0] == list(work.items), "the projects' ids differ"
        return _bulk_api(lg, work, one_transaction=False)
    finally:
        lg.close()


def _floor(path: Path, work: Workload) -> Row:
    """The same rows plus audit rows, raw sqlite3 executemany, one transaction.

    Every column is written in the form SQLAlchemy stores it, and each audit row
    carries the JSON of the whole row and its chained hash, as the API's do; only
    building those values happens before the clock starts.
    """
    fresh = ledger.open(path, source=SOURCE)
    try:
        # The same clients and projects, so the foreign keys hold.
        assert _setup(fresh)[0] == list(work.items), "the projects' ids differ"
    finally:
        fresh.close()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            conn.execute(f"PRAGMA {pragma}")
        first_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM work_entries").fetchone()[0]
        prev = conn.execute("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()[0]
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        columns = [c for c in _entry_columns() if c != "id"]
        rows = [
            {**dict.fromkeys(columns), **values, "id": first_id + n, "created_at": now}
            for n, values in enumerate(work.values)
        ]
        entries = [tuple(_stored(row[c]) for c in columns) for row in rows]
        audit_rows = list(_floor_audit_rows(rows, now, prev))

        started, cpu = time.perf_counter(), time.process_time()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            f"INSERT INTO work_entries ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            entries,
        )
        conn.executemany(
            "INSERT INTO audit_events (at, source, entity, entity_id, action, before, after, "
            "run_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            audit_rows,
        )
        conn.execute("COMMIT")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        last_id = conn.execute("SELECT max(id) FROM work_entries").fetchone()[0]
        assert last_id == first_id + work.count - 1, "the floor's ids are not the predicted ones"
    finally:
        conn.close()
    return Row(
        "floor: sqlite3 executemany, rows + audit",
        seconds,
        work.count,
        ratio_text="1.00x floor",
        cpu=cpu,
    )


def _entry_columns() -> list[str]:
    from ledger.storage import tables

    return list(tables.WorkEntry.__table__.columns.keys())  # type: ignore[attr-defined]


def _stored(value: Any) -> Any:
    """A value as SQLAlchemy's SQLite dialect stores it."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _floor_audit_rows(
    rows: list[dict[str, Any]], at: dt.datetime, prev: str
) -> Iterator[tuple[Any, ...]]:
    at_text, stored_at = at.isoformat(), _stored(at)
    for row in rows:
        entity_id = str(row["id"])
        after = json.dumps(
            row,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            default=lambda value: value.isoformat(),
        )
        parts = (prev, at_text, SOURCE, "work_entries", entity_id, "insert", "", after, "")
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
        yield (
            stored_at,
            SOURCE,
            "work_entries",
            entity_id,
            "insert",
            None,
            after,
            None,
            prev,
            digest,
        )
        prev = digest


def _single_add(lg: ledger.Ledger, project_id: int, repeat: int) -> Row:
    today = dt.date(2025, 12, 31).isoformat()
    times = _timed(
        lambda: lg.entries.add(project=project_id, date=today, minutes=30, description="Call"),
        repeat,
    )
    median = statistics.median(times)
    return Row(
        f"single lg.entries.add (median of {repeat})",
        median,
        1,
        unit="adds/s",
        target=f"< {SINGLE_ADD_S * 1000:g} ms",
        ratio=median / SINGLE_ADD_S,
        notes=[f"max {max(times) * 1000:.1f} ms"],
    )


def _invoicing(
    lg: ledger.Ledger, project_ids: list[int], client_of: dict[int, int], wanted: int
) -> Row:
    """Per project per month, oldest month first: draft, then issue the next month."""
    issued = lines = 0
    started = time.perf_counter()
    for first, last in _months(START, YEARS * 12):
        if issued >= wanted:
            break
        issue_on = last + dt.timedelta(days=1)
        for project_id in project_ids:
            if issued >= wanted:
                break
            try:
                draft = lg.invoices.draft(
                    client=client_of[project_id], project=project_id, since=first, until=last
                )
            except ledger.InvalidInput:
                continue  # a scaled-down run may leave a month without work
            invoice = lg.invoices.issue(draft, issue_date=issue_on)
            issued += 1
            lines += len(invoice.lines)
    seconds = time.perf_counter() - started
    return Row(
        "invoices.draft + issue (per project/month)",
        seconds,
        issued,
        unit="invoices/s",
        target="(none)",
        notes=[f"{issued} invoices, {lines} lines"],
    )


def _earnings(lg: ledger.Ledger, entries: int, repeat: int) -> Row:
    result = lg.reports.monthly_earnings()
    assert result, "no earnings: nothing was invoiced"
    times = _timed(lg.reports.monthly_earnings, repeat)
    median = statistics.median(times)
    return Row(
        f"reports.monthly_earnings (median of {repeat})",
        median,
        entries,
        unit="entries/s",
        target=f"< {EARNINGS_S:g} s",
        ratio=median / EARNINGS_S,
        notes=[f"{len(result)} month/project rows", f"min {min(times) * 1000:.1f} ms"],
    )


def _import_time(repeat: int) -> Row:
    """Cumulative `import ledger` time from ``-X importtime``, in fresh interpreters.

    The notes add the in-process time of `import ledger` plus loading the API
    (``ledger.Ledger``: SQLAlchemy, SQLModel, the tables), which `ledger.open` pays.
    """
    line = re.compile(r"^import time:\s*(\d+)\s*\|\s*(\d+)\s*\|(\s*)(\S+)")
    load_api = (
        "import sys, time; t = time.perf_counter(); import ledger; ledger.Ledger; "
        "print(time.perf_counter() - t); print(*sorted({m.split('.')[0] for m in sys.modules}))"
    )
    samples: list[float] = []
    api: list[float] = []
    forbidden: set[str] = set()
    for _ in range(repeat):
        done = _python("-X", "importtime", "-c", "import ledger")
        for text in done.stderr.splitlines():
            match = line.match(text)
            if not match:
                continue
            name = match.group(4)
            if name.split(".")[0] in FORBIDDEN_AT_IMPORT:
                forbidden.add(name.split(".")[0])
            if name == "ledger" and match.group(3) == " ":
                samples.append(int(match.group(2)) / 1e6)
        seconds, modules = _python("-c", load_api).stdout.splitlines()
        api.append(float(seconds))
        forbidden.update(set(modules.split()) & set(FORBIDDEN_AT_IMPORT))
    if len(samples) != repeat:
        raise RuntimeError("could not find `ledger` in the -X importtime output")
    median = statistics.median(samples)
    notes = [f"with the API loaded (ledger.Ledger) {statistics.median(api):.3f} s"]
    if forbidden:
        notes.append(f"imports {', '.join(sorted(forbidden))} eagerly!")
    return Row(
        "import ledger (-X importtime, median)",
        median,
        None,
        target=f"< {IMPORT_S:g} s, lazy",
        ratio=(median / IMPORT_S) if not forbidden else float("inf"),
        notes=notes,
    )


def _contract_import(repeat: int, directory: Path) -> Row:
    """What a plugin pays (``import ledger.contracts``) against opening a ledger.

    Fresh interpreters, interleaved; each times itself from before its first import.
    The floor is ``import ledger; ledger.open(...)`` on an existing, migrated database.
    """
    clock = "import sys, time; t = time.perf_counter(); "
    contract = clock + "import ledger.contracts; print(time.perf_counter() - t)"
    opening = (
        clock + "import ledger; ledger.open(sys.argv[1]).close(); print(time.perf_counter() - t)"
    )
    database = str(directory / "import.db")
    _python("-c", opening, database)  # create and migrate it once, untimed
    plugin: list[float] = []
    app: list[float] = []
    for _ in range(repeat):
        plugin.append(float(_python("-c", contract).stdout))
        app.append(float(_python("-c", opening, database).stdout))
    faster = statistics.median(app) / statistics.median(plugin)
    return Row(
        f"import ledger.contracts (median of {repeat})",
        statistics.median(plugin),
        None,
        target=f">= {CONTRACT_FASTER:g}x faster than opening a ledger",
        ratio=CONTRACT_FASTER / faster,
        ratio_text=f"{faster:.1f}x faster",
        notes=[
            f"min {min(plugin):.3f} s; import ledger + ledger.open: "
            f"median {statistics.median(app):.3f} s, min {min(app):.3f} s"
        ],
    )


# --- helpers ----------------------------------------------------------------------------


def _timed(call: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True)


def _months(start: dt.date, count: int) -> Iterator[tuple[dt.date, dt.date]]:
    first = start.replace(day=1)
    for _ in range(count):
        following = (first + dt.timedelta(days=32)).replace(day=1)
        yield first, following - dt.timedelta(days=1)
        first = following


def _report(rows: list[Row]) -> None:
    for row in rows:
        rate = f", {_rate(row)} {row.unit}" if row.rows else ""
        print(f"  {row.step}: {row.seconds:.4f} s{rate}", flush=True)


def _rate(row: Row) -> str:
    if not row.rows or row.seconds <= 0:
        return "-"
    return f"{row.rows / row.seconds:,.0f}"


def _table(rows: list[Row]) -> None:
    header = ("step", "seconds", "rate", "target", "ratio", "")
    body = []
    for row in rows:
        ratio = row.ratio_text or ("" if row.ratio is None else f"{row.ratio:.2f} of target")
        verdict = {None: "", True: "ok", False: "MISSED"}[row.met]
        rate = f"{_rate(row)} {row.unit}" if row.rows else "-"
        body.append((row.step, f"{row.seconds:.4f}", rate, row.target, ratio, verdict))
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    aligned = ("<", ">", ">", "<", "<", "<")

    def render(cells: tuple[str, ...]) -> str:
        return "  ".join(
            f"{cell:{a}{w}}" for cell, a, w in zip(cells, aligned, widths, strict=True)
        ).rstrip()

    print(render(header))
    print(render(tuple("-" * w for w in widths)))
    for line in body:
        print(render(line))
    for row in rows:
        if row.notes:
            print(f"  {row.step}: {'; '.join(row.notes)}")
    for row in rows:
        if row.ratio is not None:
            detail = f"{row.seconds:.4f} s; target {row.target} ({row.ratio_text or 'of target'})"
            benchkit.report_ratio(f"{row.step} (share of its target)", row.ratio, 1.0, detail)


if __name__ == "__main__":
    sys.exit(main())
