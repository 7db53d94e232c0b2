"""bounded_work: every pagination style is served a page that points back to itself."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ledger.contracts import SyncContext, SyncResult, json_body
from ledger.testing.pagination import LOOP_CURSOR, loop_document

from .test_suite_teeth import API, BankSettings, GoodBank, failures, rows, spec_for


def get_page(ctx: SyncContext[BankSettings], url: str, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {ctx.settings.token.get_secret_value()}"}
    return json_body(ctx.http.get(url, params=params, headers=headers))


def finish(ctx: SyncContext[BankSettings], found: list[dict[str, Any]]) -> SyncResult:
    if ctx.cursor and ctx.cursor >= "2999":
        return SyncResult()
    unique = list({row["external_id"]: row for row in found}.values())
    ctx.cursor = max(r["booked_on"] for r in unique)
    return ctx.ledger.transactions.upsert(unique)


class FollowsNextCursors(GoodBank):
    name = "follows_next_cursors"
    guarded = False

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        since = {"since": ctx.cursor} if ctx.cursor else {}
        document = get_page(ctx, API, **since)
        found, seen = rows(document), set()
        while document["next_cursor"]:
            if self.guarded and document["next_cursor"] in seen:
                break  # the guard: a cursor seen before means the service goes round
            seen.add(document["next_cursor"])
            document = get_page(ctx, API, **since, cursor=document["next_cursor"])
            found += rows(document)
        return finish(ctx, found)


class FollowsNextUrls(GoodBank):
    name = "follows_next_urls"
    guarded = False

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        since = {"since": ctx.cursor} if ctx.cursor else {}
        document = get_page(ctx, API, **since)
        found, seen = rows(document), set()
        while document["next_url"]:
            if self.guarded and document["next_url"] in seen:
                break
            seen.add(document["next_url"])
            document = get_page(ctx, document["next_url"])
            found += rows(document)
        return finish(ctx, found)


class CountsPages(GoodBank):
    name = "counts_pages"
    guarded = False

    def sync(self, ctx: SyncContext[BankSettings]) -> SyncResult:
        since = {"since": ctx.cursor} if ctx.cursor else {}
        page = 1
        document = get_page(ctx, API, **since, page=page)
        found = rows(document)
        while document["has_more"]:
            page += 1
            document = get_page(ctx, API, **since, page=page)
            fresh = rows(document)
            known = {row["external_id"] for row in found}
            if self.guarded and all(row["external_id"] in known for row in fresh):
                break  # the guard: a page that brings nothing new ends the walk
            found += fresh
        return finish(ctx, found)


def guarded(plugin: type[GoodBank]) -> type[GoodBank]:
    return type(
        f"Guarded{plugin.__name__}", (plugin,), {"guarded": True, "name": f"g_{plugin.name}"}
    )


STYLES = [FollowsNextCursors, FollowsNextUrls, CountsPages]


@pytest.mark.parametrize("plugin", STYLES)
def test_a_pager_without_a_guard_fails_bounded_work_only(plugin: type[GoodBank]) -> None:
    failed = failures(spec_for(plugin))

    assert set(failed) == {"bounded_work"}
    assert "every page points back to itself the sync hit its limit" in failed["bounded_work"]
    assert (
        "stop paginating when the next link, cursor or page number repeats"
        in (failed["bounded_work"])
    )


@pytest.mark.parametrize("plugin", STYLES)
def test_the_same_pager_with_a_guard_passes_every_check(plugin: type[GoodBank]) -> None:
    assert failures(spec_for(guarded(plugin))) == {}


def test_every_pagination_style_points_back_to_the_page_asked_for() -> None:
    request = httpx.Request("GET", "https://api.example/items?page=3&since=x")
    document = {
        "data": [{"id": 1}],
        "next_page": None,
        "paging": {"cursors": {"after": "abc"}, "next": None},
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "_links": {"next": {"href": "https://api.example/items?page=4"}},
        "@odata.nextLink": None,
        "sync_token": "kept",
    }

    looped = loop_document(document, request)

    assert looped["next_page"] == 3
    assert looped["paging"] == {"cursors": {"after": LOOP_CURSOR}, "next": str(request.url)}
    assert looped["pageInfo"] == {"hasNextPage": True, "endCursor": LOOP_CURSOR}
    assert looped["_links"]["next"]["href"] == str(request.url)
    assert looped["@odata.nextLink"] == str(request.url)
    assert looped["sync_token"] == "kept"
    assert looped["data"] == [{"id": 1}]
