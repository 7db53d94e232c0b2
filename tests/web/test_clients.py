"""Clients and projects pages: list, create, edit, archive, validation, escaping."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from ledger.api import Ledger

from .web_helpers import PASSWORD, csrf, post

NBSP = "\xa0"
XSS = "<script>alert(1)</script>"
GOOD_CLIENT = {
    "name": "Acme s.r.o.",
    "contact_name": "Petr Svoboda",
    "email": "petr@acme.example",
    "phone": "+420 777 000 111",
    "address": "Dlouhá 1\n110 00 Praha",
    "company_id": "12345679",
    "vat_id": "CZ12345678",
    "currency": "CZK",
    "language": "cs",
    "hourly_rate": "1500",
    "payment_terms_days": "14",
}


def written(lg: Ledger) -> tuple[int, int, int]:
    """Clients, projects and audit events: what a refused form must not change."""
    return (
        len(lg.clients.list(include_archived=True)),
        len(lg.projects.list(include_archived=True)),
        len(lg.audit.list()),
    )


def errors(html: str) -> list[str]:
    return re.findall(r'<span class="error">([^<]*)</span>', html)


def table(html: str, testid: str) -> str:
    match = re.search(rf'<table data-testid="{testid}">.*?</table>', html, re.S)
    assert match, f"no table {testid}"
    return match.group(0)


def field_error(html: str, field: str) -> str:
    """The error shown in the label of the input named `field`."""
    match = re.search(
        rf'name="{field}"[^>]*>(?:(?!</label>).)*?<span class="error">([^<]*)</span>',
        html,
        re.S,
    )
    assert match, f"no error for {field}"
    return match.group(1)


# --- locks ------------------------------------------------------------------------------

POST_PATHS = [
    "/clients",
    "/clients/1",
    "/clients/1/archive",
    "/clients/1/projects",
    "/projects/1",
    "/projects/1/archive",
]


@pytest.mark.parametrize("path", POST_PATHS)
def test_posts_need_a_session(anonymous: TestClient, lg: Ledger, path: str) -> None:
    lg.users.create("jana", PASSWORD)
    acme = lg.clients.add(name="Acme")
    lg.projects.add(acme, name="Web")
    before = written(lg)
    token = csrf(anonymous, "/login")
    response = anonymous.post(path, data={"name": "Hacked", "archived": "1", "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert written(lg) == before
    assert lg.clients.get(acme).name == "Acme"


@pytest.mark.parametrize("path", POST_PATHS)
def test_posts_without_the_csrf_token_are_refused(
    client: TestClient, lg: Ledger, path: str
) -> None:
    acme = lg.clients.add(name="Acme")
    lg.projects.add(acme, name="Web")
    before = written(lg)
    assert client.post(path, data={"name": "Hacked", "archived": "1"}).status_code == 403
    forged = {"name": "Hacked", "archived": "1", "csrf_token": "forged"}
    assert client.post(path, data=forged).status_code == 403
    assert written(lg) == before
    assert not lg.clients.get(acme).archived


# --- clients ------------------------------------------------------------------------------


def test_create_a_client(client: TestClient, lg: Ledger) -> None:
    response = post(client, "/clients", GOOD_CLIENT)
    assert response.status_code == 303
    [acme] = lg.clients.list()
    assert response.headers["location"] == f"/clients/{acme.id}"
    assert acme.company_id == "12345679"
    assert acme.vat_id == "CZ12345678"
    assert acme.language == "cs"
    assert acme.address == "Dlouhá 1\n110 00 Praha"
    assert str(acme.hourly_rate) == "1500.00"
    page = client.get(f"/clients/{acme.id}").text
    assert "was added" in page  # the flash
    assert "Petr Svoboda" in page
    assert f'href="/invoices?client={acme.id}"' in page
    event = lg.audit.list(entity="clients")[-1]
    assert event.source.startswith("user:")
    assert event.action == "insert"


def test_the_new_client_form_offers_every_currency(client: TestClient) -> None:
    page = client.get("/clients/new").text
    for code in ("CZK", "EUR", "USD", "JPY"):
        assert f'<option value="{code}"' in page
    assert 'name="company_id"' in page
    assert 'name="vat_id"' in page


def test_a_czech_decimal_comma_is_accepted_in_czech(client: TestClient, lg: Ledger) -> None:
    lg.settings.update(locale="cs")
    post(client, "/clients", {**GOOD_CLIENT, "hourly_rate": "1 234,50"})
    [acme] = lg.clients.list()
    assert str(acme.hourly_rate) == "1234.50"
    assert 'value="1 234,50"' in client.get(f"/clients/{acme.id}/edit").text


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("1 234,50", "Enter a number, e.g. 1500 or 12.50."),  # Czech notation in English
        ("1,50", "Enter a number, e.g. 1500 or 12.50."),  # a comma only groups thousands
        ("0.001", "CZK amounts have at most 2 decimal places."),
    ],
)
def test_an_amount_the_english_form_cannot_read_is_refused(
    client: TestClient, lg: Ledger, rate: str, message: str
) -> None:
    response = post(client, "/clients", {**GOOD_CLIENT, "hourly_rate": rate})
    assert response.status_code == 400
    assert message in response.text
    assert lg.clients.list() == []


def test_english_thousands_are_read_as_thousands(client: TestClient, lg: Ledger) -> None:
    post(client, "/clients", {**GOOD_CLIENT, "hourly_rate": "1,500"})
    assert str(lg.clients.list()[0].hourly_rate) == "1500.00"  # once 1.50


def test_a_bad_client_shows_every_error_and_writes_nothing(client: TestClient, lg: Ledger) -> None:
    before = written(lg)
    bad = {
        **GOOD_CLIENT,
        "name": "",
        "currency": "XXX",
        "hourly_rate": "lots",
        "payment_terms_days": "soon",
        "language": "de",
    }
    response = post(client, "/clients", bad)
    assert response.status_code == 400
    html = response.text
    assert field_error(html, "name") == "This field is required."
    assert field_error(html, "hourly_rate") == "Enter a number, e.g. 1500 or 12.50."
    assert field_error(html, "payment_terms_days") == "Enter a whole number."
    assert field_error(html, "currency")
    assert field_error(html, "language") == "Choose one of the offered values."
    assert 'value="Petr Svoboda"' in html  # what was typed comes back
    assert written(lg) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hourly_rate", "-5"),
        ("hourly_rate", "99999999999"),  # more than the database's money column holds
        ("payment_terms_days", "9999"),
        ("name", "x" * 201),
        ("email", "a\x00b"),  # NUL: PostgreSQL cannot store it
        ("payment_terms_days", "1" * 5000),
    ],
)
def test_malformed_client_input_is_a_form_error(
    client: TestClient, lg: Ledger, field: str, value: str
) -> None:
    before = written(lg)
    response = post(client, "/clients", {**GOOD_CLIENT, field: value})
    assert response.status_code == 400
    assert field_error(response.text, field)
    assert written(lg) == before


def test_errors_are_in_czech_for_a_czech_user(client: TestClient, lg: Ledger) -> None:
    lg.settings.update(locale="cs")
    response = post(client, "/clients", {**GOOD_CLIENT, "name": "", "hourly_rate": "-1"})
    html = response.text
    assert field_error(html, "name") == "Toto pole je povinné."
    assert field_error(html, "hourly_rate") == "Částka nesmí být záporná."
    assert "Opravte prosím označená pole." in html


def test_edit_a_client(client: TestClient, lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1000")
    form = client.get(f"/clients/{acme.id}/edit").text
    assert 'value="Acme"' in form
    assert 'value="1,000.00"' in form  # as the English form reads it back
    changed = {**GOOD_CLIENT, "name": "Acme Europe", "currency": "EUR", "hourly_rate": "80"}
    response = post(client, f"/clients/{acme.id}", changed)
    assert response.status_code == 303
    saved = lg.clients.get(acme)
    assert (saved.name, saved.currency, str(saved.hourly_rate)) == ("Acme Europe", "EUR", "80.00")


def test_a_bad_edit_writes_nothing(client: TestClient, lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme")
    before = written(lg)
    response = post(client, f"/clients/{acme.id}", {**GOOD_CLIENT, "name": " "})
    assert response.status_code == 400
    assert lg.clients.get(acme).name == "Acme"
    assert written(lg) == before


def test_archive_hides_a_client_until_asked(client: TestClient, lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme")
    lg.clients.add(name="Globex")
    response = post(client, f"/clients/{acme.id}/archive", {"archived": "1"})
    assert response.status_code == 303
    assert lg.clients.get(acme).archived
    listing = table(client.get("/clients").text, "clients")
    assert "Globex" in listing
    assert "Acme" not in listing
    assert "Acme" in table(client.get("/clients?archived=1").text, "clients")
    post(client, f"/clients/{acme.id}/archive", {"archived": "0"})
    assert not lg.clients.get(acme).archived
    assert "Acme" in table(client.get("/clients").text, "clients")


def test_client_names_are_escaped(client: TestClient, lg: Ledger) -> None:
    evil = lg.clients.add(name=XSS, contact_name=XSS, address=XSS)
    lg.projects.add(evil, name=XSS)
    for path in ["/clients", f"/clients/{evil.id}", f"/clients/{evil.id}/edit", "/time"]:
        html = client.get(path).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
        assert XSS not in html, path


def test_a_missing_client_is_a_friendly_404(client: TestClient) -> None:
    for path in ["/clients/999", "/clients/999/edit", "/clients/99999999999999999999"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Not found" in response.text


# --- projects -------------------------------------------------------------------------------


def test_create_edit_and_archive_a_project(client: TestClient, lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme", currency="EUR", hourly_rate="80")
    response = post(
        client,
        f"/clients/{acme.id}/projects",
        {"name": "Web", "hourly_rate": "95", "currency": "", "rounding": "up",
         "rounding_minutes": "15"},
    )  # fmt: skip
    assert response.status_code == 303
    [web] = lg.projects.list(acme)
    assert (web.currency, str(web.hourly_rate), web.rounding, web.rounding_minutes) == (
        "EUR", "95.00", "up", 15,
    )  # fmt: skip
    page = client.get(f"/clients/{acme.id}").text
    assert "Web" in page
    assert "Round up · 15 min" in page

    response = post(
        client,
        f"/projects/{web.id}",
        {"name": "Website", "hourly_rate": "", "currency": "EUR", "rounding": "none",
         "rounding_minutes": ""},
    )  # fmt: skip
    assert response.status_code == 303
    saved = lg.projects.get(web)
    assert (saved.name, saved.hourly_rate, saved.rounding) == ("Website", None, "none")
    assert "client&#39;s rate" in client.get(f"/clients/{acme.id}").text

    post(client, f"/projects/{web.id}/archive", {"archived": "1"})
    assert lg.projects.get(web).archived
    assert "Website" not in table(client.get(f"/clients/{acme.id}").text, "projects")
    assert "Website" in table(client.get(f"/clients/{acme.id}?archived=1").text, "projects")
    post(client, f"/projects/{web.id}/archive", {"archived": "0"})
    assert not lg.projects.get(web).archived


def test_rounding_needs_its_step(client: TestClient, lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme")
    before = written(lg)
    response = post(
        client,
        f"/clients/{acme.id}/projects",
        {"name": "Web", "rounding": "nearest", "rounding_minutes": "0"},
    )
    assert response.status_code == 400
    html = response.text
    assert field_error(html, "rounding_minutes") == "Give the rounding step in minutes, e.g. 15."
    assert written(lg) == before


def test_a_bad_project_shows_every_error(client: TestClient, lg: Ledger) -> None:
    acme = lg.clients.add(name="Acme")
    web = lg.projects.add(acme, name="Web")
    before = written(lg)
    bad = {"name": "", "hourly_rate": "x", "currency": "???", "rounding": "sideways",
           "rounding_minutes": "999"}  # fmt: skip
    for path in (f"/clients/{acme.id}/projects", f"/projects/{web.id}"):
        response = post(client, path, bad)
        assert response.status_code == 400, path
        html = response.text
        assert set(errors(html)) >= {
            "This field is required.",
            "Enter a number, e.g. 1500 or 12.50.",
            "Choose one of the offered values.",
            "The value is too large.",
        }
    assert written(lg) == before
    assert lg.projects.get(web).name == "Web"


def test_czech_labels_and_money(client: TestClient, lg: Ledger) -> None:
    lg.settings.update(locale="cs")
    acme = lg.clients.add(name="Acme", currency="CZK", hourly_rate="1234.50")
    lg.projects.add(acme, name="Web", rounding="up", rounding_minutes=15)
    listing = client.get("/clients").text
    assert f"1{NBSP}234,50{NBSP}Kč" in listing
    assert "Nový klient" in listing
    assert "Hodinová sazba" in listing
    page = client.get(f"/clients/{acme.id}").text
    assert "Projekty" in page
    assert "Zaokrouhlit nahoru · 15 min" in page
    assert "Archivovat" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("company_id", "12345678", "Zadejte 8 číslic IČO; poslední z nich je kontrolní číslice."),
        ("vat_id", "CZ123", "Zadejte DIČ s kódem země, např. CZ27074358 (CZ a 8 až 10 číslic)."),
        ("email", "petr@", "Zadejte e-mailovou adresu, např. jana@example.com."),
    ],
)
def test_a_wrong_identity_is_explained_in_czech(
    client: TestClient, lg: Ledger, field: str, value: str, message: str
) -> None:
    lg.settings.update(locale="cs")
    response = post(client, "/clients", {**GOOD_CLIENT, field: value})
    assert response.status_code == 400
    assert field_error(response.text, field) == message
    assert lg.clients.list() == []
