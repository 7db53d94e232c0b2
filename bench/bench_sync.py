"""Sync benchmark: a synthetic bank plugin syncs 50,000 new transactions, then the
same 50,000 unchanged, against a raw ``sqlite3.executemany`` floor of the same rows
plus one audit row each, measured in the same run.

    python bench/bench_sync.py                 # 50,000 transactions
    python bench/bench_sync.py --rows 5000     # a quick smoke run

Targets: first sync within 5x the floor; the unchanged re-sync under 0.5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sqlite3
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import ledger
from ledger.contracts import Plugin, SyncContext, SyncResult
from ledger.platform.registry import Registry

FIRST_SYNC_VS_FLOOR = 5.0
RESYNC_S = 0.5


def synthetic_rows(count: int) -> list[dict[str, Any]]:
    start = dt.date(2024, 1, 1)
    return [
        {
            "external_id": f"tx-{n:07d}",
            "booked_on": start + dt.timedelta(days=n % 700),
            "amount": Decimal(n % 9000 + 1) / 100 * (1 if n % 3 else -1),
            "currency": "CZK" if n % 4 else "EUR",
            "counterparty_name": f"Counterparty {n % 500}",
            "counterparty_account": f"{100000 + n % 500}/0800",
            "variable_symbol": str(2026000000 + n % 9000) if n % 2 else "",
            "message": f"Payment {n}",
        }
        for n in range(count)
    ]


def make_plugin(rows: list[dict[str, Any]]) -> type[Plugin[Any]]:
    class SyntheticBank(Plugin):  # type: ignore[type-arg]
        """Synthetic bank for the benchmark."""

        name = "synthetic_bank"
        version = "1.0.0"

        def sync(self, ctx: SyncContext[Any]) -> SyncResult:
            result = SyncResult()
            for start in range(0, len(rows), 5000):
                result += ctx.ledger.transactions.upsert(rows[start : start + 5000])
            return result

    return SyntheticBank


def floor_seconds(path: Path, rows: list[dict[str, Any]]) -> float:
    """Raw executemany of the same transaction rows + one audit row each, one transaction."""
    lg = ledger.open(path)  # the same schema and pragmas, then written around
    lg.close()
    values = [
        ("floor", r["external_id"], "", r["booked_on"].isoformat(), int(r["amount"] * 100),
         r["currency"], r["counterparty_name"], r["counterparty_account"], r["variable_symbol"],
         "", "", r["message"], "{}", "income" if r["amount"] > 0 else "expense", 0,
         "2026-01-01 00:00:00")
        for r in rows
    ]  # fmt: skip
    audit_rows = []
    previous = "0" * 64
    for n, value in enumerate(values):
        after = json.dumps(dict(enumerate(value)), default=str)
        digest = hashlib.sha256(f"{previous}{after}".encode()).hexdigest()
        audit_rows.append(("2026-01-01 00:00:00", "plugin:floor", "money_transactions", str(n),
                           "insert", None, after, None, previous, digest))  # fmt: skip
        previous = digest
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO money_transactions (source, external_id, account, booked_on, amount_minor, "
        "currency, counterparty_name, counterparty_account, variable_symbol, constant_symbol, "
        "specific_symbol, message, details, kind, match_locked, created_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        values,
    )
    conn.executemany(
        "INSERT INTO audit_events (at, source, entity, entity_id, action, before, after, run_id, "
        "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
        audit_rows,
    )
    conn.execute("COMMIT")
    took = time.perf_counter() - started
    conn.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    rows = synthetic_rows(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        floor = floor_seconds(Path(tmp) / "floor.db", rows)
        registry = Registry([make_plugin(rows)])
        lg = ledger.open(Path(tmp) / "bench.db", source="cli", registry=registry)
        lg.plugins.enable("synthetic_bank")
        started = time.perf_counter()
        first = lg.sync("synthetic_bank")
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = lg.sync("synthetic_bank")
        again_s = time.perf_counter() - started
        lg.close()
    assert first.status == "succeeded", first.error_message
    assert first.created == args.rows
    assert again.status == "succeeded", again.error_message
    assert again.unchanged == args.rows
    print(f"{'step':<34} {'seconds':>8} {'rows/s':>10}  target")
    print(f"{'floor: raw sqlite3 executemany':<34} {floor:>8.3f} {args.rows / floor:>10,.0f}")
    ratio = first_s / floor
    print(f"{'first sync (insert + audit)':<34} {first_s:>8.3f} {args.rows / first_s:>10,.0f}"
          f"  <= {FIRST_SYNC_VS_FLOOR}x floor: {ratio:.1f}x")  # fmt: skip
    print(f"{'re-sync, all unchanged':<34} {again_s:>8.3f} {args.rows / again_s:>10,.0f}"
          f"  < {RESYNC_S} s: {again_s / RESYNC_S:.2f} of target")  # fmt: skip


if __name__ == "__main__":
    main()
