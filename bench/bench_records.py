"""Time entries from a tracker plugin in bounded memory: peak RSS of a first sync and
of an unchanged re-sync at 5,000 and at 200,000 entries (issue 16).

    python bench/bench_records.py                      # 5,000 and 200,000, 2 rounds
    python bench/bench_records.py --large 20000        # a quick smoke run

Each measurement is a fresh process on its own database: the first sync creates the
client, the project and the entries (pages of 1,000 in a time tracker's shape: Czech
descriptions, a few minutes to a few hours, one to twenty a day), the re-sync reads
the same pages again. Reported: wall seconds and peak RSS (min / median of the rounds)
for each size, and the growth of the median peak from the small to the large run
against the goal: within 100 MiB (ratio growth / 100 MiB).

Records (clients, projects, time entries) wait in a spool while the plugin runs
(`ledger.platform.records`): a record whose content is what its link last pulled is
only counted, the rest are kept a batch in memory and the others on disk, and each
chunk of upserts reads just its own links. Before that change a run held every
validated record and every link until the apply: 1,008 MiB peak at 200,000 entries
(109 at 5,000), measured with a plugin of the same shape.

Measured on the shared 2-core machine (Python 3.11, SQLite), 2 rounds, load average
3.0 at the start and 4.3 at the end (other benchmarks running), min / median:

    size        first sync        peak MiB   re-sync         peak MiB
    5,000       1.51 / 1.90 s     101        0.53 / 0.63 s   80
    200,000     47.9 / 52.3 s     128        10.1 / 12.2 s   104

Growth from 5,000 to 200,000: first sync +27 MiB (0.27 of the goal), re-sync +24 MiB
(0.24). The first sync writes two audited rows per entry (the entry and its link).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import benchkit

GROWTH_GOAL_MIB = 100
PAGE = 1000
DESCRIPTIONS = (
    "Oprava výpočtu DPH ve fakturaci",
    "Schůzka s klientem – plán sprintu",
    "Revize kódu a úpravy podle připomínek",
    "Nasazení na produkci, kontrola logů",
    "Analýza požadavků na export do účetnictví",
)


def tracker_entries(count: int) -> Any:
    """`count` entries as a time tracker reports them, page by page."""
    start = dt.date(2019, 1, 1)
    for page in range(0, count, PAGE):
        yield [
            {
                "external_id": f"te-{n:07d}",
                "project_external_id": "p-1",
                "date": start + dt.timedelta(days=n // 12),
                "minutes": 5 + (n * 37) % 235,
                "description": f"{DESCRIPTIONS[n % len(DESCRIPTIONS)]} (#{n})",
            }
            for n in range(page, min(count, page + PAGE))
        ]


def child(database: str, count: int) -> None:
    """One sync in this process; prints seconds and peak RSS as JSON."""
    import resource
    import time

    import ledger
    from ledger.contracts import Plugin, SyncContext, SyncResult
    from ledger.platform.registry import Registry

    class Tracker(Plugin):  # type: ignore[type-arg]
        """The benchmark's time tracker."""

        name = "tracker"
        version = "1.0.0"

        def sync(self, ctx: SyncContext[Any]) -> SyncResult:
            client = {"external_id": "c-1", "name": "Kavárna U Mostu s.r.o."}
            result = ctx.ledger.clients.upsert([client])
            project = {
                "external_id": "p-1",
                "name": "Pokladní systém",
                "client_external_id": "c-1",
            }
            result += ctx.ledger.projects.upsert([project])
            for page in tracker_entries(count):
                result += ctx.ledger.entries.upsert(page)
            return result

    lg = ledger.open(Path(database), source="cli", create=True, registry=Registry([Tracker]))
    lg.plugins.enable("tracker")
    started = time.perf_counter()
    run = lg.sync("tracker")
    seconds = time.perf_counter() - started
    if run.status != "succeeded":
        raise SystemExit(f"sync {run.status}: {run.error_message}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak, "created": run.created}))


def measure(database: Path, count: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(database), str(count)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--large", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = benchkit.known_args(parser, argv)
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    benchkit.print_load("load average at the start")
    runs: dict[tuple[int, str], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="ledger-bench-records-") as tmp:
        for round_no in range(args.rounds):
            for count in (args.small, args.large):
                database = Path(tmp) / f"r{round_no}-{count}.db"
                for kind in ("first sync", "re-sync"):
                    runs.setdefault((count, kind), []).append(measure(database, count))
                database.unlink()
    benchkit.print_load("load average at the end")
    print(f"\n{'size':>9}  {'sync':<10} {'seconds min / median':>22}  peak MiB (median)")
    peaks: dict[tuple[int, str], float] = {}
    for (count, kind), found in sorted(runs.items()):
        seconds = [r["seconds"] for r in found]
        peaks[count, kind] = statistics.median(r["peak_mib"] for r in found)
        timing = f"{min(seconds):.2f} / {statistics.median(seconds):.2f}"
        print(f"{count:>9,}  {kind:<10} {timing:>22}  {peaks[count, kind]:.0f}")
    for kind in ("first sync", "re-sync"):
        small, large = peaks[args.small, kind], peaks[args.large, kind]
        benchkit.report_ratio(
            f"{kind} of time entries: peak RSS growth {args.small:,} → {args.large:,} "
            f"(share of {GROWTH_GOAL_MIB} MiB)",
            (large - small) / GROWTH_GOAL_MIB,
            1.0,
            f"{small:.0f} → {large:.0f} MiB",
        )


if __name__ == "__main__":
    main()
