"""Run every ``bench/bench_*.py`` script in turn at full size.

Each script takes its own options for a smaller run (``--help`` lists them); run it
directly for that.

Uses the project's virtualenv interpreter when there is one, so ``python3
bench/run_all.py`` works as well as ``make bench``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def interpreter() -> str:
    """The repository's ``.venv`` Python if present, else the running one."""
    venv = BENCH.parent / ".venv"
    for candidate in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        if candidate.exists():
            return str(candidate)
    return sys.executable


def main() -> int:
    python = interpreter()
    failed = []
    for script in sorted(BENCH.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        if subprocess.run([python, str(script)], check=False).returncode:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
