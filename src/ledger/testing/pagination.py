"""An upstream whose every page points back to itself, for check ``bounded_work``.

Each recorded answer is rewritten so that whatever pagination style the plugin
follows leads to the same page again:

- next URLs (``next``, ``next_url``, ``nextLink``, ``@odata.nextLink``,
  ``_links.next.href``, a ``Link: <...>; rel="next"`` header) name the request's
  own URL;
- next cursors (``next_cursor``, ``nextPageToken``, ``continuation``,
  ``endCursor``...) always hold the same value;
- next page numbers (``next_page``, ``page``, ``current_page``) name the page
  that was asked for, and "more" flags (``has_more``, ``hasNextPage``) are true.

A plugin with a guard (stop when the next link, cursor or page repeats, or a page
brings nothing new) ends; one without pages until the run's limits stop it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from ledger.testing.recording import RecordedResponse

LOOP_CURSOR = "contract-suite-same-page"
"""The next cursor of every page served: following it gives the same page."""

NEXT_LINKS = frozenset({"next", "nexturl", "nextlink", "nextpageurl", "nexthref", "odatanextlink"})
NEXT_CURSORS = frozenset(
    {
        "nextcursor",
        "nextpagecursor",
        "nextpagetoken",
        "nexttoken",
        "continuation",
        "continuationtoken",
        "endcursor",
        "after",
        "cursornext",
    }
)
PAGE_NUMBERS = frozenset({"nextpage", "nextpagenumber", "page", "currentpage", "pagenumber"})
MORE_FLAGS = frozenset({"hasmore", "hasnext", "hasnextpage", "more", "moreavailable"})
PAGE_PARAMS = ("page", "page_number", "pageNumber", "p")


def _normal(key: str) -> str:
    return re.sub(r"[^a-z]", "", key.lower())


def requested_page(request: httpx.Request) -> int:
    """The page number the request asked for (1 when it names none)."""
    for name in PAGE_PARAMS:
        value = request.url.params.get(name)
        if value is not None and value.isdigit():
            return int(value)
    return 1


def _looped(key: str, value: Any, request: httpx.Request) -> Any:
    """`value` of `key` rewritten to point back to this page (unchanged when not paging)."""
    name = _normal(key)
    if name in MORE_FLAGS:
        return True
    if name in PAGE_NUMBERS and (value is None or isinstance(value, int | str)):
        page = requested_page(request)
        return str(page) if isinstance(value, str) and not value.startswith("http") else page
    if name in NEXT_LINKS:
        if isinstance(value, dict) and "href" in value:
            return {**value, "href": str(request.url)}
        if value is None or isinstance(value, str):
            return str(request.url)
    if name in NEXT_CURSORS and (value is None or isinstance(value, str)):
        return LOOP_CURSOR
    return value


def loop_document(document: Any, request: httpx.Request) -> Any:
    """`document` with every pagination field pointing back to this page."""
    if isinstance(document, dict):
        return {
            key: _looped(key, loop_document(value, request), request)
            for key, value in document.items()
        }
    if isinstance(document, list):
        return [loop_document(item, request) for item in document]
    return document


def self_referencing(request: httpx.Request, recorded: RecordedResponse) -> httpx.Response:
    """The recorded answer, its pagination (body and ``Link`` header) looped back."""
    headers = {
        "Content-Type": "application/json",
        **recorded.headers,
        "Link": f'<{request.url}>; rel="next"',
    }
    for name in ("X-Next-Page", "X-Page"):
        if name in headers:
            headers[name] = str(requested_page(request))
    content = recorded.content()
    try:
        document = json.loads(content)
    except ValueError:
        return httpx.Response(recorded.status, headers=headers, content=content, request=request)
    looped = json.dumps(loop_document(document, request), ensure_ascii=False).encode()
    return httpx.Response(recorded.status, headers=headers, content=looped, request=request)
