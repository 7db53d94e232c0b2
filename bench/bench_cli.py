"""CLI start benchmark: ``ledger status`` and ``ledger invoice pdf`` as whole processes,
each against a floor measured in the same run.

Run with the project's virtualenv (``make bench``), or directly::

    python bench/bench_cli.py                # 5 interleaved rounds
    python bench/bench_cli.py --rounds 9

Every round makes a fresh demo SQLite database (``ledger init --demo``, untimed) and
then runs, each in a fresh process, timed wall-clock from spawn to exit:

- ``ledger status``, against the floor ``python -c pass`` plus the same query: a fresh
  Python that opens the database with plain ``sqlite3`` and reads the same rows (five
  counts, invoices per status, unbilled entries with their projects, issued invoices
  less their payments) and prints the totals; goal: within 3x;
- ``ledger invoice pdf 2026-0001 -o FILE``, against the floor ``import weasyprint;
  weasyprint.HTML(string=HTML).write_pdf()`` on the same invoice's HTML (taken from
  ledger before the clock starts; the floor loads no bundled fonts and no QR image);
  goal: within 1.3x.

The five commands are interleaved within a round, so load on a shared machine hits
them alike. Two modes: bytecode present (the ``.pyc`` files written by a warm-up run),
and no bytecode (``PYTHONDONTWRITEBYTECODE=1`` with an empty ``PYTHONPYCACHEPREFIX``:
every module is compiled from source, as on an installation that keeps no ``.pyc``).
Min and median of the rounds, the median peak RSS, and the ratios of the medians are
printed.

Measured on the shared 2-core machine (Python 3.11), 5 rounds, load average 1.8 at the
start and 3.7 at the end, seconds min / median:

    mode          status       floor          ratio | pdf          floor        ratio
    bytecode      1.28 / 1.70  0.019 / 0.028  61x   | 2.40 / 3.21  1.00 / 1.23  2.6x
    no bytecode   4.01 / 4.98  0.064 / 0.091  55x   | 4.91 / 7.47  2.23 / 2.62  2.9x

(``python -c pass`` alone: 0.017 / 0.028 s.) Peak RSS: status 84 MiB vs 15; pdf 132 MiB
vs 64. Neither goal is met. Keeping Alembic, bcrypt, lxml, Babel and the contract suite
out of ``ledger status`` took its median from 2.06 to 1.47 s (5 rounds interleaved with
the code before the change, load 2.4). What is left is ``import ledger`` itself:
SQLAlchemy and SQLModel with the table classes (about two thirds), pydantic and
pydantic-settings, httpx (through ``ledger.contracts``) and cryptography, all imported
before the first query.

Again after httpx, cryptography and the bundled plugins left the start of commands
that do not sync (2026-12-03, 3 rounds, load average 1.2 at the start, 1.1 at the
end), min / median:

    mode          status       floor          ratio | pdf          floor        ratio
    bytecode      0.87 / 0.87  0.019 / 0.020  43x   | 1.80 / 1.80  0.63 / 0.64  2.8x
    no bytecode   2.72 / 2.74  0.055 / 0.058  47x   | 4.36 / 4.60  1.68 / 1.82  2.5x

Then ``ledger status`` on a SQLite file began to answer before the command line loads
(``ledger.cli.start``: ``sqlite3`` and the plain SQL of ``ledger.core.status_figures``,
no Typer, SQLAlchemy or pydantic). 2026-12-03, 3 rounds, load average 3.2 at the start
and 2.6 at the end, min / median:

    mode          status       floor          ratio | pdf          floor        ratio
    bytecode      0.049 / 0.066  0.019 / 0.029  2.26x | 2.05 / 2.99  1.07 / 1.15  2.59x
    no bytecode   0.331 / 0.340  0.100 / 0.151  2.26x | 6.90 / 7.35  2.84 / 2.92  2.52x

After the billing rules stopped importing ``dataclasses`` (2026-12-03, 5 rounds, load
average 0.8 at the start and 1.0 at the end, min / median):

    mode          status         floor          ratio | pdf          floor        ratio
    bytecode      0.038 / 0.044  0.020 / 0.028  1.55x | 2.25 / 2.42  0.82 / 1.00  2.42x
    no bytecode   0.145 / 0.211  0.058 / 0.075  2.80x | 5.05 / 5.61  1.91 / 2.78  2.02x

The status goal is met both ways (it was 53x / 47x); without bytecode it is near its
limit, as every stdlib module the path imports (typing, pathlib) is compiled afresh
while the floor compiles only sqlite3's.

Then ``ledger invoice pdf`` on a SQLite file began to answer before the command line
loads too (``ledger.cli.quick_pdf``: the invoice's sheet read in plain SQL by
``ledger.core.invoice_sheet``, rendered by the same template and fonts), 2026-12-03,
5 rounds, load average 0.8 at the start and 0.95 at the end, min / median:

    mode          status         floor          ratio | pdf          floor        ratio
    bytecode      0.049 / 0.060  0.020 / 0.029  2.11x | 1.13 / 1.19  0.90 / 1.00  1.19x
    no bytecode   0.145 / 0.197  0.064 / 0.074  2.67x | 2.54 / 2.80  1.99 / 2.28  1.23x

Both goals are met both ways (the PDF was 2.42x / 2.02x). What the PDF adds to its
floor is Jinja2, Babel and segno, the template, the bundled fonts and the QR image;
peak RSS 75 MiB against the floor's 63. (A run just before: 1.14x and 1.23x.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import benchkit

STATUS_GOAL = 3.0
PDF_GOAL = 1.3
INVOICE = "2026-0001"
STATUS_FLOOR = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for table in ("clients", "projects", "work_entries", "money_transactions", "audit_events"):
    print(table, db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
print(dict(db.execute("SELECT status, count(*) FROM invoices GROUP BY status").fetchall()))
unbilled = {}
for minutes, rate, amount, project_rate, currency in db.execute(
    "SELECT e.minutes, e.hourly_rate_minor, e.amount_minor, p.hourly_rate_minor, p.currency"
    " FROM work_entries e JOIN projects p ON p.id = e.project_id"
    " WHERE e.invoice_id IS NULL AND e.billable"
):
    minor = amount if amount is not None else (minutes or 0) * (rate or project_rate or 0) // 60
    unbilled[currency] = unbilled.get(currency, 0) + minor
outstanding = {}
for currency, balance in db.execute(
    "SELECT i.currency, i.total_minor - coalesce((SELECT sum(amount_minor) FROM payments"
    " WHERE invoice_id = i.id), 0) FROM invoices i WHERE i.status = 'issued'"
):
    if balance > 0:
        outstanding[currency] = outstanding.get(currency, 0) + balance
print(unbilled, outstanding)
"""
PDF_FLOOR = """
import sys
import weasyprint
html = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "wb").write(weasyprint.HTML(string=html).write_pdf())
"""
INVOICE_HTML = """
import sys
import ledger
from ledger.documents.pdf import render_html
lg = ledger.open(sys.argv[1])
print(render_html(lg.documents.document(lg.invoices.get(sys.argv[2]))))
"""


