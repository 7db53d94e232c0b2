"""What the bench scripts share: the arguments `run_all.py` hands every one of them,
and the load line that says how busy the machine was."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence


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
