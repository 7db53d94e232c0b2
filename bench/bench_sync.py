"""Sync benchmark: a bank plugin's first sync, its unchanged re-sync and its memory.

    python bench/bench_sync.py                     # 50,000 rows, 3 rounds, memory 5k/200k
    python bench/bench_sync.py --rows 5000 --rounds 1 --memory-rows 20000   # smoke run

The rows look like a Czech bank's export: counterparty names with diacritics, about
one row in five without a variable symbol, a message and account numbers and a
details mapping on every row. Every measurement runs in a fresh process on a fresh
SQLite database (WAL, synchronous=FULL, as ledger opens it); rounds interleave the
measurements; each figure is the min and median over the rounds.

- first sync: ``lg.sync()`` of a plugin upserting the rows in pages of 1,000,
  against the write floor: one raw ``sqlite3`` transaction that turns the same rows
  into stored values, builds each audit event's JSON and its HMAC-SHA256 chain
  (inside the clock, as ledger must) and executemany's both. Goal: within 2.5x.
- re-sync of the same rows, all unchanged, against the load-and-compare floor: read
  the stored (external id, fingerprint) pairs of the source and compare each with a
  blake2b digest of the incoming row. Goal: within 1.2x.
- memory: peak RSS (``ru_maxrss``) of a process that runs the first sync of 5,000
  rows, then of one that runs it for ``--memory-rows`` (200,000), the plugin
  generating its pages as it goes (as a real one fetches them). Goal: the growth
  within 100 MiB (ratio growth / 100 MiB <= 1). The re-sync of the large database
  is measured and printed too.

Each ledger child also reports how long its longest audited write transaction (the
database's write lock) lasted.

Measured on 2026-12-03, 2 CPUs shared with three other workers (load average 1.3
to 1.4 during this run; earlier runs at load 4-8 gave wall times two to four
times these, with the CPU ratios about the same). 50,000 rows, 3 rounds (re-sync
pairs 9), min / median, wall and CPU:

    write floor              2.057 / 2.521 s   cpu 1.954 / 2.411 s
    first sync               3.716 / 4.097 s   cpu 3.554 / 3.914 s   -> 1.63x (goal 2.5x)
    load-and-compare floor   0.318 / 0.424 s   cpu 0.315 / 0.422 s
    re-sync, unchanged       0.341 / 0.463 s   cpu 0.338 / 0.459 s   -> 1.09x (goal 1.2x)
    write lock held          first sync 2.66 / 2.88 s; re-sync 0.005 / 0.006 s
    peak RSS                 101 MiB at 5,000 rows, 114 MiB at 200,000 -> 0.12 (goal 1.0)
    200,000 rows             first sync 20.5 s (lock 14.3 s); re-sync 3.2 s, 125 MiB

Peak RSS (the line above) is from a later run, ``--rows 5000 --rounds 1
--memory-rows 200000`` at load 2.0: payment matching after the sync now reads the
unmatched income in batches of 5,000 rows, in booking order, and keeps of a payment
no symbol decides only what a suggestion may come from (this statement's income
names no invoice and none is open: nothing), so the growth is 13 MiB, the sync's own
staging and spool. Before, matching loaded all unmatched income at once: measured
side by side with the memory children alone (``--child first --lazy``, load 3-5),
102 MiB at 5,000 rows and 211 MiB at 200,000 (growth 110 MiB, ratio 1.10; the run
of the table above 0.95, of which matching 83 MiB), against 102 and 114 MiB after.
Where invoices are open, matching still keeps each undecided payment no larger than
the largest open balance until the suggestions (its object, about 0.4 KB): see
bench_matching.py, whose apply at 200,000 transactions now peaks at 288 MiB, 345
before.
Before the batched staging (same machine, earlier that day): +4 KB a row (337 MiB
at 50,000), re-sync 0.93 s against a 0.55 s floor.

The re-sync and the first sync again, later on 2026-12-03, after the sync stopped
importing httpx for a plugin that never uses ``ctx.http`` (this one; a bank that
fetches its rows pays httpx's import on top), kept the collector off
the caller's rows from the engine's import on, and read less when nothing changed.
Bytecode compiled (``make install``); 50,000 rows, 3 rounds, ``--memory-rows 0``;
on a shared machine wall times wander more than CPU times:

    load average 1.4 to 1.7      min / median wall       cpu
    write floor                  2.509 / 2.821 s         2.416 / 2.562 s
    first sync                   3.775 / 3.984 s         3.650 / 3.813 s   -> 1.41x (cpu 1.49x)
    load-and-compare floor       0.356 / 0.480 s         0.356 / 0.477 s
    re-sync, unchanged           0.426 / 0.526 s         0.423 / 0.510 s   -> 1.10x (cpu 1.07x)
    write lock held              first sync 2.74 / 2.82 s; re-sync 0.004 / 0.005 s

Other runs the same hour: at load 2.9 to 3.6 the re-sync 0.905 s against 0.990 s
(0.91x, cpu 1.03x), first sync 1.56x; at load 3.0 to 3.9, the engine's bytecode
stale, 1.13x (cpu 1.13x), first sync 1.61x; 12 re-sync pairs alone at load
1.4: 0.377 s against 0.385 s (0.98x; min 0.340 against 0.324 s). Before these
changes those pairs measured 1.59x (cpu 1.55x) at load 1.7. What a re-sync adds
to its floor is now fixed, about 30 ms of CPU: the engine's import (10 ms;
30 ms without bytecode), the run's bookkeeping (recording the run, its settings
and cursor, the final update and read, about 20 ms, mostly SQLAlchemy compiling
each statement once per process) and two committed transactions, which the
floor does not have; the per-row compare matches the floor's loop.

Later still on 2026-12-03, the fixed costs cut further: the modules a sync imports
define no dataclasses (each cost about half a millisecond to define: the engine's
records, the link rows, the exchange log), the engine reuses the configuration
``open`` read (a millisecond to read again), reads the plugin's cursor in the
transaction that records the run, and no longer reads the ended run back (its
final update returns the one thing another process may have changed, a recovery
note: reading all 27 columns back cost 2 ms, mostly compiling). Measured where a
re-sync is nearly all fixed cost, 100 unchanged rows in fresh processes, 15
interleaved pairs before and after at load 4.9 to 5.0: CPU 24.4 / 28.4 ms before,
14.0 / 20.7 ms after (min / median; the floor 1.3 / 2.0 ms). Counted in
instructions (callgrind around ``lg.sync``, which a shared machine does not
disturb): 62.5 million before, 39.6 million after, of which the 100 rows' loop is
6.2 million; what is left is the engine's import (12 million), the run's insert and
cursor read (6), its final update (6) and the read of the stored fingerprints (2.5).
The whole benchmark at load 4.9 to 5.1 (the machine shared with three other
benchmarks; wall times about twice the CPU times), 50,000 rows, 3 rounds,
``--memory-rows 0``:

    load average 4.9 to 5.1      min / median wall       cpu
    write floor                  3.854 / 6.111 s         2.180 / 2.833 s
    first sync                   8.327 / 8.967 s         3.701 / 4.302 s   -> 1.47x (cpu 1.52x)
    load-and-compare floor       0.570 / 1.129 s         0.455 / 0.497 s
    re-sync, unchanged           0.768 / 1.238 s         0.468 / 0.534 s   -> 1.10x (cpu 1.07x)
    write lock held              re-sync 0.005 / 0.016 s

A second run minutes later at load 2.0 to 2.6: the re-sync 0.494 / 0.631 s against
0.491 / 0.549 s (1.15x, cpu 1.08x), the first sync 1.49x (cpu 1.65x). The spread
between runs is the machine's: counted in instructions, a re-sync of 2,100 rows
takes 178.8 million, 69.6 thousand a row beyond the 100-row run, and the floor's
load and loop over the same 2,100 rows 149.5 million (71 thousand a row): per row
the ledger is at its floor. What it adds is the fixed part, 33 million instructions
(1 % of the floor's 3.5 billion at 50,000 rows) but about 13 ms of CPU, as compiling
SQL runs fewer instructions a cycle than hashing: 3 % to 4 % of the floor's 0.35 to
0.5 s, so an unchanged re-sync's expected ratio is about 1.03x to 1.05x.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import json
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import benchkit

SOURCE = "bank"
PAGE = 1000
MIB = 1024 * 1024
FIRST_GOAL, RESYNC_GOAL, MEMORY_GOAL = 2.5, 1.2, 1.0
RESYNC_PAIRS = 3  # re-sync and its floor, alternately, per round

NAMES = [
    "Jan Novák", "Petra Svobodová", "Tomáš Dvořák", "Kateřina Černá", "Jiří Procházka",
    "Lucie Kučerová", "Martin Veselý", "Zdeňka Horáková", "Eva Němcová", "Pavel Marek",
    "Stavební firma Šťastný s.r.o.", "Účetní kancelář Říha", "Kavárna U Čápa",
    "ČEZ Prodej, a.s.", "Česká pošta, s.p.", "Žluťoučký kůň, z.s.", "Ondřej Bartoš",
    "Michaela Pokorná", "Zámečnictví Hrubý", "Dům dětí a mládeže Ústí nad Labem",
]  # fmt: skip
MESSAGES = [
    "Úhrada faktury {n}", "Platba za služby – říjen", "Nájem kanceláře, Vinohradská 12",
    "Vrácení přeplatku", "Záloha na projekt č. {n}", "Členský příspěvek 2026",
]  # fmt: skip
BANKS = [("0800", "GIBACZPX"), ("0100", "KOMBCZPP"), ("2010", "FIOBCZPP"), ("0300", "CEKOCZPP")]


def bank_rows(count: int) -> Iterator[dict[str, Any]]:
    """`count` transactions shaped like a Czech bank's export, the same every call."""
    start = dt.date(2024, 1, 1)
    for n in range(count):
        name = NAMES[n * 7 % len(NAMES)]
        code, bic = BANKS[n % len(BANKS)]
        account = f"{(n * 7919) % 9_000_000 + 1_000_000}/{code}"
        income = n % 5 != 0
        message = MESSAGES[n % len(MESSAGES)].format(n=20260000 + n % 9000)
        yield {
            "external_id": f"{26_000_000_000 + n}",
            "booked_on": start + dt.timedelta(days=n % 700),
            "amount": Decimal(n * 37 % 250_000 + 100).scaleb(-2) * (1 if income else -1),
            "currency": "CZK" if n % 10 else "EUR",
            "account": "2001234567/2010",
            "counterparty_name": name,
            "counterparty_account": account,
            "variable_symbol": "" if n % 5 == 1 else str(2026000000 + n % 9000),
            "constant_symbol": "0308" if n % 3 == 0 else "",
            "message": message,
            "details": {
                "typ": "Bezhotovostní příjem" if income else "Platba převodem uvnitř banky",
                "bic": bic,
                "id_pokynu": str(30_000_000 + n),
                "zprava_pro_prijemce": message,
                "provedl": name,
            },
        }


