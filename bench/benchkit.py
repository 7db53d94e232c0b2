"""What the bench scripts share: the arguments `run_all.py` hands every one of them,
the load line that says how busy the machine was, and the ratio line that `run_all.py`
gathers into one table."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

RATIO_MARK = "ratio |"


def known_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """The script's own arguments; others' (from `run_all.py`) are named and ignored."""
    args, ignored = parser.parse_known_args(argv)
    if ignored:
        print(f"(ignoring arguments for other benchmarks: {' '.join(ignored)})")
    return args


def print_load(prefix: str = "load average") -> None:
    """The 1-minute load average against the CPU count, where the system reports it."""
    if hasattr(os, "getloadavg"):
        print(f"{prefix} {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")


def report_ratio(name: str, ratio: float, goal: float, detail: str = "") -> bool:
    """Print one goal's line (`run_all.py` collects them into its table); True if met.

    `ratio` is measured / floor (or growth per doubling), met when at most `goal`;
    `detail` says what was measured, e.g. the two medians."""
    met = ratio <= goal
    verdict = "yes" if met else "NO"
    print(f"{RATIO_MARK} {name} | {ratio:.2f}x | <= {goal:g}x | {verdict} | {detail}", flush=True)
    return met