@dataclass
class Samples:
    """Wall-clock seconds and peak RSS (KiB) of each process of one command."""

    seconds: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(self.seconds)

    def text(self) -> str:
        rss = statistics.median(self.rss_kib) / 1024
        return f"{min(self.seconds):>7.3f} {self.median():>7.3f} {rss:>6.0f}"


def ledger_command() -> list[str]:
    """The ``ledger`` console script beside this interpreter, as a user runs it."""
    script = Path(sys.executable).parent / "ledger"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from ledger.cli.start import main; main()"]


def timed(command: list[str], env: dict[str, str], samples: Samples) -> None:
    """Run `command` in a fresh process; add its wall time and peak RSS to `samples`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    samples.seconds.append(time.perf_counter() - started)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed with status {process.returncode}")
    samples.rss_kib.append(usage.ru_maxrss)  # KiB on Linux


def environment(mode: str, tmp: Path) -> dict[str, str]:
    """The process environment of `mode`: with bytecode, or compiling every module."""
    env = dict(os.environ, LEDGER_DATA_DIR=str(tmp / "data"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPYCACHEPREFIX", None)
    if mode == "no bytecode":
        empty = tmp / "no-pycache"
        empty.mkdir(exist_ok=True)
        env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=str(empty))
    return env


def one_round(tmp: Path, env: dict[str, str], results: dict[str, Samples]) -> None:
    """A fresh demo database, then the four commands once each, interleaved."""
    for old in tmp.glob("round.*"):
        old.unlink()
    database, html, pdf = tmp / "round.db", tmp / "round.html", tmp / "round.pdf"
    setup_env = environment("bytecode", tmp)
    subprocess.run(
        [*ledger_command(), "init", "--demo", "--database", str(database)],
        env=setup_env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    html.write_text(
        subprocess.run(
            [sys.executable, "-c", INVOICE_HTML, str(database), INVOICE],
            env=setup_env, check=True, capture_output=True, text=True,
        ).stdout,
        encoding="utf-8",
    )  # fmt: skip
    ledger = ledger_command()
    timed([*ledger, "status", "--database", str(database)], env, results["status"])
    timed([sys.executable, "-c", "pass"], env, results["python -c pass"])
    timed([sys.executable, "-c", STATUS_FLOOR, str(database)], env, results["status floor"])
    timed(
        [*ledger, "invoice", "pdf", INVOICE, "-o", str(pdf), "--database", str(database)],
        env, results["invoice pdf"],
    )  # fmt: skip
    timed([sys.executable, "-c", PDF_FLOOR, str(html), str(pdf)], env, results["pdf floor"])


def run_mode(mode: str, rounds: int, tmp: Path) -> dict[str, Samples]:
    """Every command `rounds` times in `mode` (with bytecode: after an untimed round
    that writes the ``.pyc`` files)."""
    names = ("status", "python -c pass", "status floor", "invoice pdf", "pdf floor")
    env = environment(mode, tmp)
    if mode == "bytecode":
        one_round(tmp, env, {name: Samples() for name in names})
    results = {name: Samples() for name in names}
    for _ in range(rounds):
        one_round(tmp, env, results)
    return results


def report(mode: str, results: dict[str, Samples]) -> list[str]:
    """Print one mode's table; return the goals it misses."""
    print(f"\n{mode}: {len(results['status'].seconds)} rounds")
    print(f"{'command':<16} {'min s':>7} {'med s':>7} {'MiB':>6}")
    for name, samples in results.items():
        print(f"{name:<16} {samples.text()}")
    missed = []
    for name, floor, goal in (("status", "status floor", STATUS_GOAL),
                              ("invoice pdf", "pdf floor", PDF_GOAL)):  # fmt: skip
        measured, base = results[name].median(), results[floor].median()
        detail = f"median {measured:.3f} s vs {floor} {base:.3f} s"
        if not benchkit.report_ratio(f"ledger {name} ({mode})", measured / base, goal, detail):
            missed.append(f"{mode}: {name}")
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per mode")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a goal is missed"
    )
    args = benchkit.known_args(parser, argv)
    print(f"Python {sys.version.split()[0]}; fresh process and demo database per round")
    benchkit.print_load()
    missed = []
    with tempfile.TemporaryDirectory(prefix="ledger-bench-cli-") as name:
        for mode in ("bytecode", "no bytecode"):
            missed += report(mode, run_mode(mode, args.rounds, Path(name)))
    print()
    benchkit.print_load("load average at the end")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
