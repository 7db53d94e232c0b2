"""Toggl benchmark: the bundled Toggl plugin imports 20,000 time entries, re-syncs them
unchanged, then tags 2,000 invoiced entries in Toggl, each against a floor measured in
the same run on the same data.

    python bench/bench_toggl.py                    # 20,000 entries, 2,000 pushed
    python bench/bench_toggl.py --entries 2000     # a quick smoke run

The upstream is an in-process fake answering in Toggl's API v9 format, so the figures
are ledger's own work (parse, stage, apply, audit, link), not the network's.

Floors: import = raw ``sqlite3.executemany`` of the same entries and their links with
one audit row each (JSON and hashes built inside the clock); push = executemany of the
same 2,000 link updates with their audit rows. Targets: import within 6x its floor,
push within 6x its floor, unchanged re-sync under 1 s.

The push records each batch's links in a transaction of its own as soon as Toggl
accepts it (so a push cut off midway never sends a batch twice), so with 2,000
entries in batches of 100 it commits 20 times where the floor commits once; on this
disk those commits are most of the gap. On 2026-12-03 the push stopped digesting
each entry's state three times (once to see it changed, twice to store it): measured
alone (4,000 entries, 2,000 pushed, 4 interleaved runs at load 5.5 to 6.4), CPU
0.199 / 0.204 s before, 0.154 / 0.187 s after (min / median). The whole benchmark
after it, at load 5.0 to 5.6 (the machine shared with three other benchmarks, so
every figure, floors too, about twice a quiet run's):

    step            min / median
    import floor    2.615 / 3.009 s
    import          6.998 / 8.310 s    2.7x (goal 6x)
    re-sync         2.001 / 2.571 s    (goal under 1 s: not met at this load; 0.92 s at load 1.0)
    push floor      0.097 / 0.124 s
    push            0.533 / 0.644 s    5.5x (goal 6x; 6.1x at load 1.0 before)
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

import benchkit
import ledger
from ledger.platform.registry import Registry
from ledger.plugins import Toggl

IMPORT_VS_FLOOR = 6.0
PUSH_VS_FLOOR = 6.0
RESYNC_S = 1.0
WORKSPACE, PROJECTS, CLIENT = 7654321, (198765432, 198765433), 61234567
START = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)


def toggl_entries(count: int) -> list[dict[str, Any]]:
    """`count` finished entries in Toggl's format, 100 a day, on two projects."""
    entries: list[dict[str, Any]] = []
    for n in range(count):
        start = START + dt.timedelta(days=n // 100, minutes=(n % 100) * 5)
        entries.append(
            {"id": 4_000_000_000 + n, "workspace_id": WORKSPACE, "project_id": PROJECTS[n % 2],
             "task_id": None, "billable": True, "start": start.isoformat(),
             "stop": (start + dt.timedelta(minutes=4)).isoformat(), "duration": 240,
             "description": f"Úkol {n}: review a opravy", "tags": [], "tag_ids": [],
             "duronly": True, "at": (start + dt.timedelta(minutes=5)).isoformat(),
             "server_deleted_at": None, "user_id": 1, "uid": 1, "wid": WORKSPACE,
             "pid": PROJECTS[n % 2], "permissions": None}
        )  # fmt: skip
    return entries


class FakeToggl:
    """Toggl's API v9 in process: /me, entries by window or since, projects, clients, tags."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries = entries
        self.patches = 0
        self.changed_since: list[dict[str, Any]] = entries

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v9")
        if request.method == "PATCH":
            self.patches += 1
            ids = [int(i) for i in path.rsplit("/", 1)[1].split(",")]
            return httpx.Response(200, json={"success": ids, "failure": []})
        if path == "/me":
            me = {"id": 1, "default_workspace_id": WORKSPACE, "timezone": "Europe/Prague"}
            return httpx.Response(200, json=me)
        if path == "/me/time_entries":
            return httpx.Response(200, json=self._window(request.url.params))
        if path.endswith("/projects"):
            names = ("Webshop", "Platební brána")
            projects = [
                {"id": p, "name": n, "client_id": CLIENT}
                for p, n in zip(PROJECTS, names, strict=True)
            ]
            return httpx.Response(200, json=projects)
        return httpx.Response(200, json=[{"id": CLIENT, "name": "Acme s.r.o."}])

    def _window(self, params: httpx.QueryParams) -> list[dict[str, Any]]:
        if "since" in params:
            return self.changed_since
        first, last = params["start_date"], params["end_date"]
        return [e for e in self.entries if first <= e["start"][:10] < last]


def floor_import(path: Path, entries: list[dict[str, Any]]) -> float:
    """Raw executemany of the entries and their links, with audit rows, in one transaction."""
    lg = ledger.open(path)
    project = lg.projects.add(lg.clients.add(name="Floor", currency="CZK"), name="Floor")
    lg.close()
    conn = _connect(path)
    started = time.perf_counter()
    rows = [
        (n + 1, project.id, e["start"][:10], e["description"], "time", e["duration"] // 60, 1,
         "2026-01-01 00:00:00")
        for n, e in enumerate(entries)
    ]  # fmt: skip
    links = [
        (n + 1, "toggl", "time_entries", n + 1, str(e["id"]), _digest(e), "", "2026-01-01")
        for n, e in enumerate(entries)
    ]  # fmt: skip
    audit = _audit_rows("work_entries", rows) + _audit_rows("external_links", links)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO work_entries (id, project_id, date, description, kind, minutes, billable, "
        "created_at) VALUES (?,?,?,?,?,?,?,?)",
        rows,
    )
    conn.executemany(
        "INSERT INTO external_links (id, plugin, entity, object_id, external_id, upstream_state, "
        "pushed_fingerprint, updated_at) VALUES (?,?,?,?,?,?,?,?)",
        links,
    )
    _insert_audit(conn, audit)
    conn.execute("COMMIT")
    took = time.perf_counter() - started
    conn.close()
    return took


def floor_push(path: Path, count: int) -> float:
    """Executemany of `count` link updates (the pushed digest) with their audit rows."""
    conn = _connect(path)
    started = time.perf_counter()
    updates = [(_digest({"tags": ["invoiced"], "n": n}), n + 1) for n in range(count)]
    audit = _audit_rows("external_links", updates)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("UPDATE external_links SET pushed_fingerprint = ? WHERE id = ?", updates)
    _insert_audit(conn, audit)
    conn.execute("COMMIT")
    took = time.perf_counter() - started
    conn.close()
    return took


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:32]


def _audit_rows(entity: str, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    audit, previous = [], "0" * 64
    for row in rows:
        after = json.dumps(dict(enumerate(row)), default=str)
        digest = hashlib.sha256(f"{previous}{after}".encode()).hexdigest()
        audit.append(("2026-01-01 00:00:00", "plugin:toggl", entity, str(row[0]), "insert",
                      None, after, None, previous, digest))  # fmt: skip
        previous = digest
    return audit


def _insert_audit(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    conn.executemany(
        "INSERT INTO audit_events (at, source, entity, entity_id, action, before, after, run_id, "
        "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
        rows,
    )


def one_round(folder: Path, entries: list[dict[str, Any]], pushed: int) -> dict[str, float]:
    fake = FakeToggl(entries)
    lg = ledger.open(folder / "bench.db", source="cli", registry=Registry([Toggl]))
    lg.plugins.configure("toggl", api_token="bench-token-0000", start_date="2026-01-01")
    lg.plugins.enable("toggl")
    transport = httpx.MockTransport(fake.handle)
    figures = {"import": _timed(lambda: _sync(lg, transport, created=len(entries)))}
    # Toggl answers `since` with what changed; here all of it, yet unchanged in content,
    # so the re-sync must write nothing after comparing every entry.
    figures["re-sync"] = _timed(lambda: _sync(lg, transport, created=0))
    fake.changed_since = []  # invoicing happens in ledger; nothing changed in Toggl
    client = lg.clients.list()[0]
    lg.clients.update(client, hourly_rate="1000")
    last_day = (START + dt.timedelta(days=pushed // 100 - 1)).date()
    lg.invoices.issue(lg.invoices.draft(client, until=last_day), issue_date=last_day)
    figures["push"] = _timed(lambda: _sync(lg, transport, created=0))
    assert fake.patches == -(-pushed // 100), fake.patches
    lg.close()
    figures["import floor"] = floor_import(folder / "floor.db", entries)
    figures["push floor"] = floor_push(folder / "floor.db", pushed)
    return figures


def _sync(lg: ledger.Ledger, transport: httpx.BaseTransport, created: int) -> None:
    run = lg.sync("toggl", transport=transport)
    assert run.status == "succeeded", run.error_message
    assert run.created == created + (3 if created else 0), (run.created, created)


def _timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--pushed", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    entries = toggl_entries(args.entries)
    rounds = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            rounds.append(one_round(Path(tmp), entries, args.pushed))
    print(f"Toggl: {args.entries:,} entries imported, {args.pushed:,} tagged; "
          f"{args.rounds} rounds, fresh databases")  # fmt: skip
    print(f"{'step':<40} {'min s':>8} {'median s':>9}  target")
    best = {key: min(r[key] for r in rounds) for key in rounds[0]}
    for key in ("import floor", "import", "re-sync", "push floor", "push"):
        median = statistics.median(r[key] for r in rounds)
        print(f"{key:<40} {best[key]:>8.3f} {median:>9.3f}  {_target(key, best)}")
    for key, floor, goal in (("import", "import floor", IMPORT_VS_FLOOR),
                             ("push", "push floor", PUSH_VS_FLOOR)):  # fmt: skip
        detail = f"best {best[key]:.3f} s vs {best[floor]:.3f} s"
        benchkit.report_ratio(f"Toggl {key} / {floor}", best[key] / best[floor], goal, detail)
    benchkit.report_ratio(
        "Toggl re-sync (share of its target)", best["re-sync"] / RESYNC_S, 1.0,
        f"best {best['re-sync']:.3f} s; target {RESYNC_S} s",
    )  # fmt: skip


def _target(key: str, best: dict[str, float]) -> str:
    if key == "import":
        return f"<= {IMPORT_VS_FLOOR}x floor: {best['import'] / best['import floor']:.1f}x"
    if key == "push":
        return f"<= {PUSH_VS_FLOOR}x floor: {best['push'] / best['push floor']:.1f}x"
    if key == "re-sync":
        return f"< {RESYNC_S} s: {best['re-sync'] / RESYNC_S:.2f} of target"
    return ""


if __name__ == "__main__":
    main()