# --- what each child process does ---------------------------------------------------


def make_plugin(rows: Callable[[], Iterator[dict[str, Any]]]) -> Any:
    """The benchmark's bank plugin: upserts what `rows()` yields, in pages of `PAGE`."""
    from ledger.contracts import Plugin, SyncContext, SyncResult

    class Bank(Plugin):  # type: ignore[type-arg]
        """The benchmark's bank: pages of `PAGE` rows."""

        name = SOURCE
        version = "1.0.0"

        def sync(self, ctx: SyncContext[Any]) -> SyncResult:
            source = rows()
            result = SyncResult()
            while page := [row for _, row in zip(range(PAGE), source, strict=False)]:
                result += ctx.ledger.transactions.upsert(page)
            return result

    return Bank


def _ledger(db: Path, count: int, lazy: bool) -> Any:
    import ledger  # the children time ledger; the parent never imports it
    from ledger.platform.registry import Registry

    kept = None if lazy else list(bank_rows(count))
    plugin = make_plugin(lambda: bank_rows(count) if kept is None else iter(kept))
    lg = ledger.open(db, source="cli", registry=Registry([plugin]))
    lg.plugins.enable(SOURCE)
    return lg


Timed = tuple[float, float]  # wall and CPU seconds (all threads) of the measured part


