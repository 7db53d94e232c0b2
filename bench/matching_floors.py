"""The floors the matching benchmark holds ledger to, and what one child process times.

A child process runs one measurement on its own fresh copy of the database:

- ``find``: ledger's `find_matches` over the open invoices and unmatched payments
  `matching_input` loaded (before the clock);
- ``find-floor``: the same loaded objects, a dict of the open invoices by variable
  symbol and one by amount, and one look-up of each transaction (no tolerance, no
  messages, no evidence);
- ``apply``: `lg.match()` on a ledger opened before the clock;
- ``apply-floor``: on a plain ``sqlite3`` connection opened before the clock, with
  ledger's pragmas: read the same columns with the same queries, the dict-index
  look-up, then in one transaction executemany the rows ledger writes (its
  payments, transaction links and suggestions, taken from a plan made before the
  clock) and an audit event for each, whose JSON and HMAC-SHA256 chain are built
  inside the clock; commit. Ledger's matching changes no invoice row (an
  invoice's payment state is derived from its payments), so neither does the floor.

Each prints one JSON line: wall and CPU seconds of the timed work, peak RSS.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import hmac
import json
import resource
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000")
PAID_SQL = "SELECT invoice_id, sum(amount_minor) FROM payments GROUP BY invoice_id"
OPEN_SQL = (
    "SELECT invoices.id, invoices.number, invoices.variable_symbol, invoices.currency, "
    "invoices.total_minor, clients.name FROM invoices JOIN clients "
    "ON clients.id = invoices.client_id "
    "WHERE invoices.status = 'issued' AND invoices.kind = 'invoice'"
)
INCOMING_SQL = (
    "SELECT id, amount_minor, currency, variable_symbol, message, counterparty_name, "
    "booked_on, matched_invoice_id FROM money_transactions "
    "WHERE kind = 'income' AND match_locked = 0 AND id NOT IN "
    "(SELECT transaction_id FROM payments WHERE transaction_id IS NOT NULL) ORDER BY id"
)
PAYMENT_COLUMNS = (
    "id", "invoice_id", "amount_minor", "currency", "paid_on", "transaction_id",
    "method", "note", "evidence", "created_at",
)  # fmt: skip
SUGGESTION_COLUMNS = (
    "id", "transaction_id", "allocations", "evidence", "score", "status", "created_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "at", "source", "entity", "entity_id", "action", "before", "after", "run_id",
    "prev_hash", "hash",
)  # fmt: skip
SOURCE = "system:bench"
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def run_child(kind: str, database: Path, plan: Path) -> dict[str, Any]:
    """Time one measurement of `kind` on `database`; what the parent collects."""
    measure: Callable[[Path, Path], tuple[float, float, dict[str, Any]]] = {
        "find": _find,
        "find-floor": _find_floor,
        "apply": _apply,
        "apply-floor": _apply_floor,
    }[kind]
    wall, cpu, facts = measure(database, plan)
    return {"wall": wall, "cpu": cpu, "rss_mib": _peak_rss_mib(), **facts}


def _peak_rss_mib() -> float:
    """This process's peak RSS. Linux's ``ru_maxrss`` keeps the parent's peak across
    fork and exec, so the kernel's per-process high-water mark is read instead."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _clocked(work: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _loaded(database: Path) -> tuple[Any, Any, int]:
    import ledger
    from ledger.core.matching.inputs import matching_input

    lg = ledger.open(database, source=SOURCE)
    with lg.reading() as session:
        return matching_input(session)


def _find(database: Path, plan: Path) -> tuple[float, float, dict[str, Any]]:
    from ledger.core.matching.algorithm import find_matches

    invoices, payments, tolerance = _loaded(database)
    wall, cpu, decisions = _clocked(lambda: find_matches(invoices, payments, tolerance))
    return wall, cpu, {"decisions": len(decisions)}


def _find_floor(database: Path, plan: Path) -> tuple[float, float, dict[str, Any]]:
    invoices, payments, _ = _loaded(database)

    def look_up() -> list[tuple[int, int]]:
        by_symbol = {}
        by_amount = {}
        for invoice in invoices:
            by_symbol[(invoice.variable_symbol.lstrip("0"), invoice.currency)] = invoice
            by_amount[(invoice.currency, invoice.balance_minor)] = invoice
        found = []
        for payment in payments:
            invoice = by_symbol.get(
                (payment.variable_symbol.lstrip("0"), payment.currency)
            ) or by_amount.get((payment.currency, payment.amount_minor))
            if invoice is not None:
                found.append((payment.id, invoice.id))
        return found

    gc.disable()  # as ledger's find does: the floor is the bare look-ups
    wall, cpu, found = _clocked(look_up)
    return wall, cpu, {"decisions": len(found)}


def _apply(database: Path, plan: Path) -> tuple[float, float, dict[str, Any]]:
    import ledger

    lg = ledger.open(database, source=SOURCE)
    expected = json.loads(plan.read_text())
    before = _events(database)
    wall, cpu, report = _clocked(lg.match)
    lg.close()
    if report.matched != len(expected["matched"]):
        planned = len(expected["matched"])
        raise SystemExit(f"lg.match() applied {report.matched}, the plan {planned}")
    return wall, cpu, {"events": _events(database) - before, "matched": report.matched}


