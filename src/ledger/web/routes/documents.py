"""Invoice documents in the web UI: PDF and ISDOC downloads, payment QR code, share links."""

from __future__ import annotations

import datetime as dt
import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ledger.errors import InvalidInput, NotFound
from ledger.web import fields  # noqa: F401  (registers the {name:id} path convertor)
from ledger.web.forms import N_, posted, reads_form
from ledger.web.routes.invoices import invoice_form_error
from ledger.web.state import ledger_of

MONTH = re.compile(r"(\d{4})-(\d{2})")
EXPIRY_ERROR = N_("Give a number of days between 1 and 3650, or leave it empty.")


def pdf_response(content: bytes, file_name: str) -> Response:
    """A PDF download with a safe file name."""
    return Response(content, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{file_name}"',
        "Cache-Control": "no-store",
    })  # fmt: skip


def isdoc_response(content: bytes, file_name: str) -> Response:
    """An ISDOC (XML) download with a safe file name."""
    return Response(content, media_type="application/xml", headers={
        "Content-Disposition": f'attachment; filename="{file_name}"',
        "Cache-Control": "no-store",
    })  # fmt: skip


def invoice_isdoc(request: Request) -> Response:
    lg = ledger_of(request)
    invoice = lg.invoices.get(request.path_params["invoice_id"])
    xml = lg.documents.invoice_isdoc(invoice)
    return isdoc_response(xml, lg.documents.isdoc_file_name(invoice))


async def invoice_pdf(request: Request) -> Response:
    lg = ledger_of(request)
    invoice = lg.invoices.get(request.path_params["invoice_id"])
    pdf = await run_in_threadpool(lg.documents.invoice_pdf, invoice)  # keeps the loop free
    return pdf_response(pdf, lg.documents.file_name(invoice))


async def invoice_facturx(request: Request) -> Response:
    lg = ledger_of(request)
    invoice = lg.invoices.get(request.path_params["invoice_id"])
    pdf = await run_in_threadpool(lg.documents.invoice_facturx, invoice)
    return pdf_response(pdf, lg.documents.file_name(invoice))


async def month_pdf(request: Request) -> Response:
    lg = ledger_of(request)
    year, month = _month(request)
    pdf = await run_in_threadpool(lg.documents.month_pdf, year, month)
    return pdf_response(pdf, lg.documents.month_file_name(year, month))


async def month_export(request: Request) -> Response:
    """The month's PDFs, ISDOC files and CSVs for the accountant, zipped."""
    lg = ledger_of(request)
    year, month = _month(request)
    archive = await run_in_threadpool(lg.documents.month_export, year, month)
    return Response(archive, media_type="application/zip", headers={
        "Content-Disposition":
            f'attachment; filename="{lg.documents.month_export_file_name(year, month)}"',
        "Cache-Control": "no-store",
    })  # fmt: skip


def _month(request: Request) -> tuple[int, int]:
    match = MONTH.fullmatch(request.query_params.get("month", ""))
    if match is None:
        raise InvalidInput("month", "use YYYY-MM, e.g. 2026-11")
    return int(match.group(1)), int(match.group(2))


def invoice_qr(request: Request) -> Response:
    svg = ledger_of(request).documents.payment_qr(request.path_params["invoice_id"], fmt="svg")
    if svg is None:
        raise NotFound("this invoice has no payment QR code; its page says why")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@reads_form
def share(request: Request) -> Response:
    """Create a share link; its address is shown once, on the next page."""
    lg = ledger_of(request)
    invoice_id = request.path_params["invoice_id"]
    values = posted(request)
    days = values.get("expires_days", "")
    if days and not (days.isdigit() and 0 < int(days) <= 3650):
        message = request.state.translator.gettext(EXPIRY_ERROR)
        return invoice_form_error(request, "share", values, {"expires_days": message})
    expires = dt.timedelta(days=int(days)) if days else None
    _, token = lg.portal.create_link(invoice_id, expires)
    address = f"{request.app.state.config.base_url.rstrip('/')}/p/{token}"
    request.state.session.flash.append(("share", address))
    return RedirectResponse(f"/invoices/{invoice_id}#documents", status_code=303)


def revoke(request: Request) -> Response:
    lg = ledger_of(request)
    invoice_id, link_id = request.path_params["invoice_id"], request.path_params["link_id"]
    if link_id not in {link.id for link in lg.portal.links(invoice_id)}:
        raise NotFound(f"share link {link_id} is not on invoice {invoice_id}")
    lg.portal.revoke(link_id)
    return RedirectResponse(f"/invoices/{invoice_id}#documents", status_code=303)


routes = [
    Route("/invoices/month.pdf", month_pdf, methods=["GET"]),
    Route("/invoices/month.zip", month_export, methods=["GET"]),
    Route("/invoices/{invoice_id:id}/pdf", invoice_pdf, methods=["GET"]),
    Route("/invoices/{invoice_id:id}/isdoc", invoice_isdoc, methods=["GET"]),
    Route("/invoices/{invoice_id:id}/facturx.pdf", invoice_facturx, methods=["GET"]),
    Route("/invoices/{invoice_id:id}/qr.svg", invoice_qr, methods=["GET"]),
    Route("/invoices/{invoice_id:id}/share", share, methods=["POST"]),
    Route("/invoices/{invoice_id:id}/share/{link_id:id}/revoke", revoke, methods=["POST"]),
]
