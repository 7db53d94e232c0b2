"""Payment matching benchmark: 50,000, 100,000 and 200,000 incoming transactions
against 10,000, 20,000 and 40,000 issued invoices, each against its floor.

Run with the project's virtualenv (``make bench``), or directly::

    python bench/bench_matching.py               # the three sizes, 3 rounds each
    python bench/bench_matching.py --scale 0.05  # a quick smoke run
    python bench/bench_matching.py --rounds 5 --sizes 1  # 50,000 only, 5 rounds

The data is shaped like a Czech bank's export (see `matching_data.py`): Czech
payer names in the bank's spelling, a details record on each row, about a fifth
without a variable symbol, partial payments, overpayments, some in EUR. It is
generated once per size into a template database (untimed); every measurement
then runs in a fresh process on a fresh copy of it. A round runs, in turn (the
order reversed every other round): ledger's find, the find floor, ledger's apply
(`lg.match()`), the apply floor; see `matching_floors.py` for what each times.
Reported: min and median of the rounds, CPU seconds, the process's peak RSS.

Goals (issue 16), each a `benchkit.report_ratio` line: find within 3x of its
dict-index floor and apply within 1.5x of its write floor (at 50,000 / 10,000,
ratios of the wall-clock minima), and at most 2.3x per doubling of the data for
both (ratios of the CPU minima, see `_report`).

Start-up is outside every clock, so compiled bytecode (``PYTHONDONTWRITEBYTECODE``)
does not change these figures.

Measured on a 2-core machine shared with three other workers' tests and
benchmarks (load average 4.1 at the start, 3.3 at the end), wall min / median in
seconds, floors beside, in about 5 minutes:

    size        find            floor           apply          floor
    50k/10k     0.168 / 0.189   0.061 / 0.072   1.98 / 2.46    1.47 / 1.65
    100k/20k    0.260 / 0.261   0.078 / 0.093   2.83 / 3.54    2.52 / 2.91
    200k/40k    0.551 / 0.581   0.174 / 0.197   6.24 / 8.52    5.13 / 5.66

find is 2.76x its floor in this run (goal 3x), but not reliably within it: CPU
3.13x, and at 100k and 200k the wall ratios are 3.4x and 3.2x (CPU 2.9x and 3.2x).
Three last runs of 50k/10k alone (``--sizes 1 --rounds 5``, load 1.4-2.7; the first
before the last commit to the matcher, which saves about 1 %): find min 0.065 /
0.067 / 0.085 s against 0.021 / 0.021 / 0.024 s, 3.06x / 3.14x / 3.54x (CPU 3.05x /
3.14x / 3.15x); apply 1.31x / 1.55x / 1.26x (CPU 1.33x / 1.61x / 1.34x: the machine
was shared, its load moving within runs). The code before this round, run side by
side with an earlier step of it at load 1.9-2.4: find 3.58x (0.159 s against 0.045
s), that step 3.20x. In the table's run apply is 1.34x (CPU 1.40x). Per doubling
(CPU): find 2.09x then 2.24x, apply 1.78x then 2.16x, the floors 2.27x / 2.01x and
1.85x / 2.33x.

What find does beyond the floor: a match by symbol is a `Decision` with its
allocation, and its evidence is built when first read (applying writes it); the
messages of the payments no symbol decides are searched for invoice numbers a batch
at once (`messages.numbers_named`: masked as bytes, so that only the few holding a
long number meet the regular expression); their amounts are looked up against the
open balances that the matches leave; and, since `find_matches` leaves the garbage
collector as it found it, one young collection over the decisions when it returns
(about a tenth of find; the floor leaves the collector off).

Peak RSS of a process: 102 / 134 / 200 MiB for find (the floor 4-17 MiB less),
124 / 180 / 288 MiB for apply (its floor 131 / 197 / 328 MiB); before this round
apply took 149 / 215 / 345 MiB, as matching read all unmatched income at once (now
5,000 rows at a time, in booking order).
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import benchkit
import ledger
import matching_data
import matching_floors

FIND_VS_FLOOR = 3.0
APPLY_VS_FLOOR = 1.5
PER_DOUBLING = 2.3
SIZES = [(50_000, 10_000), (100_000, 20_000), (200_000, 40_000)]
KINDS = ("find", "find-floor", "apply", "apply-floor")


@dataclass
class Size:
    transactions: int
    invoices: int
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    plan: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.transactions:,}/{self.invoices:,}"

    def best(self, kind: str) -> float:
        return min(s["wall"] for s in self.samples[kind])

    def median(self, kind: str) -> float:
        return statistics.median(s["wall"] for s in self.samples[kind])

    def cpu(self, kind: str) -> float:
        return min(s["cpu"] for s in self.samples[kind])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="shrink (or grow) every size")
    parser.add_argument("--sizes", type=int, default=3, help="how many of the sizes to run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per size")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "DATABASE", "PLAN"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = benchkit.known_args(parser, argv)
    if args.child:
        kind, database, plan = args.child
        print(json.dumps(matching_floors.run_child(kind, Path(database), Path(plan))))
        return 0
    if args.scale <= 0 or not 1 <= args.sizes <= len(SIZES) or args.rounds < 1:
        parser.error("--scale must be positive, --sizes 1 to 3, --rounds at least 1")
    sizes = [
        Size(max(50, round(t * args.scale)), max(10, round(i * args.scale)))
        for t, i in SIZES[: args.sizes]
    ]
    print(
        f"matching on Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}: "
        f"{', '.join(s.label for s in sizes)} transactions/invoices, {args.rounds} rounds",
        flush=True,
    )
    benchkit.print_load()
    with tempfile.TemporaryDirectory(prefix="ledger-bench-matching-") as tmp:
        for size in sizes:
            _measure(size, Path(tmp), args)
    benchkit.print_load("load average at the end")
    _report(sizes, judged=args.scale == 1)
    return 0


def _measure(size: Size, tmp: Path, args: argparse.Namespace) -> None:
    template = tmp / f"template-{size.transactions}.db"
    plan = tmp / f"plan-{size.transactions}.json"
    started = time.perf_counter()
    lg = ledger.open(template, source=matching_floors.SOURCE)
    try:
        matching_data.fill(lg, size.transactions, size.invoices, args.seed)
        size.plan = matching_floors.write_plan(lg, plan)
        with lg.database.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        lg.close()
    print(
        f"\n{size.label}: set-up {time.perf_counter() - started:.1f} s (untimed); "
        f"ledger decides {size.plan['matched']:,} matches and {size.plan['suggested']:,} "
        f"suggestions, {size.plan['events']:,} audit events",
        flush=True,
    )
    for round_ in range(args.rounds):
        for kind in KINDS if round_ % 2 == 0 else reversed(KINDS):
            size.samples.setdefault(kind, []).append(_child(kind, template, plan, tmp))
    for kind in KINDS:
        samples = size.samples[kind]
        cpu = size.cpu(kind)
        rss = max(s["rss_mib"] for s in samples)
        extra = f", {samples[0]['events']:,} events" if "events" in samples[0] else ""
        print(
            f"  {kind:<12} min {size.best(kind):.4f} s  median {size.median(kind):.4f} s  "
            f"(CPU min {cpu:.4f} s)  peak RSS {rss:.0f} MiB{extra}"
        )
    for kind in ("apply", "apply-floor"):
        if size.samples[kind][0]["events"] != size.plan["events"]:
            raise SystemExit(f"{kind} wrote {size.samples[kind][0]['events']} events")


def _child(kind: str, template: Path, plan: Path, tmp: Path) -> dict[str, Any]:
    """One measurement in a fresh process, on a fresh copy of the template database."""
    fresh = tmp / "fresh.db"
    shutil.copyfile(template, fresh)
    command = [sys.executable, __file__, "--child", kind, str(fresh), str(plan)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{fresh}{suffix}").unlink(missing_ok=True)
    if done.returncode:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    sample: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return sample


def _report(sizes: list[Size], *, judged: bool) -> None:
    print()
    first = sizes[0]
    for kind, goal in (("find", FIND_VS_FLOOR), ("apply", APPLY_VS_FLOOR)):
        floor = f"{kind}-floor"
        ratio = first.best(kind) / first.best(floor)
        benchkit.report_ratio(
            f"{kind} {first.label} vs its floor",
            ratio,
            goal,
            f"min {first.best(kind):.4f} s vs {first.best(floor):.4f} s; median "
            f"{first.median(kind):.4f} s vs {first.median(floor):.4f} s; CPU "
            f"{first.cpu(kind) / first.cpu(floor):.2f}x",
        )
    # Growth is judged on CPU time, the work done: on a shared machine the wall-clock
    # minimum of a few rounds may catch one size at a busy moment and not the next.
    for kind in ("find", "apply"):
        for small, large in itertools.pairwise(sizes):
            floor = kind + "-floor"
            benchkit.report_ratio(
                f"{kind} growth {small.transactions // 1000}k to {large.transactions // 1000}k",
                large.cpu(kind) / small.cpu(kind),
                PER_DOUBLING,
                f"CPU {small.cpu(kind):.4f} s to {large.cpu(kind):.4f} s; wall "
                f"{large.best(kind) / small.best(kind):.2f}x; the floor's CPU "
                f"{large.cpu(floor) / small.cpu(floor):.2f}x",
            )
    if not judged:
        print("(a scaled run: the goals are set for --scale 1)")


if __name__ == "__main__":
    sys.exit(main())
