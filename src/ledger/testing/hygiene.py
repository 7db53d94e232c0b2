"""The hygiene checks: network, secrets, bounded work, a disabled plugin."""

from __future__ import annotations

import time

from ledger.errors import Conflict
from ledger.testing import leaks, recording as rec
from ledger.testing.harness import all_text
from ledger.testing.pagination import self_referencing
from ledger.testing.session import Session, fail


def check_network_discipline(s: Session) -> None:
    _, main = s.main_sync("network_discipline", need_success=False)
    if main.sockets:
        raise fail(
            "network_discipline",
            f"the plugin opened {len(main.sockets)} connections "
            "outside ctx.http; make every request with ctx.http",
        )
    if main.transport.unrecorded:
        raise fail("network_discipline", main.transport.unrecorded[0])


def check_secrets_hidden(s: Session) -> None:
    needles = [leaks.Needles.of(field, canary) for field, canary in s.harness.canaries.items()]
    if not needles:
        return
    lg, main = s.main_sync("secrets_hidden")
    captures = [("", lg, main)]
    if s.harness.spec.recording.responses:
        failing = s.harness.fresh()
        transport = rec.RecordingTransport(s.harness.spec.recording, rec.status_fault(401))
        captures.append((" of a failed sync", failing, s.harness.sync(failing, transport)))
    found: list[leaks.Leak] = []
    for label, ledger, capture in captures:
        texts = {
            f"the stored run{label} (its log, error, traceback, audit or rows)": all_text(ledger),
            f"what the plugin printed{label} (stdout or stderr)": capture.output,
        }
        found += leaks.leaks_in_texts(needles, texts)
        found += leaks.leaks_in_requests(
            needles, capture.requests, url_allowed=s.harness.spec.secret_in_url is not None
        )
    if found:
        raise fail(
            "secrets_hidden",
            f"{found[0].describe()}; never print, log, raise or store a secret, and send "
            "it only in the one request header the API documents (or in the URL when "
            "the API takes it there: set ContractSpec.secret_in_url to say why)",
        )


def check_bounded_work(s: Session) -> None:
    lg = s.harness.fresh()
    limit = min(s.harness.spec.time_limit, 10.0)
    looping = rec.RecordingTransport(s.harness.spec.recording, self_referencing, endless=True)
    started = time.monotonic()
    run = s.harness.sync(lg, looping, max_requests=20, time_limit=limit).run
    took = time.monotonic() - started
    if took > limit + 5:
        raise fail("bounded_work", f"the sync took {took:.1f} s against a {limit:.0f} s limit")
    if run.error_kind == "limit":
        raise fail(
            "bounded_work",
            f"against an upstream whose every page points back to itself the sync hit "
            f"its limit ({run.error_message}); stop paginating when the next link, cursor "
            "or page number repeats or a page brings nothing new (see the pagination how-to)",
        )


def check_disabled_refuses(s: Session) -> None:
    lg = s.harness.fresh(enable=False)
    transport = s.harness.spec.recording.transport()
    try:
        lg.sync(s.name, transport=transport)
    except Conflict:
        pass
    else:
        raise fail("disabled_refuses", "a disabled plugin ran; the engine must refuse it")
    if transport.requests or lg.plugins.history(s.name):
        raise fail("disabled_refuses", "a disabled plugin made requests or recorded a run")
