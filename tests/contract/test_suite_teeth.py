"""The suite has teeth: deliberately broken plugins fail the right check."""

from __future__ import annotations

import gc
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, Field, SecretStr
from sqlalchemy import Engine

from ledger.contracts import (
    Plugin,
    SyncContext,
    SyncResult,
    UpstreamError,
    json_body,
    parse_upstream,
)
from ledger.testing import ContractRun, ContractSpec, RecordedResponse, Recording

API = "https://bank.example/api/transactions"
ITEMS = [
    {"id": "t1", "date": "2026-01-10", "amount": "1500.00", "currency": "CZK", "vs": "20260001"},
    {"id": "t2", "date": "2026-01-11", "amount": "-250.50", "currency": "CZK", "vs": ""},
]
# The last page of every pagination style: no next cursor, no next URL, no more pages.
LAST_PAGE = {"items": ITEMS, "next_cursor": None, "next_url": None, "has_more": False}
RECORDING = Recording(
    (RecordedResponse(url=r"^https://bank\.example/api/transactions", body=LAST_PAGE),)
)
OPT_OUTS = {
    "overlap": "this test bank serves a single recorded window only.",
    "golden": "covered by the bundled plugins' golden files.",
}


class BankSettings(BaseModel):
    token: SecretStr = Field(description="API token.")


class Item(BaseModel):
    id: str
    date: str
    amount: str
    currency: str
    vs: str = ""


class Page(BaseModel):
    items: list[Item]


def rows(document: Any) -> list[dict[str, Any]]:
    page = parse_upstream(Page, document)
    return [
        {
            "external_id": i.id,
            "booked_on": i.date,
            "amount": i.amount,
            "currency": i.currency,
            "variable_symbol": i.vs,
        }
        for i in page.items
    ]


class GoodBank(Plugin[BankSettings]):
    name = "good_bank"
    version = "1.0.0"
    Settings = BankSettings

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        params = {"since": ctx.cursor} if ctx.cursor else {}
        headers = {"Authorization": f"Bearer {ctx.settings.token.get_secret_value()}"}
        document = json_body(ctx.http.get(API, params=params, headers=headers))
        found = rows(document)
        if ctx.cursor and ctx.cursor >= "2999":
            return SyncResult()
        if found:
            ctx.cursor = max(r["booked_on"] for r in found)
        return ctx.ledger.transactions.upsert(found)


class WritesPastTheAudit(GoodBank):
    name = "writes_past_audit"

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        result = super().sync(ctx)
        # ctx offers no way to the database, so this plugin digs one out of the process
        # (a run freezes older objects away from the collector: it thaws them first).
        gc.unfreeze()
        engines = [o for o in gc.get_objects() if isinstance(o, Engine)]
        files = {
            Path(str(e.url.database))
            for e in engines
            if e.url.get_backend_name() == "sqlite" and "template" not in str(e.url.database)
        }
        # The ledger being synced: the newest database file that still exists.
        database = max((f for f in files if f.is_file()), key=lambda f: f.stat().st_mtime)
        with sqlite3.connect(str(database)) as conn:
            conn.execute(
                "INSERT INTO clients (name, contact_name, email, phone, address, company_id, "
                "vat_id, currency, language, payment_terms_days, archived, created_at) VALUES "
                "('Sneaky', '', '', '', '', '', '', 'CZK', 'en', 14, 0, '2026-01-01 00:00:00')"
            )
        return result


class NotIdempotent(GoodBank):
    name = "not_idempotent"

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        document = json_body(ctx.http.get(API))
        fresh = [{**r, "external_id": uuid.uuid4().hex} for r in rows(document)]
        return ctx.ledger.transactions.upsert(fresh)


class LeaksASecret(GoodBank):
    name = "leaks_secret"

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        document = json_body(ctx.http.get(API))
        token = ctx.settings.token.get_secret_value()
        return ctx.ledger.transactions.upsert(
            [{**r, "message": f"via {token}"} for r in rows(document)]
        )


class SwallowsUpstreamErrors(GoodBank):
    name = "swallows_errors"

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        placeholder = {
            "external_id": "pending",
            "booked_on": "2026-01-01",
            "amount": "1",
            "currency": "CZK",
        }
        result = ctx.ledger.transactions.upsert([placeholder])
        try:
            return result + super().sync(ctx)
        except (UpstreamError, ValueError):
            return result


class BuildsItsOwnClient(GoodBank):
    name = "own_client"

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        with httpx.Client() as client:
            document = client.get(API).json()
        return ctx.ledger.transactions.upsert(rows(document))


class IgnoresTheCursor(GoodBank):
    name = "ignores_cursor"

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        found = rows(json_body(ctx.http.get(API)))
        ctx.cursor = max(r["booked_on"] for r in found)
        return ctx.ledger.transactions.upsert(found)


def spec_for(plugin: type[GoodBank], **overrides: Any) -> ContractSpec:
    fields: dict[str, Any] = {
        "plugin": plugin,
        "settings": {"token": "x" * 12},
        "recording": RECORDING,
        "future_cursor": "2999-01-01",
        "opt_out": OPT_OUTS,
    }
    return ContractSpec(**(fields | overrides))


def failures(spec: ContractSpec) -> dict[str, str]:
    """Check name → message of every check the whole suite fails on `spec`."""
    contract = ContractRun(spec)
    try:
        report = contract.report()
    finally:
        contract.close()
    return {r.check: r.message for r in report.results if r.status == "failed"}


def test_a_correct_plugin_passes_every_check() -> None:
    contract = ContractRun(spec_for(GoodBank))
    report = contract.report()
    contract.close()
    assert report.passed, report.render()
    assert report.result("overlap").status == "opted_out"


@pytest.mark.parametrize(
    ("plugin", "check", "words"),
    [
        (WritesPastTheAudit, "audit_complete", "no audit event"),
        (NotIdempotent, "idempotent", "second sync over the same data changed"),
        (LeaksASecret, "secrets_hidden", "appears in the stored run"),
        (SwallowsUpstreamErrors, "upstream_faults", "expected a failed run"),
        (BuildsItsOwnClient, "network_discipline", "outside ctx.http"),
        (IgnoresTheCursor, "cursor", "was not sent upstream"),
    ],
)
def test_a_broken_plugin_fails_the_right_check(
    plugin: type[GoodBank], check: str, words: str
) -> None:
    contract = ContractRun(spec_for(plugin))
    result = contract.result(check)
    contract.close()
    assert result.status == "failed"
    assert words in result.message
    assert result.docs == f"docs/contract/{check}.md"


def test_opting_out_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="written reason"):
        ContractRun(ContractSpec(plugin=GoodBank, opt_out={"overlap": "no"}))
    with pytest.raises(ValueError, match="cannot be opted out"):
        ContractRun(
            ContractSpec(plugin=GoodBank, opt_out={"audit_complete": "I would rather not say"})
        )
