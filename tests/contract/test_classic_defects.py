"""Ten plugins, each with one classic defect a new author makes, each fail the suite.

The bank of `test_suite_teeth` passes every check; each plugin here changes one thing
and must fail the check that names its defect (and the report names the fix).
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, Field

from ledger.contracts import SyncContext, SyncResult, UpstreamError, json_body
from ledger.testing import PushSpec

from .test_pagination_teeth import FollowsNextCursors
from .test_suite_teeth import API, GoodBank, failures, rows, spec_for


class DuplicatesOnResync(GoodBank):
    name = "duplicates"

    def sync(self, ctx: SyncContext[Any]) -> SyncResult:
        found = rows(json_body(ctx.http.get(API)))
        ctx.cursor = "2026-01-11"
        counter = ctx.ledger.transactions.list()  # new ids every run: a new row every run
        return ctx.ledger.transactions.upsert(
            [{**r, "external_id": f"{r['external_id']}-{len(counter)}"} for r in found]
        )


class IgnoresTheCursor(GoodBank):
    name = "ignores_cursor"

    def sync(self, ctx: SyncContext[Any]) -> SyncResult:
        found = rows(json_body(ctx.http.get(API)))
        ctx.cursor = "2026-01-11"
        return ctx.ledger.transactions.upsert(found)


class LeaksTheToken(GoodBank):
    name = "leaks_token"

    def sync(self, ctx: SyncContext[Any]) -> SyncResult:
        print(f"using token {ctx.settings.token.get_secret_value()}")
        return super().sync(ctx)


class SwallowsA500(GoodBank):
    name = "swallows_500"

    def sync(self, ctx: SyncContext[Any]) -> SyncResult:
        try:
            return super().sync(ctx)
        except UpstreamError:
            return SyncResult()  # "it will work next time"


class OwnHttpClient(GoodBank):
    name = "own_client"

    def sync(self, ctx: SyncContext[Any]) -> SyncResult:
        with contextlib.suppress(OSError):
            socket.create_connection(("bank.example", 443), timeout=1)
        return super().sync(ctx)


class UsesFloats(GoodBank):
    name = "uses_floats"

    def sync(self, ctx: SyncContext[Any]) -> SyncResult:
        found = rows(json_body(ctx.http.get(API)))
        ctx.cursor = "2026-01-11"
        return ctx.ledger.transactions.upsert([{**r, "amount": float(r["amount"])} for r in found])


class PlainSettings(BaseModel):
    token: str = Field(description="API token.")


class PlainStrToken(GoodBank):
    name = "plain_token"
    Settings = PlainSettings  # type: ignore[assignment]


class BadNameAndVersion(GoodBank):
    name = "Bad Bank!"
    version = "one"


class EndlessPagination(FollowsNextCursors):
    name = "endless"


class DuplicatePushes(GoodBank):
    name = "duplicate_pushes"

    def sync(self, ctx: SyncContext[Any]) -> SyncResult:
        result = super().sync(ctx)
        for row in ctx.ledger.transactions.list():  # acknowledges everything, every run
            ctx.http.post("https://bank.example/api/acks", json={"id": row.external_id})
        return result


def ack(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json={"ok": True})


DEFECTS: list[tuple[type[GoodBank], dict[str, Any], str, str]] = [
    (DuplicatesOnResync, {}, "idempotent", "a second sync over the same data changed"),
    (IgnoresTheCursor, {}, "cursor", "the plugin ignores ctx.cursor"),
    (LeaksTheToken, {}, "secrets_hidden", "secret"),
    (SwallowsA500, {}, "upstream_faults", "expected a failed run"),
    (OwnHttpClient, {}, "network_discipline", "outside ctx.http"),
    (UsesFloats, {}, "sync_succeeds", "is a float"),
    (PlainStrToken, {}, "settings", "SecretStr"),
    (BadNameAndVersion, {}, "shape", "name"),
    (EndlessPagination, {}, "bounded_work", "hit its limit"),
    (
        DuplicatePushes,
        {"push": PushSpec(upstream=ack, prepare=lambda lg: None)},
        "push",
        "a second run with nothing changed sent 2 changing requests",
    ),
]


@pytest.mark.parametrize(
    ("plugin", "spec", "check", "words"), DEFECTS, ids=[d[0].__name__ for d in DEFECTS]
)
def test_a_classic_defect_fails_the_check_that_names_it(
    plugin: type[GoodBank], spec: dict[str, Any], check: str, words: str
) -> None:
    failed = failures(spec_for(plugin, **spec))

    assert check in failed, failed
    assert words in failed[check]


def test_there_are_ten_and_the_correct_plugin_passes() -> None:
    assert len({check for _, _, check, _ in DEFECTS}) == 10
    assert failures(spec_for(GoodBank)) == {}