def _events(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return int(conn.execute("SELECT count(*) FROM audit_events").fetchone()[0])


def _apply_floor(database: Path, plan: Path) -> tuple[float, float, dict[str, Any]]:
    expected = json.loads(plan.read_text())
    conn = sqlite3.connect(database, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(f"PRAGMA {pragma}")
    before = _events(database)
    gc.disable()  # as ledger's matching does
    wall, cpu, _ = _clocked(lambda: _floor_transaction(conn, expected))
    conn.close()
    return wall, cpu, {"events": _events(database) - before}


def _floor_transaction(conn: sqlite3.Connection, plan: dict[str, Any]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    paid = dict(conn.execute(PAID_SQL).fetchall())
    invoices = conn.execute(OPEN_SQL).fetchall()
    rows = conn.execute(INCOMING_SQL).fetchall()
    _dict_index(invoices, paid, rows)
    by_id = {row[0]: row for row in rows}
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    changes: list[tuple[str, int, str, dict[str, Any] | None, dict[str, Any]]] = []
    payments = _floor_payments(conn, plan["matched"], by_id, now.isoformat(" "))
    conn.executemany(_insert_sql("payments", PAYMENT_COLUMNS), payments)
    changes += [
        ("payments", p[0], "insert", None, dict(zip(PAYMENT_COLUMNS, p, strict=True)))
        for p in payments
    ]
    links = [(allocations[0][0], tx) for tx, allocations, _ in plan["matched"]]
    conn.executemany("UPDATE money_transactions SET matched_invoice_id = ? WHERE id = ?", links)
    changes += [
        ("money_transactions", tx, "update", {"matched_invoice_id": by_id[tx][7]},
         {"matched_invoice_id": invoice})
        for invoice, tx in links
    ]  # fmt: skip
    suggestions = _floor_suggestions(conn, plan["suggested"], now.isoformat(" "))
    conn.executemany(_insert_sql("match_suggestions", SUGGESTION_COLUMNS), suggestions)
    changes += [
        ("match_suggestions", s[0], "insert", None, dict(zip(SUGGESTION_COLUMNS, s, strict=True)))
        for s in suggestions
    ]
    _floor_audit(conn, now, changes)
    conn.execute("COMMIT")


def _dict_index(invoices: list[Any], paid: dict[int, int], rows: list[Any]) -> int:
    """The find floor on the rows as read: by symbol, else by amount."""
    by_symbol = {}
    by_amount = {}
    for invoice_id, _, symbol, currency, total, _ in invoices:
        by_symbol[(symbol.lstrip("0"), currency)] = invoice_id
        by_amount[(currency, total - paid.get(invoice_id, 0))] = invoice_id
    found = 0
    for row in rows:
        if by_symbol.get((row[3].lstrip("0"), row[2])) or by_amount.get((row[2], row[1])):
            found += 1
    return found


def _floor_payments(
    conn: sqlite3.Connection, matched: list[Any], by_id: dict[int, Any], now: str
) -> list[tuple[Any, ...]]:
    next_id = (conn.execute("SELECT max(id) FROM payments").fetchone()[0] or 0) + 1
    payments = []
    for tx, allocations, evidence in matched:
        row = by_id[tx]
        text = _ENCODER.encode(evidence)
        for invoice, amount in allocations:
            payments.append((next_id, invoice, amount, row[2], row[6], tx, "match", "", text, now))
            next_id += 1
    return payments


def _floor_suggestions(
    conn: sqlite3.Connection, suggested: list[Any], now: str
) -> list[tuple[Any, ...]]:
    existing = set(conn.execute("SELECT transaction_id, allocations FROM match_suggestions"))
    next_id = (conn.execute("SELECT max(id) FROM match_suggestions").fetchone()[0] or 0) + 1
    rows = []
    for tx, allocations, evidence, score in suggested:
        text = json.dumps(allocations)
        if (tx, text) not in existing:
            rows.append((next_id, tx, text, _ENCODER.encode(evidence), score, "open", now))
            next_id += 1
    return rows


def _floor_audit(
    conn: sqlite3.Connection,
    now: dt.datetime,
    changes: list[tuple[str, int, str, dict[str, Any] | None, dict[str, Any]]],
) -> None:
    """An event per change: its JSON, chained by HMAC-SHA256 as ledger's audit is."""
    base = hmac.new(b"bench-floor-key-of-thirty-two-b", digestmod=hashlib.sha256)
    head = conn.execute("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
    prev = head[0] if head else "0" * 64
    at = now.isoformat()
    events = []
    for entity, entity_id, action, before, after in changes:
        before_text = None if before is None else _ENCODER.encode(before)
        after_text = _ENCODER.encode(after)
        digest = base.copy()
        parts = (prev, at, SOURCE, entity, str(entity_id), action)
        digest.update("\x1f".join((*parts, before_text or "", after_text, "")).encode())
        row_hash = digest.hexdigest()
        events.append(
            (now.isoformat(" "), SOURCE, entity, str(entity_id), action, before_text,
             after_text, None, prev, row_hash)
        )  # fmt: skip
        prev = row_hash
    conn.executemany(_insert_sql("audit_events", EVENT_COLUMNS), events)


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"


def write_plan(lg: Any, path: Path) -> dict[str, int]:
    """What ledger's matching writes on this data, for the apply floor to write too."""
    from ledger.core.matching.algorithm import find_matches
    from ledger.core.matching.inputs import matching_input

    with lg.reading() as session:
        decisions = find_matches(*matching_input(session))
    matched = [
        [d.transaction_id, [[a.invoice_id, a.amount_minor] for a in d.allocations], d.evidence]
        for d in decisions
        if d.confident
    ]
    suggested = [
        [d.transaction_id, [[a.invoice_id, a.amount_minor] for a in d.allocations],
         d.evidence, d.score]
        for d in decisions
        if not d.confident
    ]  # fmt: skip
    path.write_text(json.dumps({"matched": matched, "suggested": suggested}))
    payments = sum(len(allocations) for _, allocations, _ in matched)
    return {
        "matched": len(matched),
        "suggested": len(suggested),
        "events": payments + len(matched) + len(suggested),
    }
