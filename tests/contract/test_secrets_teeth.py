"""secrets_hidden and settings: every way a token leaks fails, the right places pass."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from pydantic import BaseModel, Field

from ledger.contracts import AuthFailed, Plugin, SyncContext, SyncResult, json_body
from ledger.testing import CheckResult, ContractRun, ContractSpec
from ledger.testing.leaks import HALF, MIN_SLICE, Needles, make_canary

from .test_suite_teeth import API, BankSettings, GoodBank, failures, rows, spec_for


def token_of(ctx: SyncContext[BankSettings]) -> str:
    return ctx.settings.token.get_secret_value()


class Sends(GoodBank):
    """Fetches with the headers and query `send` gives, stores the rows."""

    def send(self, token: str) -> tuple[dict[str, str], dict[str, str]]:
        return {"Authorization": f"Bearer {token}"}, {}

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        headers, params = self.send(token_of(ctx))
        since = {"since": ctx.cursor} if ctx.cursor else {}
        found = rows(json_body(ctx.http.get(API, params=params | since, headers=headers)))
        if ctx.cursor and ctx.cursor >= "2999":
            return SyncResult()
        ctx.cursor = max(r["booked_on"] for r in found)
        return ctx.ledger.transactions.upsert(found)


class PrintsTheToken(Sends):
    name = "prints_token"

    def send(self, token: str) -> tuple[dict[str, str], dict[str, str]]:
        print(f"debug: calling the bank with {token}")
        return super().send(token)


class LogsASlice(Sends):
    name = "logs_a_slice"

    def send(self, token: str) -> tuple[dict[str, str], dict[str, str]]:
        self.note = f"token starts {token[: MIN_SLICE + 2]}"
        return super().send(token)

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        result = super().sync(ctx)
        ctx.log.info(self.note)
        return result


class RaisesWithHexToken(Sends):
    name = "raises_hex_token"

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        try:
            return super().sync(ctx)
        except AuthFailed as exc:
            hexed = token_of(ctx).encode().hex()
            raise AuthFailed(f"the bank refused token {hexed}", exc.status) from None


class WritesBase64Token(Sends):
    name = "writes_base64"

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        secret = base64.b64encode(f"me:{token_of(ctx)}".encode()).decode()
        since = {"since": ctx.cursor} if ctx.cursor else {}
        headers = self.send(token_of(ctx))[0]
        found = rows(json_body(ctx.http.get(API, params=since, headers=headers)))
        if ctx.cursor and ctx.cursor >= "2999":
            return SyncResult()
        ctx.cursor = max(r["booked_on"] for r in found)
        return ctx.ledger.transactions.upsert([{**r, "message": secret} for r in found])


class TokenInTheQuery(Sends):
    name = "token_in_query"

    def send(self, token: str) -> tuple[dict[str, str], dict[str, str]]:
        return {}, {"api_key": token}


class TokenInTwoHeaders(Sends):
    name = "token_in_two_headers"

    def send(self, token: str) -> tuple[dict[str, str], dict[str, str]]:
        return {"Authorization": f"Bearer {token}", "X-Debug": token}, {}


class BasicAuth(Sends):
    name = "basic_auth"

    def send(self, token: str) -> tuple[dict[str, str], dict[str, str]]:
        pair = base64.b64encode(f"me:{token}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}, {}


class TokenHeader(Sends):
    name = "x_token_header"

    def send(self, token: str) -> tuple[dict[str, str], dict[str, str]]:
        return {"X-Token": token}, {}


@pytest.mark.parametrize(
    ("plugin", "words"),
    [
        (PrintsTheToken, "'token' appears in what the plugin printed (stdout or stderr)"),
        (LogsASlice, "'token' appears in the stored run (its log"),
        (RaisesWithHexToken, "'token' (hex) appears in the stored run of a failed sync"),
        (WritesBase64Token, "'token' (base64) appears in the stored run"),
        (TokenInTheQuery, "'token' appears in the URL of a GET request to bank.example"),
        (TokenInTwoHeaders, "appears in more than one request header (authorization and x-debug)"),
    ],
)
def test_a_leak_fails_secrets_hidden_only(plugin: type[GoodBank], words: str) -> None:
    failed = failures(spec_for(plugin))

    assert set(failed) == {"secrets_hidden"}, failed
    assert words in failed["secrets_hidden"]
    assert "set ContractSpec.secret_in_url to say why" in failed["secrets_hidden"]


def secrets_result(spec: ContractSpec) -> CheckResult:
    contract = ContractRun(spec)
    try:
        return contract.result("secrets_hidden")
    finally:
        contract.close()


@pytest.mark.parametrize("plugin", [Sends, BasicAuth, TokenHeader])
def test_a_secret_in_its_one_header_passes(plugin: type[GoodBank]) -> None:
    assert secrets_result(spec_for(plugin)).status == "passed"


def test_a_secret_in_the_url_passes_when_the_spec_says_the_api_takes_it_there() -> None:
    reason = "This bank's API takes the key as a query parameter, as it documents."

    assert secrets_result(spec_for(TokenInTheQuery, secret_in_url=reason)).status == "passed"


def test_the_canary_is_found_in_every_encoding_but_short_slices_are_not_sought() -> None:
    canary = make_canary()
    needles = Needles.of("token", canary)
    raw = canary.encode()

    assert needles.found_in(f"x{canary[3 : 3 + MIN_SLICE]}x") == "as is"
    around_the_plus = canary[HALF - 4 : HALF] + "%2B" + canary[HALF + 1 : HALF + 5]
    assert needles.found_in(around_the_plus) == "URL-encoded"
    assert needles.found_in(raw.hex().upper()) == "hex"
    for prefix in ("", "a", "ab", "user:"):
        assert needles.found_in(base64.b64encode(prefix.encode() + raw).decode()) == "base64"
    assert needles.found_in(base64.urlsafe_b64encode(b"?" + raw).decode()) is not None
    assert needles.found_in(canary[: MIN_SLICE - 1]) is None


class TokenTypedStr(BaseModel):
    api_token: str = Field(description="API token.")


class PlainStrToken(Plugin[TokenTypedStr]):
    name = "plain_str_token"
    version = "1.0.0"
    Settings = TokenTypedStr

    def sync(self, ctx: SyncContext[TokenTypedStr]) -> SyncResult:
        return SyncResult()


@pytest.mark.parametrize(
    "field_name",
    ["api_token", "client_secret", "password", "auth_header", "bearer", "credentials"],
)
def test_a_credential_typed_str_fails_settings_with_the_fix(field_name: str) -> None:
    model: Any = type(
        "Leaky",
        (BaseModel,),
        {"__annotations__": {field_name: str}, field_name: Field(description="A credential.")},
    )
    plugin = type("Leaky", (PlainStrToken,), {"Settings": model, "__module__": __name__})

    failed = failures(spec_for(plugin, settings={field_name: "x" * 12}, opt_out={}))

    assert failed["settings"] == (
        f"Leaky.Settings.{field_name}: looks like a secret; declare it as SecretStr, not str, "
        "so it is encrypted, masked in forms and logs, and never shown"
    )
    assert {m for check, m in failed.items() if check != "settings"} == {
        "fix the settings check first"
    }


def test_an_author_field_is_not_taken_for_a_credential() -> None:
    class Named(BaseModel):
        author: str = Field(description="Who to credit.")

    plugin = type("Named", (PlainStrToken,), {"Settings": Named, "__module__": __name__})
    failed = failures(spec_for(plugin, settings={"author": "me"}))

    assert "settings" not in failed
