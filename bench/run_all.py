"""Run every ``bench/bench_*.py`` script in turn, each with its default arguments, and
print one table of every goal's ratio at the end.

    python bench/run_all.py                 # all of them (``make bench``)
    python bench/run_all.py core sync       # only bench_core.py and bench_sync.py
    python bench/run_all.py --write         # also write the table to bench/RESULTS.md
    python bench/run_all.py --write sync    # re-run one script, replace only its rows

Uses the project's virtualenv interpreter when there is one, so ``python3
bench/run_all.py`` works as well as ``make bench``. To pass options, run a script
directly (``python bench/bench_core.py --entries 5000``). A script reports a goal with
`benchkit.report_ratio`, whose lines are gathered here, each with the day it was
measured and the machine's load average when its script ended.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

from benchkit import RATIO_MARK

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "RESULTS.md"


def interpreter() -> str:
    """The repository's ``.venv`` Python if present, else the running one."""
    venv = BENCH.parent / ".venv"
    for candidate in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        if candidate.exists():
            return str(candidate)
    return sys.executable


def run_script(python: str, script: Path) -> tuple[int, list[list[str]]]:
    """Run one script, echoing its output; return its status and its ratio rows."""
    rows = []
    with subprocess.Popen(
        [python, str(script)], stdout=subprocess.PIPE, text=True, bufsize=1
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.startswith(RATIO_MARK):
                cells = [cell.strip() for cell in line.removeprefix(RATIO_MARK).split("|")]
                rows.append([script.stem.removeprefix("bench_"), *cells])
    load = f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "?"
    return process.returncode, [
        [*row, f"{dt.date.today().isoformat()}, load {load}"] for row in rows
    ]


HEADER = ["bench", "goal", "ratio", "target", "met", "measured", "run"]


def table(rows: list[list[str]]) -> str:
    """The ratios as one Markdown table."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def stored_rows() -> list[list[str]]:
    """The rows of bench/RESULTS.md's table as last written (none if there is none)."""
    if not RESULTS.exists():
        return []
    rows = []
    for line in RESULTS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == len(HEADER) and cells[0] not in ("bench", "---"):
            rows.append(cells)
    return rows


def write_results(rows: list[list[str]], rerun: set[str]) -> None:
    """Write `rows` to bench/RESULTS.md, keeping the stored rows of scripts not in
    `rerun` (in script order), so one script can be measured again alone."""
    kept = [row for row in stored_rows() if row[0] not in rerun]
    merged = sorted(kept + rows, key=lambda row: row[0])  # stable: a script's own order
    RESULTS.write_text(
        "# Benchmark results\n\n"
        f"Written by `make bench` (`bench/run_all.py --write`) with Python"
        f" {platform.python_version()} on {os.cpu_count()} CPUs. Each ratio is a median"
        " against a floor measured in the same run; the last column says when its script"
        " ran and the load average as it ended. See each script's docstring for what it"
        " measures.\n\n"
        f"{table(merged)}\n",
        encoding="utf-8",
    )


def main(argv: list[str]) -> int:
    write = "--write" in argv
    names = [name for name in argv if name != "--write"]
    scripts = sorted(BENCH.glob("bench_*.py"))
    if names:
        wanted = {name.removeprefix("bench_").removesuffix(".py") for name in names}
        unknown = wanted - {s.stem.removeprefix("bench_") for s in scripts}
        if unknown:
            print(f"no such benchmark: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    python = interpreter()
    failed, rows = [], []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        status, found = run_script(python, script)
        rows += found
        if status:
            failed.append(script.name)
    result = table(rows)
    print(f"\n== every goal\n{result}")
    if write:
        write_results(rows, {script.stem.removeprefix("bench_") for script in scripts})
        print(f"written to {RESULTS.relative_to(BENCH.parent)}")
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
