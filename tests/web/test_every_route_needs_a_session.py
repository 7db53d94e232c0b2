"""Every route but login, set-up, static files and the portal needs a session.

Walks the app's own route table, so a page added later is covered without
anyone remembering to list it.
"""

from __future__ import annotations

import re

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from ledger.api import Ledger
from ledger.web.app import all_routes
from ledger.web.security import PUBLIC_PREFIXES

from .web_helpers import PASSWORD, csrf


def private_routes(method: str) -> list[str]:
    """Paths (parameters filled with 1) of the non-public routes answering `method`."""
    paths = []
    for route in all_routes():
        if isinstance(route, Route) and method in (route.methods or ()):
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            if not path.startswith(PUBLIC_PREFIXES):
                paths.append(path)
    return sorted(set(paths))


def test_the_walk_finds_the_pages() -> None:
    assert {"/", "/clients", "/time", "/invoices/1", "/money/review", "/audit"} <= set(
        private_routes("GET")
    )
    assert "/login" not in private_routes("GET")


@pytest.mark.parametrize("path", private_routes("GET"))
def test_every_page_needs_a_session(anonymous: TestClient, lg: Ledger, path: str) -> None:
    lg.users.create("jana", PASSWORD)
    response = anonymous.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert anonymous.get(path, headers={"HX-Request": "true"}).status_code == 401


@pytest.mark.parametrize("path", private_routes("POST"))
def test_every_change_needs_a_session(anonymous: TestClient, lg: Ledger, path: str) -> None:
    lg.users.create("jana", PASSWORD)
    token = csrf(anonymous, "/login")
    response = anonymous.post(path, data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
