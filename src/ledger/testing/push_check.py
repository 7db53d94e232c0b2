"""The ``push`` check: what a plugin sends upstream, it sends once per change.

It runs the plugin against its recording for reads and a fake of the
upstream's writes (`PushSpec.upstream`), and counts the changing requests
(POST, PUT, PATCH, DELETE) upstream accepted:

- a run after the data to push was prepared sends something;
- a second run with nothing changed sends nothing;
- a dry run sends nothing;
- a run whose Nth changing request fails, then a clean re-run, together get
  exactly as many requests accepted as one clean run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from ledger.contracts.http import SAFE_METHODS
from ledger.testing.recording import Recording, RecordingTransport
from ledger.testing.spec import ContractFailure

if TYPE_CHECKING:
    from ledger.api import Ledger
    from ledger.testing.session import Session
    from ledger.testing.spec import PushSpec

CHECK = "push"


class PushTransport(RecordingTransport):
    """Reads from the recording, writes to `upstream`; the Nth write may fail with a 500."""

    def __init__(
        self,
        recording: Recording,
        upstream: Callable[[httpx.Request], httpx.Response],
        fail_write: int | None = None,
    ) -> None:
        super().__init__(recording)
        self.upstream = upstream
        self.fail_write = fail_write
        self.writes: list[httpx.Request] = []
        self.accepted = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method in SAFE_METHODS:
            return super().handle_request(request)
        self.requests.append(request)
        self.writes.append(request)
        if len(self.writes) == self.fail_write:
            return httpx.Response(500, json={"error": "injected by the contract suite"})
        response = self.upstream(request)
        self.accepted += response.is_success
        return response


def check_push(s: Session) -> None:
    """Fail unless the plugin pushes each change once (see the module docstring)."""
    spec = s.harness.spec
    if spec.push is None:
        _, main = s.main_sync(CHECK, need_success=False)
        writes = [r for r in main.requests if r.method not in SAFE_METHODS]
        if writes:
            raise ContractFailure(
                CHECK,
                f"the sync sent {len(writes)} changing requests ({writes[0].method} "
                f"{writes[0].url}); give ContractSpec.push a fake of upstream's writes so "
                "the suite can check that each is sent once",
            )
        return
    push = spec.push
    lg, clean = _pushed(s, push, PushTransport(spec.recording, push.upstream))
    if not clean.accepted:
        raise ContractFailure(
            CHECK, "nothing was pushed after PushSpec.prepare; prepare data the plugin pushes"
        )
    again = PushTransport(spec.recording, push.upstream)
    run = s.harness.sync(lg, again).run
    if run.status != "succeeded" or again.writes:
        raise ContractFailure(
            CHECK,
            f"a second run with nothing changed sent {len(again.writes)} changing requests "
            f"(run {run.status}); push with ctx.push, which sends only what changed",
        )
    _, dry = _pushed(s, push, PushTransport(spec.recording, push.upstream), dry_run=True)
    if dry.writes:
        raise ContractFailure(
            CHECK, f"a dry run sent {len(dry.writes)} changing requests; send through ctx.http"
        )
    _a_failure_never_duplicates(s, push, clean.accepted)


def _pushed(
    s: Session, push: PushSpec, transport: PushTransport, *, dry_run: bool = False
) -> tuple[Ledger, PushTransport]:
    """A fresh ledger synced once, prepared, then synced through `transport`."""
    lg = s.harness.fresh()
    first = s.harness.sync(lg)
    if first.run.status != "succeeded":
        raise ContractFailure(CHECK, f"the first sync failed: {first.run.error_message}")
    push.prepare(lg)
    s.harness.sync(lg, transport, dry_run=dry_run)
    return lg, transport


def _a_failure_never_duplicates(s: Session, push: PushSpec, expected: int) -> None:
    recording = s.harness.spec.recording
    nth = 2 if expected >= 2 else 1
    lg, faulty = _pushed(s, push, PushTransport(recording, push.upstream, fail_write=nth))
    rerun = PushTransport(recording, push.upstream)
    run = s.harness.sync(lg, rerun).run
    total = faulty.accepted + rerun.accepted
    if run.status != "succeeded" or total != expected:
        raise ContractFailure(
            CHECK,
            f"with changing request {nth} failing and a re-run, upstream accepted {total} "
            f"requests where one clean run needs {expected} (re-run {run.status}); record "
            "each object as upstream accepts it: push with ctx.push",
        )
