"""Run every ``bench/bench_*.py`` script in turn, each with its default arguments.

    python bench/run_all.py                 # all of them (``make bench``)
    python bench/run_all.py core sync       # only bench_core.py and bench_sync.py

Uses the project's virtualenv interpreter when there is one, so ``python3
bench/run_all.py`` works as well as ``make bench``. To pass options, run a script
directly (``python bench/bench_core.py --entries 5000``).
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


def main(names: list[str]) -> int:
    scripts = sorted(BENCH.glob("bench_*.py"))
    if names:
        wanted = {name.removeprefix("bench_").removesuffix(".py") for name in names}
        unknown = wanted - {s.stem.removeprefix("bench_") for s in scripts}
        if unknown:
            print(f"no such benchmark: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    python = interpreter()
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        if subprocess.run([python, str(script)], check=False).returncode:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
