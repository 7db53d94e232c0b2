"""Odd ids and odd query values get 404 or a form error, never a 500; private pages
are never cached.

Walks the app's route table, like the session test, so new pages are covered.
"""

from __future__ import annotations

import re

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from ledger.web.app import all_routes
from ledger.web.security import PUBLIC_PREFIXES

from .web_helpers import csrf

HUGE = str(2**64)  # past every 64-bit id column


def routes_with_parameters(method: str) -> list[str]:
    """Private paths answering `method` whose parameters are filled with `HUGE`."""
    paths = set()
    for route in all_routes():
        if isinstance(route, Route) and method in (route.methods or ()) and "{" in route.path:
            path = re.sub(r"\{[^}]+\}", HUGE, route.path)
            if not path.startswith(PUBLIC_PREFIXES):
                paths.add(path)
    return sorted(paths)


def private_pages() -> list[str]:
    return sorted(
        {
            re.sub(r"\{[^}]+\}", "1", route.path)
            for route in all_routes()
            if isinstance(route, Route)
            and "GET" in (route.methods or ())
            and not route.path.startswith(PUBLIC_PREFIXES)
        }
    )


@pytest.mark.parametrize("path", routes_with_parameters("GET"))
def test_a_huge_id_in_a_path_is_not_found(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", routes_with_parameters("POST"))
def test_a_huge_id_in_a_posted_path_is_not_found(client: TestClient, path: str) -> None:
    response = client.post(path, data={"csrf_token": csrf(client, "/")})
    assert response.status_code == 404


QUERIES = [
    f"/audit?run={HUGE}",
    f"/audit?before={HUGE}",
    f"/audit?entity=clients&source=user:{HUGE}",
    f"/time?project={HUGE}",
    f"/time?client={HUGE}",
    "/time?week=9999-W99",
    f"/invoices?page={HUGE}",
    f"/invoices?client={HUGE}",
    f"/money?page={HUGE}",
    f"/money?invoice={HUGE}",
    f"/invoices/new?client={HUGE}",
]


@pytest.mark.parametrize("path", QUERIES)
def test_odd_query_values_never_give_a_server_error(client: TestClient, path: str) -> None:
    assert client.get(path).status_code in (200, 400, 404)


@pytest.mark.parametrize("path", private_pages())
def test_private_pages_are_never_cached(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["cache-control"] == "no-store", (path, response.status_code)
