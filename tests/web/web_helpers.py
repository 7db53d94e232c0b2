"""What web tests share: the password and the CSRF-aware form post."""

from __future__ import annotations

import re

from httpx2 import Response
from starlette.testclient import TestClient

PASSWORD = "correct horse battery"


def csrf(client: TestClient, path: str = "/") -> str:
    """The CSRF token of the page at `path` (every page carries it)."""
    page = client.get(path, follow_redirects=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text) or re.search(
        r'"X-CSRF-Token": "([^"]+)"', page.text
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post(client: TestClient, path: str, data: dict[str, str], *, page: str = "/") -> Response:
    """POST a form the way the browser does, with the session's CSRF token."""
    return client.post(path, data={**data, "csrf_token": csrf(client, page)})
