"""The contract checks. Each has a stable name, proves one property, and fails
with a message that says what to fix (its docs page explains it in full)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from ledger.api import Ledger
from ledger.contracts.definition import find_problems
from ledger.core.money import CURRENCY_EXPONENTS
from ledger.storage import tables
from ledger.storage.sources import Source
from ledger.testing import recording as rec
from ledger.testing.harness import Capture, snapshot
from ledger.testing.hygiene import (
    check_bounded_work,
    check_disabled_refuses,
    check_network_discipline,
    check_secrets_hidden,
)
from ledger.testing.push_check import check_push
from ledger.testing.session import Check, Session, fail

GOLDEN_ENV = "LEDGER_UPDATE_GOLDEN"
TRANSACTIONS = "money_transactions"
RATES = "exchange_rates"
RECORD_TABLES = {TRANSACTIONS: "transactions", "clients": "clients", "projects": "projects",
                 "work_entries": "entries", RATES: "exchange_rates"}  # fmt: skip
"""The tables a plugin writes (its links aside), and their names in the golden file."""


# --- static -------------------------------------------------------------------


def check_shape(s: Session) -> None:
    problems = [p.message for p in find_problems(s.spec.plugin) if p.check == "shape"]
    if problems:
        raise fail("shape", "; ".join(problems))


def check_settings(s: Session) -> None:
    plugin = s.spec.plugin
    problems = [p.message for p in find_problems(plugin) if p.check == "settings"]
    if problems:
        raise fail("settings", "; ".join(problems))
    if s.built is None:
        raise fail("settings", f"the plugin cannot be built ({s.build_error})")
    required = {n for n, info in plugin.Settings.model_fields.items() if info.is_required()}
    try:
        plugin.Settings.model_validate({k: s.harness.settings.get(k) for k in required})
    except Exception as exc:
        raise fail(
            "settings",
            f"the required fields alone do not validate ({exc}); "
            "give every optional field a default",
        ) from None
    if not required:
        return
    lg = s.harness.fresh(configure=False)
    capture = s.harness.sync(lg)
    if capture.run.status != "failed" or capture.run.error_kind != "configuration":
        raise fail(
            "settings",
            "a sync without settings must fail as a configuration error; "
            f"it ended {capture.run.status} ({capture.run.error_kind})",
        )
    if capture.requests:
        raise fail(
            "settings",
            f"a sync with missing settings made {len(capture.requests)} "
            "HTTP requests; validate settings before calling upstream",
        )


# --- one sync -------------------------------------------------------------------


def check_sync_succeeds(s: Session) -> None:
    _, main = s.main_sync("sync_succeeds", need_success=False)
    run = main.run
    if run.status != "succeeded":
        trace = (run.traceback or "").strip().splitlines()[-3:]
        raise fail(
            "sync_succeeds",
            f"the sync {run.status}: {run.error_kind}: {run.error_message}"
            + (f"\n  {' | '.join(trace)}" if trace else ""),
        )
    diff = main.diff()
    inserted = sum(1 for table, _ in diff.inserted if table in RECORD_TABLES)
    updated = sum(1 for table, _ in diff.updated if table in RECORD_TABLES)
    if (inserted, updated) != (run.created, run.updated):
        raise fail(
            "sync_succeeds",
            f"the run counts created={run.created} updated={run.updated} "
            f"but the database shows {inserted} inserted and {updated} updated",
        )
    mismatch = [w for w in run.warnings if w.startswith("the plugin reported")]
    if mismatch:
        raise fail("sync_succeeds", f"{mismatch[0]}; return the sum of the upsert results")


def check_rows_valid(s: Session) -> None:
    lg, _ = s.main_sync("rows_valid")
    problems = []
    seen: set[str] = set()
    for row in _transactions(lg):
        where = f"transaction {row['external_id']!r}"
        if not row["external_id"] or len(row["external_id"]) > 100:
            problems.append(f"{where}: external_id must be 1-100 characters")
        if row["external_id"] in seen:
            problems.append(f"{where}: external_id repeats")
        seen.add(row["external_id"])
        if not isinstance(row["amount_minor"], int) or row["amount_minor"] == 0:
            problems.append(f"{where}: amount must be exact and non-zero")
        if row["currency"] not in CURRENCY_EXPONENTS:
            problems.append(f"{where}: unknown currency {row['currency']!r}")
        booked = dt.date.fromisoformat(str(row["booked_on"])[:10])
        if not dt.date(1990, 1, 1) <= booked <= dt.date(2100, 1, 1):
            problems.append(f"{where}: booked_on {booked} is implausible")
    problems += _rate_problems(lg)
    if problems:
        raise fail("rows_valid", "; ".join(problems[:5]))


def check_idempotent(s: Session) -> None:
    lg, _ = s.main_sync("idempotent")
    again = s.harness.sync(lg)
    if again.run.status != "succeeded":
        raise fail("idempotent", f"the second sync failed: {again.run.error_message}")
    diff = again.diff()
    if not diff.empty or again.run.created or again.run.updated:
        raise fail(
            "idempotent",
            f"a second sync over the same data changed the database "
            f"({diff.summary()}); key upserts on a stable upstream id and map "
            "fields deterministically (no 'now', no random ids)",
        )


def check_overlap(s: Session) -> None:
    pair = s.harness.spec.overlap
    if pair is None:
        raise fail(
            "overlap",
            "give ContractSpec.overlap two recordings of overlapping windows, "
            "or opt out with the reason they cannot overlap",
        )
    first, second = (_synced_ids(s, [r]) for r in pair)
    both = _synced_ids(s, list(pair))
    if not first & second:
        raise fail("overlap", "the two recordings share no record; record overlapping windows")
    if both != first | second:
        raise fail(
            "overlap",
            f"syncing both windows gave {len(both)} records, "
            f"expected the union of {len(first | second)}",
        )


def _synced_ids(s: Session, recordings: list[rec.Recording]) -> set[str]:
    lg = s.harness.fresh()
    for recording in recordings:
        capture = s.harness.sync(lg, recording.transport())
        if capture.run.status != "succeeded":
            raise fail("overlap", f"a sync of one window failed: {capture.run.error_message}")
    transactions = {f"money_transactions {row['external_id']}" for row in _transactions(lg)}
    rates = {f"{RATES} {row['currency']} {row['day']}" for row in _rows(lg, RATES)}
    return transactions | rates | _linked(lg, s.name)


def _linked(lg: Ledger, plugin: str) -> set[str]:
    """The upstream ids of the records `plugin` linked (clients, projects, entries...)."""
    links = tables.ExternalLink.__table__  # type: ignore[attr-defined]
    query = select(links.c.entity, links.c.external_id).where(links.c.plugin == plugin)
    with lg.database.engine.connect() as conn:
        return {f"{entity} {external_id}" for entity, external_id in conn.execute(query)}


def _rate_problems(lg: Ledger) -> list[str]:
    problems = []
    for row in _rows(lg, RATES):
        where = f"exchange rate {row['currency']} {row['day']}"
        if row["currency"] not in CURRENCY_EXPONENTS or row["currency"] == "CZK":
            problems.append(f"{where}: not a foreign currency ledger knows")
        if row["rate_micro"] <= 0 or row["quantity"] < 1:
            problems.append(f"{where}: the rate and its quantity must be positive")
        day = dt.date.fromisoformat(str(row["day"])[:10])
        if not dt.date(1990, 1, 1) <= day <= dt.date(2100, 1, 1):
            problems.append(f"{where}: day {day} is implausible")
    return problems


IGNORES_CURSOR = "the plugin ignores ctx.cursor"


def check_cursor(s: Session) -> None:
    lg, main = s.main_sync("cursor")
    cursor = main.run.cursor_after
    if cursor is None:
        raise fail(
            "cursor",
            "the sync never set ctx.cursor; store where the next sync should "
            "start, or opt out if the source has no incremental API",
        )
    again = s.harness.sync(lg)
    sent = [str(r.url) + r.content.decode(errors="replace") for r in again.requests]
    if again.requests and not any(cursor in t or quote(cursor, safe="") in t for t in sent):
        raise fail(
            "cursor",
            f"{IGNORES_CURSOR}: the stored cursor {cursor!r} was not sent upstream on the "
            "next sync; read ctx.cursor and start the request from it",
        )
    if again.run.created or again.run.updated:
        raise fail(
            "cursor",
            f"{IGNORES_CURSOR}: the sync after the cursor wrote data again; "
            "fetch only what is newer",
        )
    _check_future_cursor(s, main)


def _check_future_cursor(s: Session, first: Capture) -> None:
    future = s.harness.spec.future_cursor
    if future is None:
        raise fail("cursor", "set ContractSpec.future_cursor to a cursor past any data")
    fresh = s.harness.fresh()
    with fresh.with_source(Source("system:contract_suite")).atomic() as uow:
        uow.session.add(tables.PluginState(plugin=s.name, cursor=future))
    ahead = s.harness.sync(fresh)
    if ahead.requests and _sent(ahead) == _sent(first):
        raise fail(
            "cursor",
            f"{IGNORES_CURSOR}: a sync from the stored cursor {future!r} sent the same "
            "requests as a first sync; read ctx.cursor and ask upstream only for what "
            "is newer",
        )
    if ahead.run.status != "succeeded" or ahead.run.created or ahead.run.updated:
        raise fail(
            "cursor",
            f"a cursor in the future must give zero writes and no error; the "
            f"run {ahead.run.status} with {ahead.run.created} created "
            f"({ahead.run.error_message or 'no error'})",
        )


def _sent(capture: Capture) -> list[tuple[str, str, bytes]]:
    return [(r.method, str(r.url), r.content) for r in capture.requests]


def check_golden(s: Session) -> None:
    _, main = s.main_sync("golden")
    path = s.harness.spec.golden
    if path is None:
        raise fail("golden", "set ContractSpec.golden to a file for the expected writes")
    actual: dict[str, Any] = {"cursor": main.run.cursor_after, **_normalised(main)}
    text = json.dumps(actual, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    if os.environ.get(GOLDEN_ENV):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
        return
    if not Path(path).exists():
        raise fail("golden", f"{path} does not exist; create it with {GOLDEN_ENV}=1 and review it")
    expected = json.loads(Path(path).read_text(encoding="utf-8"))
    if expected != json.loads(text):
        raise fail(
            "golden",
            f"the writes differ from {path} ({_first_difference(expected, actual)}); "
            f"if the change is intended, regenerate with {GOLDEN_ENV}=1 and review the diff",
        )


def check_audit_complete(s: Session) -> None:
    lg, main = s.main_sync("audit_complete", need_success=False)
    events = {(e.entity, e.entity_id, e.action): e for e in lg.audit.list(run_id=main.run.id)}
    source = f"plugin:{s.name}"
    missing = []
    diff = main.diff()
    for action, keys in (
        ("insert", diff.inserted),
        ("update", diff.updated),
        ("delete", diff.deleted),
    ):
        for table, row_id in keys:
            event = events.get((table, row_id, action))
            if event is None or event.source != source:
                missing.append(f"{action} {table} {row_id}")
    if missing:
        raise fail(
            "audit_complete",
            f"{len(missing)} changed rows have no audit event naming "
            f"{source} and run {main.run.id}, e.g. {', '.join(missing[:3])}; write only "
            "through ctx.ledger",
        )


# --- upstream faults ------------------------------------------------------------

FAULTS: list[tuple[str, rec.FaultMaker, set[str]]] = [
    ("429", rec.status_fault(429, {"Retry-After": "1"}), {"rate_limit"}),
    ("409", rec.status_fault(409), {"rate_limit"}),
    ("503", rec.status_fault(503), {"server"}),
    ("401", rec.status_fault(401), {"auth"}),
    ("403", rec.status_fault(403), {"auth"}),
    ("timeout", rec.timeout_fault, {"timeout"}),
    ("truncated JSON", rec.truncated_fault, {"bad_data"}),
    ("missing field", rec.mutated_fault(rec.empty_first_record), {"bad_data"}),
    ("wrong type", rec.mutated_fault(rec.wrong_type_records), {"bad_data"}),
]


def check_upstream_faults(s: Session) -> None:
    recording = s.harness.spec.recording
    if not recording.responses:
        raise fail(
            "upstream_faults",
            "the recording is empty; record the plugin's upstream "
            "responses, or opt out if it makes no HTTP requests",
        )
    problems = []
    for label, fault, kinds in FAULTS:
        if label in ("missing field", "wrong type") and not rec.has_record_list(recording):
            continue
        lg = s.harness.fresh()
        before = snapshot(lg)
        capture = s.harness.sync(lg, rec.RecordingTransport(recording, fault))
        run = capture.run
        if run.status != "failed" or run.error_kind not in kinds:
            problems.append(
                f"{label}: expected a failed run of kind {'/'.join(sorted(kinds))}, "
                f"got {run.status} ({run.error_kind}: {run.error_message})"
            )
        elif snapshot(lg) != before:
            problems.append(f"{label}: the failed run changed the database")
        elif label == "429" and 1.0 not in capture.sleeps:
            problems.append("429: Retry-After was not honoured")
    if problems:
        raise fail(
            "upstream_faults",
            "; ".join(problems) + "; let ctx.http's errors propagate "
            "and raise BadUpstreamData for data you cannot read",
        )


CHECKS: list[Check] = [
    Check("shape", "Slug name, semantic version, sync(ctx) signature", check_shape),
    Check(
        "settings", "Settings model renders, is described, secrets are SecretStr", check_settings
    ),
    Check(
        "sync_succeeds", "A sync succeeds and its counts match the database", check_sync_succeeds
    ),
    Check("rows_valid", "Every written row is valid with a stable external id", check_rows_valid),
    Check("idempotent", "A second sync over the same data changes nothing", check_idempotent),
    Check("overlap", "Overlapping windows give the union, no duplicates", check_overlap),
    Check("cursor", "The cursor is sent upstream; a future cursor writes nothing", check_cursor),
    Check("golden", "Normalised writes match the checked-in expected file", check_golden),
    Check(
        "audit_complete", "Every changed row has an audit event of the run", check_audit_complete
    ),
    Check(
        "upstream_faults",
        "Upstream errors end in a failed run with nothing written",
        check_upstream_faults,
    ),
    Check("network_discipline", "Every request goes through ctx.http", check_network_discipline),
    Check("secrets_hidden", "Canary secrets appear nowhere", check_secrets_hidden),
    Check(
        "bounded_work",
        "The sync ends in time with a capped number of requests",
        check_bounded_work,
    ),
    Check("disabled_refuses", "A disabled plugin does not run", check_disabled_refuses),
    Check("push", "Each change is sent upstream once; a dry run sends nothing", check_push),
]
CHECK_NAMES = [check.name for check in CHECKS]


def _transactions(lg: Ledger) -> list[dict[str, Any]]:
    return sorted(_rows(lg, TRANSACTIONS), key=lambda row: str(row["external_id"]))


def _rows(lg: Ledger, table: str) -> list[dict[str, Any]]:
    return [row for (name, _), row in snapshot(lg).items() if name == table]


def _normalised(main: Capture) -> dict[str, list[dict[str, Any]]]:
    """What the main sync wrote, per kind of record, without what the database generates.

    Transactions are always listed; other records only when the plugin wrote some.
    """
    dropped = {"id", "created_at", "matched_invoice_id", "match_locked", "fingerprint"}
    diff = main.diff()
    written: dict[str, list[dict[str, Any]]] = {"transactions": []}
    for key in sorted(diff.inserted.keys() | diff.updated.keys(), key=lambda k: int(k[1])):
        if key[0] in RECORD_TABLES:
            kept = {k: v for k, v in main.after[key].items() if k not in dropped}
            written.setdefault(RECORD_TABLES[key[0]], []).append(kept)
    written["transactions"].sort(key=lambda row: str(row["external_id"]))
    return written


def _first_difference(expected: dict[str, Any], actual: dict[str, Any]) -> str:
    if expected.get("cursor") != actual.get("cursor"):
        return f"cursor {expected.get('cursor')!r} != {actual.get('cursor')!r}"
    for kind in sorted(set(expected) | set(actual) - {"cursor"}):
        old, new = expected.get(kind, []), actual.get(kind, [])
        if len(old) != len(new):
            return f"{len(old)} {kind} expected, {len(new)} written"
        for before, after in zip(old, new, strict=True):
            if before != after:
                keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
                name = after.get("external_id") or after.get("name") or after.get("description")
                return f"{kind} {name!r} differs in {', '.join(keys)}"
    return "no difference found"
