"""The client portal: ``/p/<token>`` shows one invoice to whoever holds the link.

GETs here change nothing (mail scanners open links), the token is never logged
or stored in clear, every failed lookup looks the same (a plain 404) and failed
lookups are throttled per address.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ledger.core.models import Invoice
from ledger.web.evidence import labels
from ledger.web.i18n import Translator
from ledger.web.rendering import render
from ledger.web.routes.documents import isdoc_response, pdf_response
from ledger.web.security import client_address
from ledger.web.state import ledger_of

PORTAL_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


async def _invoice(request: Request) -> Invoice | None:
    """The invoice of a valid link, always. An address with many wrong links waits
    before each further 404, which makes guessing slow without hurting real clients."""
    lookup = ledger_of(request).portal.resolve
    invoice: Invoice | None = await run_in_threadpool(lookup, request.path_params["token"])
    if invoice is None:
        config, throttle = request.app.state.config, request.app.state.portal_throttle
        key = f"portal:{client_address(request, config.proxies)}"
        await run_in_threadpool(throttle.failed, key)
        if await run_in_threadpool(throttle.blocked, key):
            await tarpit(config.portal_tarpit_seconds)
    return invoice


async def tarpit(seconds: float) -> None:
    """The wait before a 404 to an address that guessed too many links."""
    await asyncio.sleep(seconds)


def _not_found() -> Response:
    return PlainTextResponse("Not found", status_code=404, headers=PORTAL_HEADERS)


async def portal_page(request: Request) -> Response:
    invoice = await _invoice(request)
    if invoice is None:
        return _not_found()
    lg = ledger_of(request)
    request.state.translator = Translator(invoice.language)
    qr = lg.documents.payment_qr(invoice, fmt="svg")
    response = render(request, "portal.html", {
        "invoice": invoice,
        "supplier": lg.settings.get(),
        "account": lg.documents.account_for(invoice),
        "client": lg.clients.get(invoice.client_id),
        "qr": None if qr is None else "data:image/svg+xml;base64," + base64.b64encode(qr).decode(),
        "token": request.path_params["token"],
        **labels(request.state.translator),
    })  # fmt: skip
    response.headers.update(PORTAL_HEADERS)
    return response


async def portal_pdf(request: Request) -> Response:
    documents = ledger_of(request).documents
    return await _download(request, documents.invoice_pdf, documents.file_name, pdf_response)


async def portal_isdoc(request: Request) -> Response:
    documents = ledger_of(request).documents
    return await _download(
        request, documents.invoice_isdoc, documents.isdoc_file_name, isdoc_response
    )


async def _download(
    request: Request,
    render: Callable[[Invoice], bytes],
    name: Callable[[Invoice], str],
    respond: Callable[[bytes, str], Response],
) -> Response:
    """The link's invoice as a file `render` makes, off the event loop; else 404."""
    invoice = await _invoice(request)
    if invoice is None:
        return _not_found()
    data = await run_in_threadpool(render, invoice)
    response = respond(data, name(invoice))
    response.headers.update(PORTAL_HEADERS)
    return response


routes = [
    Route("/p/{token}", portal_page, methods=["GET"]),
    Route("/p/{token}/pdf", portal_pdf, methods=["GET"]),
    Route("/p/{token}/isdoc", portal_isdoc, methods=["GET"]),
]
