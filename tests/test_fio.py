"""The Fio banka plugin on recorded responses: mapping, faults, secrecy, cursor."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from ledger.api import Ledger
from ledger.core.sync_models import SyncRun
from plugin_helpers import (
    Sleeps,
    Upstream,
    count,
    cursor_of,
    fio_body,
    ok,
    raw_rows,
    status,
    stored_text,
)

TOKEN = "fio-canary-Zq8vX2pLmN4tR7wK"
BASE = "https://fioapi.fio.cz/v1/rest/periods/"


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LEDGER_SECRET_KEY", raising=False)


@pytest.fixture
def fio(lg: Ledger) -> Ledger:
    """The test ledger with Fio enabled and configured with the canary token."""
    lg.plugins.enable("fio")
    lg.plugins.configure("fio", token=TOKEN, start_date="2025-01-01")
    return lg


def sync(lg: Ledger, upstream: Upstream, sleeps: Sleeps | None = None, **limits: Any) -> SyncRun:
    policy = (sleeps or Sleeps()).policy(**limits)
    return lg.sync("fio", transport=upstream.transport, policy=policy)


def stored(lg: Ledger) -> dict[str, Any]:
    return {t.external_id: t for t in lg.transactions.list(source="fio")}


# --- mapping --------------------------------------------------------------------


def test_an_incoming_invoice_payment_maps_every_field(fio: Ledger) -> None:
    run = sync(fio, Upstream.of(ok(fio_body("incoming-invoice-payment.json"))))

    assert (run.status, run.created, run.updated, run.unchanged) == ("succeeded", 1, 0, 0)
    (tx,) = fio.transactions.list(source="fio")
    assert tx.external_id == "26000000001"
    assert tx.booked_on == dt.date(2025, 3, 14)
    assert tx.amount == Decimal("12100.00")
    assert isinstance(tx.amount, Decimal)
    assert tx.currency == "CZK"
    assert tx.kind == "income"
    assert tx.account == "2001234567/2010"
    assert tx.counterparty_name == "Novák, Jan"
    assert tx.counterparty_account == "123456789/0800"
    assert (tx.variable_symbol, tx.constant_symbol, tx.specific_symbol) == ("2025001", "", "")
    assert tx.message == "FAKTURA 2025001"
    assert tx.details == {
        "bank_name": "Česká spořitelna, a.s.",
        "instruction_id": "30000000001",
        "type": "Bezhotovostní příjem",
        "user_identification": "Novák, Jan",
    }


def test_symbols_lose_their_leading_zeros_and_missing_columns_are_empty(fio: Ledger) -> None:
    run = sync(fio, Upstream.of(ok(fio_body("incoming-leading-zeros.json"))))

    assert run.status == "succeeded"
    (tx,) = fio.transactions.list(source="fio")
    assert tx.external_id == "16586408377"
    assert tx.booked_on == dt.date(2018, 6, 6)
    assert str(tx.amount) == "2.99"
    assert tx.counterparty_account == "2601406638/2010"
    assert tx.counterparty_name == "Ing. Pithart,  Vojtěch"
    assert tx.variable_symbol == "1090028"
    assert tx.constant_symbol == "123"
    assert tx.specific_symbol == "102030405"
    assert tx.message == ""  # columns 16, 7 and 25 are absent
    assert tx.details == {
        "bank_name": "Fio banka, a.s.",
        "instruction_id": "19348010455",
        "type": "Příjem převodem uvnitř banky",
    }


def test_card_payments_are_expenses_without_a_counter_account(fio: Ledger) -> None:
    run = sync(fio, Upstream.of(ok(fio_body("card-payments.json"))))

    assert (run.status, run.created) == ("succeeded", 2)
    by_id = stored(fio)
    first, second = by_id["10000000002"], by_id["10000000001"]
    assert first.amount == Decimal("-130.00")
    assert second.amount == Decimal("-353.29")
    assert first.kind == second.kind == "expense"
    assert first.booked_on == second.booked_on == dt.date(2016, 8, 3)
    assert first.account == "1234567890/2010"
    assert first.counterparty_account == second.counterparty_account == ""
    assert (first.variable_symbol, second.variable_symbol) == ("5678", "1234")
    assert first.message == "Nákup: ORDR, PRAGUE, CZ, dne 1.8.2016, částka  130.00 CZK"
    assert first.details == {
        "comment": "Nákup: ORDR, PRAGUE, CZ, dne 1.8.2016, částka  130.00 CZK",
        "executed_by": "Javorek, Jan",
        "instruction_id": "12210748893",
        "type": "Platba kartou",
        "user_identification": "Nákup: ORDR, PRAGUE, CZ, dne 1.8.2016, částka  130.00 CZK",
    }
    assert second.details == {
        "executed_by": "Javorek, Jan",
        "instruction_id": "12210832097",
        "type": "Platba kartou",
    }


def test_a_foreign_currency_account_keeps_amounts_exact(fio: Ledger) -> None:
    run = sync(fio, Upstream.of(ok(fio_body("foreign-currency-eur.json"))))

    assert (run.status, run.created) == ("succeeded", 2)
    by_id = stored(fio)
    payment, fee = by_id["26100000001"], by_id["26100000002"]
    assert payment.currency == fee.currency == "EUR"
    assert str(payment.amount) == "1234567.89"  # a float would not survive this
    assert fee.amount == Decimal("-0.10")
    assert payment.account == "2101234567/2010"
    assert payment.counterparty_account == "DE89370400440532013000"  # IBAN, no bank code
    assert payment.variable_symbol == ""
    assert payment.message == "Invoice 2025-0042"
    assert payment.details == {
        "bank_name": "Commerzbank AG",
        "bic": "COBADEFFXXX",
        "instruction_id": "30100000001",
        "payer_reference": "INV-2025-0042",
        "specification": "1234567.89 EUR",
        "type": "Bezhotovostní příjem",
        "user_identification": "Nordwind GmbH",
    }
    assert fee.message == "Poplatek za zahraniční platbu"  # falls back to the comment
    minor = {r["external_id"]: r["amount_minor"] for r in raw_rows(fio, "money_transactions")}
    assert minor == {"26100000001": 123456789, "26100000002": -10}


def test_an_empty_statement_writes_no_transactions_and_succeeds(fio: Ledger) -> None:
    run = sync(fio, Upstream.of(ok(fio_body("empty.json"))))

    assert run.status == "succeeded", run.error_message
    assert (run.created, run.updated, run.unchanged) == (0, 0, 0)
    assert count(fio, "money_transactions") == 0
    assert {e.entity for e in fio.audit.list(run_id=run.id)} <= {"plugin_state"}


def test_the_same_statement_twice_changes_nothing(fio: Ledger) -> None:
    upstream = Upstream.of(ok(fio_body("card-payments.json")))
    sync(fio, upstream)
    again = sync(fio, upstream)

    assert (again.status, again.created, again.updated, again.unchanged) == (
        "succeeded",
        0,
        0,
        2,
    )
    assert count(fio, "money_transactions") == 2
    assert fio.audit.list(run_id=again.id) == []


# --- upstream faults --------------------------------------------------------------


def assert_failed_cleanly(lg: Ledger, run: SyncRun, kind: str) -> None:
    assert run.status == "failed"
    assert run.error_kind == kind, run.error_message
    assert (run.created, run.updated, run.unchanged) == (0, 0, 0)
    assert count(lg, "money_transactions") == 0
    assert cursor_of(lg, "fio") is None
    assert lg.audit.list(run_id=run.id) == []
    assert run.upstream, "the upstream exchange is kept with the run"


def test_409_is_a_rate_limit_naming_the_30_second_rule_and_is_not_hammered(fio: Ledger) -> None:
    upstream = Upstream.of(status(409, "Příliš mnoho požadavků"))
    sleeps = Sleeps()
    run = sync(fio, upstream, sleeps)

    assert_failed_cleanly(fio, run, "rate_limit")
    assert run.error_message is not None
    assert "30 s" in run.error_message
    assert "Příliš mnoho požadavků" in run.error_message  # the provider's own words
    assert len(upstream.requests) == 1
    assert sleeps.waits == []


@pytest.mark.parametrize("code", [401, 403])
def test_a_refused_token_is_an_auth_failure_without_retries(fio: Ledger, code: int) -> None:
    upstream = Upstream.of(status(code, "Token není platný"))
    sleeps = Sleeps()
    run = sync(fio, upstream, sleeps)

    assert_failed_cleanly(fio, run, "auth")
    assert run.error_message is not None
    assert str(code) in run.error_message
    assert "Token není platný" in run.error_message
    assert len(upstream.requests) == 1
    assert sleeps.waits == []


def test_server_errors_are_retried_a_bounded_number_of_times(fio: Ledger) -> None:
    upstream = Upstream.of(status(500, "Internal Server Error"))
    sleeps = Sleeps()
    run = sync(fio, upstream, sleeps, retries=2, backoff=0.5)

    assert_failed_cleanly(fio, run, "server")
    assert len(upstream.requests) == 3
    assert sleeps.waits == [0.5, 1.0]
    assert run.error_message is not None
    assert "500" in run.error_message


def test_a_server_error_that_clears_up_is_retried_into_success(fio: Ledger) -> None:
    upstream = Upstream.of(status(503), ok(fio_body("card-payments.json")))
    run = sync(fio, upstream)

    assert (run.status, run.created) == ("succeeded", 2)
    assert len(upstream.requests) == 2
    assert [e["status"] for e in run.upstream] == [503, 200]


def test_a_timeout_is_its_own_kind(fio: Ledger) -> None:
    upstream = Upstream.of(httpx.ReadTimeout("read timed out"))
    run = sync(fio, upstream)

    assert_failed_cleanly(fio, run, "timeout")
    assert run.error_message is not None
    assert "timed out" in run.error_message


def test_truncated_json_is_bad_data_naming_the_body(fio: Ledger) -> None:
    body = fio_body("incoming-invoice-payment.json")
    run = sync(fio, Upstream.of(ok(body[: len(body) // 2])))

    assert_failed_cleanly(fio, run, "bad_data")
    assert run.error_message is not None
    assert run.error_message.startswith("body:")
    assert "JSON" in run.error_message


def fio_document(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(fio_body(name))
    return document


def test_a_transaction_without_its_movement_id_is_bad_data_naming_column22(fio: Ledger) -> None:
    document = fio_document("card-payments.json")
    del document["accountStatement"]["transactionList"]["transaction"][1]["column22"]
    run = sync(fio, Upstream.of(ok(json.dumps(document))))

    assert_failed_cleanly(fio, run, "bad_data")  # the first, valid row is not kept either
    assert run.error_message is not None
    assert "transactionList.transaction[1].column22" in run.error_message


def test_an_amount_of_the_wrong_type_is_bad_data_naming_column1(fio: Ledger) -> None:
    document = fio_document("incoming-invoice-payment.json")
    document["accountStatement"]["transactionList"]["transaction"][0]["column1"]["value"] = "12"
    run = sync(fio, Upstream.of(ok(json.dumps(document))))

    assert_failed_cleanly(fio, run, "bad_data")
    assert run.error_message is not None
    assert "column1" in run.error_message


def test_a_document_without_an_account_statement_is_bad_data(fio: Ledger) -> None:
    run = sync(fio, Upstream.of(ok('{"error": "nothing here"}')))

    assert_failed_cleanly(fio, run, "bad_data")
    assert run.error_message is not None
    assert "accountStatement" in run.error_message


# --- secrecy ----------------------------------------------------------------------


def test_the_token_appears_nowhere_the_ledger_keeps(fio: Ledger) -> None:
    echo = f"unknown token {TOKEN} (/periods/{TOKEN}/…)"
    runs = [
        sync(fio, Upstream.of(ok(fio_body("incoming-invoice-payment.json")))),
        sync(fio, Upstream.of(status(401, echo))),
        sync(fio, Upstream.of(status(500, echo)), retries=1),
        sync(fio, Upstream.of(httpx.ReadTimeout(f"timed out on /periods/{TOKEN}/"))),
        sync(fio, Upstream.of(ok(f"<html>{TOKEN}"))),
    ]

    assert [r.status for r in runs] == ["succeeded", "failed", "failed", "failed", "failed"]
    assert "/periods/***/" in runs[0].upstream[0]["url"]
    leaked = [form for form in (TOKEN, quote(TOKEN, safe="")) if form in everything(fio)]
    assert leaked == [], "the token leaked into the stored runs, settings or audit trail"
    for run in runs:
        assert TOKEN not in run.model_dump_json()
    assert fio.plugins.settings("fio")["token"] == "***"


def everything(lg: Ledger) -> str:
    return stored_text(
        lg, "sync_runs", "audit_events", "plugin_settings", "plugin_state", "money_transactions"
    )


# --- cursor -----------------------------------------------------------------------


def test_the_cursor_advances_to_the_latest_booking_less_the_overlap(
    fio: Ledger, clock: Any
) -> None:
    fio.plugins.configure("fio", overlap_days=3)
    clock.now = dt.datetime(2025, 3, 31, 12, tzinfo=dt.UTC)
    first = Upstream.of(ok(fio_body("incoming-invoice-payment.json")))
    run = sync(fio, first)

    assert first.urls == [f"{BASE}{TOKEN}/2025-01-01/2025-03-31/transactions.json"]
    latest_booking = dt.date(2025, 3, 14)
    assert run.cursor_before is None
    assert (
        run.cursor_after == cursor_of(fio, "fio") == (latest_booking - dt.timedelta(3)).isoformat()
    )

    clock.now = dt.datetime(2025, 4, 2, 12, tzinfo=dt.UTC)
    second = Upstream.of(ok(fio_body("incoming-invoice-payment.json")))
    again = sync(fio, second)

    assert second.urls == [f"{BASE}{TOKEN}/2025-03-11/2025-04-02/transactions.json"]
    assert (again.created, again.unchanged) == (0, 1)  # the overlap is harmless
    assert again.cursor_before == "2025-03-11"


def test_the_first_sync_starts_90_days_back_without_a_start_date(lg: Ledger) -> None:
    lg.plugins.enable("fio")
    lg.plugins.configure("fio", token=TOKEN)
    upstream = Upstream.of(ok(fio_body("empty.json")))
    run = sync(lg, upstream)

    assert run.status == "succeeded"
    assert upstream.urls == [f"{BASE}{TOKEN}/2026-08-27/2026-11-25/transactions.json"]


def test_a_failed_sync_leaves_the_cursor_where_it_was(fio: Ledger, clock: Any) -> None:
    clock.now = dt.datetime(2025, 3, 31, 12, tzinfo=dt.UTC)
    sync(fio, Upstream.of(ok(fio_body("incoming-invoice-payment.json"))))
    before = cursor_of(fio, "fio")
    clock.now = dt.datetime(2025, 5, 31, 12, tzinfo=dt.UTC)
    run = sync(fio, Upstream.of(status(500)), retries=0)

    assert run.status == "failed"
    assert cursor_of(fio, "fio") == before == run.cursor_after == run.cursor_before


def test_a_cursor_in_the_future_makes_no_request_and_writes_nothing(
    fio: Ledger, clock: Any
) -> None:
    clock.now = dt.datetime(2025, 3, 31, 12, tzinfo=dt.UTC)
    sync(fio, Upstream.of(ok(fio_body("incoming-invoice-payment.json"))))
    clock.now = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)  # the cursor is now ahead
    rows_before, cursor_before = count(fio, "money_transactions"), cursor_of(fio, "fio")
    upstream = Upstream.of(ok(fio_body("card-payments.json")))
    run = sync(fio, upstream)

    assert run.status == "succeeded"
    assert upstream.requests == []
    assert (run.created, run.updated, run.unchanged) == (0, 0, 0)
    assert count(fio, "money_transactions") == rows_before
    assert cursor_of(fio, "fio") == cursor_before
    assert fio.audit.list(run_id=run.id) == []


def test_fio_without_settings_fails_as_configuration_with_no_request(lg: Ledger) -> None:
    lg.plugins.enable("fio")
    upstream = Upstream.of(ok(fio_body("empty.json")))
    run = sync(lg, upstream)

    assert (run.status, run.error_kind) == ("failed", "configuration")
    assert run.error_message is not None
    assert "token" in run.error_message
    assert "ledger plugins configure fio" in run.error_message
    assert upstream.requests == []


def test_a_movement_without_column14_is_in_the_accounts_currency(fio: Ledger) -> None:
    document = fio_document("incoming-invoice-payment.json")
    statement = document["accountStatement"]
    del statement["transactionList"]["transaction"][0]["column14"]
    assert statement["info"]["currency"] == "CZK"
    run = sync(fio, Upstream.of(ok(json.dumps(document))))

    assert run.status == "succeeded"
    (tx,) = fio.transactions.list(source="fio")
    assert tx.currency == "CZK"


def test_without_column14_or_an_account_currency_the_cell_is_named(fio: Ledger) -> None:
    document = fio_document("incoming-invoice-payment.json")
    statement = document["accountStatement"]
    del statement["transactionList"]["transaction"][0]["column14"]
    del statement["info"]["currency"]
    run = sync(fio, Upstream.of(ok(json.dumps(document))))

    assert_failed_cleanly(fio, run, "bad_data")
    assert run.error_message is not None
    assert "transactionList.transaction[0].column14" in run.error_message
