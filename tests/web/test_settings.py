"""Settings: supplier identity, numbering with its preview, language, theme, password."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.web import create_app
from ledger.web.config import WebConfig

from .web_helpers import PASSWORD, csrf, post

XSS = "<script>alert(1)</script>"
GOOD = {
    "supplier_name": "Jana Nováková",
    "supplier_address": "Krátká 2\n602 00 Brno",
    "supplier_company_id": "87654326",
    "supplier_vat_id": "CZ8765432109",
    "supplier_email": "jana@example.cz",
    "number_pattern": "FV{yy}{seq:03d}",
    "credit_note_pattern": "OD{yy}{seq:03d}",
    "default_due_days": "21",
    "payment_tolerance": "2.50",
    "default_hourly_rate": "1200",
    "locale": "en",
    "theme": "auto",
}
NEW_PASSWORD = "a brand new secret"


def audit_count(lg: Ledger) -> int:
    return len(lg.audit.list())


def field_error(html: str, field: str) -> str:
    match = re.search(
        rf'name="{field}"(?:(?!</label>).)*?<span class="error">([^<]*)</span>', html, re.S
    )
    assert match, f"no error for {field}"
    return match.group(1)


# --- locks ------------------------------------------------------------------------------

POSTS = {
    "/settings": GOOD,
    "/settings/theme": {"theme": "dark"},
    "/settings/password": {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
}


@pytest.mark.parametrize("path", list(POSTS))
def test_posts_need_a_session(anonymous: TestClient, lg: Ledger, path: str) -> None:
    lg.users.create("jana", PASSWORD)
    before = audit_count(lg)
    token = csrf(anonymous, "/login")
    response = anonymous.post(path, data={**POSTS[path], "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert audit_count(lg) == before


@pytest.mark.parametrize("path", list(POSTS))
def test_posts_without_the_csrf_token_are_refused(
    client: TestClient, lg: Ledger, path: str
) -> None:
    before = audit_count(lg)
    assert client.post(path, data=POSTS[path]).status_code == 403
    assert client.post(path, data={**POSTS[path], "csrf_token": "forged"}).status_code == 403
    assert audit_count(lg) == before
    assert lg.settings.get().theme == "auto"


# --- the settings form ----------------------------------------------------------------------


def test_settings_are_saved_and_shown(client: TestClient, lg: Ledger) -> None:
    response = post(client, "/settings", GOOD)
    assert response.status_code == 303
    assert response.headers["location"] == "/settings"
    saved = lg.settings.get()
    assert saved.supplier_name == "Jana Nováková"
    assert saved.supplier_vat_id == "CZ8765432109"
    assert saved.number_pattern == "FV{yy}{seq:03d}"
    assert (saved.default_due_days, saved.payment_tolerance_minor) == (21, 250)
    assert saved.default_hourly_rate_minor == 120000
    page = client.get("/settings").text
    assert "The settings were saved." in page
    assert 'value="Jana Nováková"' in page
    assert 'value="CZ8765432109"' in page
    assert 'value="2.50"' in page
    assert 'value="1,200.00"' in page
    assert "<strong>FV26001</strong>" in page  # the next number under the new pattern
    assert lg.audit.list(entity="app_settings")[-1].source.startswith("user:")


def test_the_next_number_counts_issued_invoices(client: TestClient, lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", hourly_rate="1000")
    web = lg.projects.add(acme, name="Web")
    lg.entries.add(web, date="2026-11-02", minutes=60)
    lg.invoices.issue(lg.invoices.draft(acme))
    assert "<strong>2026-0002</strong>" in client.get("/settings").text


def test_the_number_preview_follows_the_typed_pattern(client: TestClient) -> None:
    headers = {"HX-Request": "true"}
    response = client.get("/settings/number-preview?number_pattern=INV-{seq}", headers=headers)
    assert response.status_code == 200
    assert response.text.strip().startswith('<span id="number-preview"')
    assert "<strong>INV-1</strong>" in response.text
    for pattern in ["{year}", "{seq", "{seq:999999999d}", "{year}{month}{seq:08d}"]:
        response = client.get(
            "/settings/number-preview", params={"number_pattern": pattern}, headers=headers
        )
        assert response.status_code == 200
        assert 'class="error"' in response.text
        assert "<strong>" not in response.text


def test_bad_settings_show_every_error_and_write_nothing(client: TestClient, lg: Ledger) -> None:
    before, audit_before = lg.settings.get(), audit_count(lg)
    bad = {
        **GOOD,
        "supplier_vat_id": "not a VAT id",
        "number_pattern": "{year}",
        "default_due_days": "soon",
        "payment_tolerance": "",
        "default_hourly_rate": "lots",
        "locale": "de",
        "theme": "pink",
        "supplier_name": XSS,
    }
    response = post(client, "/settings", bad)
    assert response.status_code == 400
    html = response.text
    assert field_error(html, "supplier_vat_id").startswith("Enter a VAT id with its country")
    assert field_error(html, "number_pattern").startswith("Use {seq} for the running number")
    assert field_error(html, "default_due_days") == "Enter a whole number."
    assert field_error(html, "payment_tolerance") == "This field is required."
    assert field_error(html, "default_hourly_rate") == "Enter a number, e.g. 1500 or 12.50."
    assert field_error(html, "locale") == "Choose one of the offered values."
    assert field_error(html, "theme") == "Choose one of the offered values."
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert XSS not in html
    assert lg.settings.get() == before
    assert audit_count(lg) == audit_before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("payment_tolerance", "99999999999"),
        ("payment_tolerance", "5000"),
        ("default_hourly_rate", "-1"),
        ("default_due_days", "9" * 5000),
        ("number_pattern", "{seq:99999999999d}"),
        ("supplier_name", "bad\x00name"),
        ("supplier_company_id", "1" * 21),
    ],
)
def test_malformed_settings_are_form_errors(
    client: TestClient, lg: Ledger, field: str, value: str
) -> None:
    before = lg.settings.get()
    response = post(client, "/settings", {**GOOD, field: value})
    assert response.status_code == 400
    assert field_error(response.text, field)
    assert lg.settings.get() == before


def test_supplier_text_is_escaped(client: TestClient, lg: Ledger) -> None:
    lg.settings.update(supplier_name=XSS, supplier_address=XSS)
    html = client.get("/settings").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert XSS not in html


def test_czech_language(client: TestClient, lg: Ledger) -> None:
    post(client, "/settings", {**GOOD, "locale": "cs"})
    assert lg.settings.get().locale == "cs"
    html = client.get("/settings").text
    assert '<html lang="cs"' in html
    assert "Nastavení bylo uloženo." in html  # said in the new language
    assert "Dodavatel" in html
    assert "Vzor číslování" in html
    assert 'value="2,50"' in html  # amounts shown as Czech reads them
    assert 'value="1 200,00"' in html
    assert "Další číslo při vystavení dnes (25. 11. 2026):" in html
    response = post(client, "/settings", {**GOOD, "locale": "cs", "supplier_company_id": "x"})
    assert field_error(response.text, "supplier_company_id").startswith("Zadejte")


# --- the theme toggle -----------------------------------------------------------------------


def test_theme_toggle_goes_back_to_the_page(client: TestClient, lg: Ledger) -> None:
    token = csrf(client, "/time")
    response = client.post(
        "/settings/theme",
        data={"theme": "dark", "csrf_token": token},
        headers={"Referer": "http://testserver/time?week=2026-W48"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/time?week=2026-W48"
    assert lg.settings.get().theme == "dark"
    assert '<html lang="en" data-theme="dark">' in client.get("/").text
    assert 'name="theme" value="light"' in client.get("/").text  # the toggle offers light


@pytest.mark.parametrize(
    "referer",
    [
        "",
        "https://evil.example/settings",
        "http://testserver//evil.example/x",
        "http://testserver/\\evil.example",
        "javascript:alert(1)",
        "/relative",
    ],
)
def test_theme_toggle_never_redirects_elsewhere(
    client: TestClient, lg: Ledger, referer: str
) -> None:
    token = csrf(client)
    headers = {"Referer": referer} if referer else {}
    response = client.post(
        "/settings/theme", data={"theme": "light", "csrf_token": token}, headers=headers
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert lg.settings.get().theme == "light"


@pytest.mark.parametrize("theme", ["", "pink", "auto; drop table"])
def test_a_bad_theme_is_refused(client: TestClient, lg: Ledger, theme: str) -> None:
    before = audit_count(lg)
    response = post(client, "/settings/theme", {"theme": theme})
    assert response.status_code == 400
    assert audit_count(lg) == before


# --- the password -----------------------------------------------------------------------------


def log_in(app_client: TestClient, password: str = PASSWORD) -> int:
    token = csrf(app_client, "/login")
    response = app_client.post(
        "/login", data={"username": "jana", "password": password, "csrf_token": token}
    )
    return response.status_code


def test_change_password_ends_the_other_sessions(client: TestClient, lg: Ledger) -> None:
    with TestClient(client.app, follow_redirects=False) as other:
        assert log_in(other) == 303
        assert other.get("/").status_code == 200
        old_cookie = client.cookies.get("ledger_session")
        response = post(
            client,
            "/settings/password",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            page="/settings",
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/settings"
        assert other.get("/").status_code == 303  # the other browser is logged out
        assert client.cookies.get("ledger_session") != old_cookie  # a fresh session here
        page = client.get("/settings")
        assert page.status_code == 200
        assert "Your password was changed." in page.text
        assert lg.users.authenticate("jana", NEW_PASSWORD) is not None
        assert lg.users.authenticate("jana", PASSWORD) is None
        assert log_in(other, PASSWORD) == 400
        assert log_in(other, NEW_PASSWORD) == 303
    event = lg.audit.list(entity="users")[-1]
    assert event.action == "update"
    assert event.source.startswith("user:")
    assert event.after is not None
    assert event.after["password_hash"] == "***"
    assert NEW_PASSWORD not in str(event)


@pytest.mark.parametrize(
    ("current", "new", "field", "message"),
    [
        ("wrong password", NEW_PASSWORD, "current_password", "The current password is not right."),
        (PASSWORD, "short", "new_password", "Use at least 8 characters."),
        (PASSWORD, "x" * 73, "new_password", "Use at most 72 bytes."),
        ("x" * 500, NEW_PASSWORD, "current_password", "The current password is not right."),
    ],
)
def test_a_refused_password_change_writes_nothing(
    client: TestClient, lg: Ledger, current: str, new: str, field: str, message: str
) -> None:
    before = audit_count(lg)
    response = post(
        client, "/settings/password", {"current_password": current, "new_password": new}
    )
    assert response.status_code == 400
    assert field_error(response.text, field) == message
    assert audit_count(lg) == before
    assert lg.users.authenticate("jana", PASSWORD) is not None
    assert client.get("/").status_code == 200  # still logged in


def test_guessing_the_current_password_is_throttled(client: TestClient, lg: Ledger) -> None:
    for _ in range(5):
        post(client, "/settings/password", {"current_password": "guess-guess",
                                             "new_password": NEW_PASSWORD})  # fmt: skip
    response = post(
        client, "/settings/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert "Too many failed attempts" in response.text
    assert lg.users.authenticate("jana", PASSWORD) is not None


def test_the_password_form_in_czech(client: TestClient, lg: Ledger) -> None:
    lg.settings.update(locale="cs")
    response = post(client, "/settings/password", {"current_password": "nope-nope",
                                                   "new_password": "short"})  # fmt: skip
    html = response.text
    assert field_error(html, "current_password") == "Současné heslo není správné."
    assert field_error(html, "new_password") == "Použijte alespoň 8 znaků."
    assert "Změnit heslo" in html


def test_users_change_password_api(lg: Ledger) -> None:
    user = lg.users.create("jana", PASSWORD)
    lg.users.change_password(user, PASSWORD, NEW_PASSWORD)
    assert lg.users.authenticate("jana", NEW_PASSWORD) == user
    with pytest.raises(Exception, match="current password"):
        lg.users.change_password(user, PASSWORD, "another long one")


def test_a_fresh_app_serves_settings_with_defaults(lg: Ledger) -> None:
    lg.users.create("jana", PASSWORD)
    with TestClient(create_app(lg, WebConfig()), follow_redirects=False) as fresh:
        assert log_in(fresh) == 303
        html = fresh.get("/settings").text
        assert 'value="{year}-{seq:04d}"' in html
        assert "<strong>2026-0001</strong>" in html
