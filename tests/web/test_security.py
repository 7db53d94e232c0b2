"""Login, sessions, CSRF, headers: the web UI's locks."""

from __future__ import annotations

import bcrypt
import pytest
from starlette.testclient import TestClient

from ledger.api import Ledger

from .web_helpers import PASSWORD, csrf

PUBLIC = ["/login", "/setup", "/static/app.css"]


def test_first_visit_without_a_user_offers_set_up(anonymous: TestClient) -> None:
    assert anonymous.get("/").headers["location"] == "/setup"


def test_set_up_creates_the_account_and_logs_in(anonymous: TestClient, lg: Ledger) -> None:
    token = csrf(anonymous, "/setup")
    response = anonymous.post(
        "/setup",
        data={"username": "jana", "password": PASSWORD, "locale": "cs", "csrf_token": token},
    )
    assert response.status_code == 303
    assert anonymous.get("/").status_code == 200
    assert lg.users.count() == 1
    assert lg.settings.get().locale == "cs"


@pytest.mark.parametrize("password", ["short", "x" * 73])
def test_bad_passwords_are_form_errors_not_500(
    anonymous: TestClient, lg: Ledger, password: str
) -> None:
    token = csrf(anonymous, "/setup")
    response = anonymous.post(
        "/setup", data={"username": "jana", "password": password, "csrf_token": token}
    )
    assert response.status_code == 400
    assert lg.users.count() == 0


def test_passwords_are_hashed_with_bcrypt_cost_12(lg: Ledger) -> None:
    from ledger.core import users

    assert users.BCRYPT_ROUNDS >= 12 or users.BCRYPT_ROUNDS == 4  # 4 only under the test patch
    import importlib

    fresh = importlib.reload(users)
    assert fresh.BCRYPT_ROUNDS >= 12
    hashed = bcrypt.hashpw(b"x" * 8, bcrypt.gensalt(fresh.BCRYPT_ROUNDS))
    assert hashed.startswith(b"$2b$12$")


def test_htmx_requests_without_a_session_are_told_to_log_in(
    anonymous: TestClient, lg: Ledger
) -> None:
    lg.users.create("jana", PASSWORD)
    response = anonymous.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


def test_a_state_change_without_the_csrf_token_is_refused(client: TestClient) -> None:
    assert client.post("/logout", data={}).status_code == 403
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.get("/").status_code == 200  # still logged in


def test_the_csrf_header_is_accepted_for_htmx(client: TestClient) -> None:
    token = csrf(client)
    assert client.post("/logout", headers={"X-CSRF-Token": token}).status_code == 303


def test_wrong_password_then_throttled(anonymous: TestClient, lg: Ledger) -> None:
    lg.users.create("jana", PASSWORD)
    token = csrf(anonymous, "/login")
    for _ in range(5):
        response = anonymous.post(
            "/login", data={"username": "jana", "password": "nope-nope", "csrf_token": token}
        )
        assert response.status_code == 400
    response = anonymous.post(
        "/login", data={"username": "jana", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429


def test_login_issues_a_new_session_id_and_logout_ends_it(
    anonymous: TestClient, lg: Ledger
) -> None:
    lg.users.create("jana", PASSWORD)
    anonymous.get("/login")
    before = anonymous.cookies.get("ledger_session")
    token = csrf(anonymous, "/login")
    anonymous.post("/login", data={"username": "jana", "password": PASSWORD, "csrf_token": token})
    after = anonymous.cookies.get("ledger_session")
    assert before
    assert after
    assert before != after
    anonymous.post("/logout", data={"csrf_token": csrf(anonymous)})
    anonymous.cookies.set("ledger_session", after)
    assert anonymous.get("/").status_code == 303


def test_session_cookie_flags(anonymous: TestClient) -> None:
    response = anonymous.get("/login")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_security_headers(anonymous: TestClient) -> None:
    headers = anonymous.get("/login").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", PUBLIC)
def test_public_paths_need_no_session(anonymous: TestClient, lg: Ledger, path: str) -> None:
    lg.users.create("jana", PASSWORD)
    assert anonymous.get(path).status_code in (200, 303)


def test_idle_sessions_expire(client: TestClient, clock: object) -> None:
    clock.advance(hours=2)  # type: ignore[attr-defined]
    assert client.get("/").status_code == 303