def child_ledger_sync(db: Path, count: int, lazy: bool, expect: str) -> Timed:
    lg = _ledger(db, count, lazy)
    held = _time_write_transactions(lg.database)
    started, cpu = time.perf_counter(), time.process_time()
    run = lg.sync(SOURCE)
    took = time.perf_counter() - started, time.process_time() - cpu
    lg.close()
    assert run.status == "succeeded", run.error_message
    assert getattr(run, expect) == count, (run.created, run.updated, run.unchanged)
    LOCK_HELD.append(max(held))
    return took


LOCK_HELD: list[float] = []  # the longest audited write transaction of a ledger child


def _time_write_transactions(database: Any) -> list[float]:
    """Record how long each of `database`'s audited write transactions (which hold
    the write lock from start to commit) lasts."""
    held: list[float] = []
    unit_of_work = database.unit_of_work

    @contextmanager
    def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
        started = time.perf_counter()
        try:
            with unit_of_work(*args, **kwargs) as uow:
                yield uow
        finally:
            held.append(time.perf_counter() - started)

    database.unit_of_work = timed
    return held


def child_write_floor(db: Path, count: int) -> Timed:
    rows = list(bank_rows(count))
    key = hashlib.sha256(b"bench").digest()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    started, cpu = time.perf_counter(), time.process_time()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
    values, audit, prev = [], [], "0" * 64
    for n, r in enumerate(rows, 1):
        minor = int(r["amount"].scaleb(2))
        stored = {
            "id": n, "source": SOURCE, "external_id": r["external_id"], "account": r["account"],
            "booked_on": r["booked_on"].isoformat(), "amount_minor": minor,
            "currency": r["currency"], "counterparty_name": r["counterparty_name"],
            "counterparty_account": r["counterparty_account"],
            "variable_symbol": r["variable_symbol"], "constant_symbol": r["constant_symbol"],
            "specific_symbol": "", "message": r["message"],
            "details": json.dumps(r["details"], sort_keys=True, ensure_ascii=False),
            "fingerprint": "", "kind": "income" if minor > 0 else "expense",
            "match_locked": 0, "matched_invoice_id": None, "created_at": now,
        }  # fmt: skip
        values.append(tuple(stored.values()))
        after = json.dumps(stored, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        parts = (prev, now, f"plugin:{SOURCE}", "money_transactions", str(n), "insert", "", after)
        digest = hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()
        audit.append((now, f"plugin:{SOURCE}", "money_transactions", str(n), "insert",
                      None, after, None, prev, digest))  # fmt: skip
        prev = digest
    conn.execute("BEGIN IMMEDIATE")
    columns = ", ".join(stored)
    marks = ", ".join("?" * len(stored))
    conn.executemany(f"INSERT INTO money_transactions ({columns}) VALUES ({marks})", values)
    conn.executemany(
        "INSERT INTO audit_events (at, source, entity, entity_id, action, before, after, "
        "run_id, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
        audit,
    )
    conn.execute("COMMIT")
    took = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    return took


def child_compare_floor(db: Path, count: int) -> Timed:
    rows = list(bank_rows(count))
    conn = sqlite3.connect(db, isolation_level=None)
    started, cpu = time.perf_counter(), time.process_time()
    query = "SELECT external_id, fingerprint FROM money_transactions WHERE source = ?"
    stored = dict(conn.execute(query, (SOURCE,)))
    unchanged = 0
    for row in rows:
        digest = hashlib.blake2b(repr(row).encode(), digest_size=16, person=b"ledger-input")
        unchanged += stored.get(row["external_id"]) == digest.hexdigest()
    took = time.perf_counter() - started, time.process_time() - cpu
    conn.close()
    assert unchanged == count, f"the floor found {unchanged} of {count} unchanged"
    return took


def child(args: argparse.Namespace) -> None:
    db = Path(args.db)
    if args.child == "first":
        took = child_ledger_sync(db, args.rows, args.lazy, "created")
    elif args.child == "again":
        took = child_ledger_sync(db, args.rows, args.lazy, "unchanged")
    elif args.child == "write_floor":
        took = child_write_floor(db, args.rows)
    elif args.child == "compare_floor":
        took = child_compare_floor(db, args.rows)
    else:  # "schema": a fresh database, for the write floor
        _ledger(db, 0, lazy=True).close()
        took = 0.0, 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    lock = max(LOCK_HELD, default=0.0)
    print(json.dumps({"seconds": took[0], "cpu": took[1], "peak": peak, "lock": lock}))


# --- the parent: rounds, floors, ratios -----------------------------------------------


def spawn(kind: str, db: Path, rows: int, lazy: bool = False) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", kind, "--db", str(db), "--rows", str(rows)]
    done = subprocess.run(
        [*command, *(["--lazy"] if lazy else [])], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def copy_db(source: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
    return target


Runs = dict[str, list[dict[str, float]]]


def timing_rounds(tmp: Path, rows: int, rounds: int) -> Runs:
    runs: Runs = {k: [] for k in ("write", "first", "compare", "again")}
    spawn("schema", tmp / "schema.db", 0)
    for r in range(rounds):
        floor_db = copy_db(tmp / "schema.db", tmp / f"floor{r}.db")
        runs["write"].append(spawn("write_floor", floor_db, rows))
        synced = tmp / f"ledger{r}.db"
        runs["first"].append(spawn("first", synced, rows))
        for _ in range(RESYNC_PAIRS):  # cheap, so more samples against the noise
            runs["compare"].append(spawn("compare_floor", copy_db(synced, tmp / "c.db"), rows))
            runs["again"].append(spawn("again", copy_db(synced, tmp / "again.db"), rows))
        print(f"round {r + 1}: " + ", ".join(
            f"{k} {v[-1]['seconds']:.3f} s (cpu {v[-1]['cpu']:.3f})" for k, v in runs.items()
        ))  # fmt: skip
    return runs


def memory(tmp: Path, small: int, large: int) -> tuple[float, float, float]:
    low = spawn("first", tmp / "small.db", small, lazy=True)["peak"]
    first = spawn("first", tmp / "large.db", large, lazy=True)
    again = spawn("again", tmp / "large.db", large, lazy=True)
    for name, run in (("first sync", first), ("re-sync, unchanged", again)):
        print(f"{name} of {large:,} rows: {run['seconds']:.2f} s, write lock held "
              f"{run['lock']:.2f} s, peak RSS {run['peak'] / MIB:.0f} MiB")  # fmt: skip
    return low, first["peak"], again["peak"]


def spread(runs: list[dict[str, float]], key: str = "seconds") -> str:
    values = [run[key] for run in runs]
    return f"{min(values):.3f} / {statistics.median(values):.3f} s"


def median(runs: list[dict[str, float]], key: str = "seconds") -> float:
    return statistics.median(run[key] for run in runs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory-rows", type=int, default=200_000, help="0: skip memory")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--lazy", action="store_true", help=argparse.SUPPRESS)
    args = benchkit.known_args(parser, argv)
    if args.child:
        child(args)
        return
    benchkit.print_load()
    with tempfile.TemporaryDirectory() as tmp:
        times = timing_rounds(Path(tmp), args.rows, args.rounds)
        rss = memory(Path(tmp), 5000, args.memory_rows) if args.memory_rows else None
    benchkit.print_load("load average after")
    print(f"{'min / median':<26} {'wall':<17} cpu")
    for key, label in [
        ("write", "write floor"),
        ("first", "first sync"),
        ("compare", "load-and-compare floor"),
        ("again", "re-sync, unchanged"),
    ]:
        print(f"{label:<26} {spread(times[key]):<17} {spread(times[key], 'cpu')}")  # fmt: skip
    print(f"{'write lock held, first':<26} {spread(times['first'], 'lock')}")
    print(f"{'write lock held, re-sync':<26} {spread(times['again'], 'lock')}")
    write, first = median(times["write"]), median(times["first"])
    compare, again = median(times["compare"]), median(times["again"])
    cpu_first = median(times["first"], "cpu") / median(times["write"], "cpu")
    cpu_again = median(times["again"], "cpu") / median(times["compare"], "cpu")
    benchkit.report_ratio(
        "first sync vs write floor (wall medians)", first / write, FIRST_GOAL,
        f"{args.rows:,} rows: {first:.2f} s vs {write:.2f} s; cpu ratio {cpu_first:.2f}x",
    )  # fmt: skip
    benchkit.report_ratio(
        "unchanged re-sync vs load-and-compare floor (wall medians)", again / compare,
        RESYNC_GOAL,
        f"{args.rows:,} rows: {again:.3f} s vs {compare:.3f} s; cpu ratio {cpu_again:.2f}x",
    )  # fmt: skip
    if rss is not None:
        low, high, _ = rss
        benchkit.report_ratio(
            "peak RSS growth, 5k to large sync, per 100 MiB", (high - low) / (100 * MIB),
            MEMORY_GOAL,
            f"{low / MIB:.0f} MiB at 5,000 rows, {high / MIB:.0f} MiB at {args.memory_rows:,}",
        )  # fmt: skip


if __name__ == "__main__":
    main()
