"""``ledger invoice pdf``, ``isdoc``, ``month-pdf`` and ``ledger month-export``: invoice
documents on disk."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import DatabaseOption, friendly_errors, open_cli_ledger
from ledger.core.money import parse_amount
from ledger.errors import InvalidInput

invoice_app = typer.Typer(
    help="One invoice: draft, issue, pay, cancel, show, and its PDF.", no_args_is_help=True
)

OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="File to write ('-' for standard output; default: a safe name in this folder).",
    ),
]


@invoice_app.command("pdf")
@friendly_errors
def invoice_pdf(
    number: Annotated[str, typer.Argument(help="Invoice number, e.g. 2026-0001.")],
    output: OutputOption = None,
    facturx: Annotated[
        bool,
        typer.Option(
            "--facturx",
            help="Make it a Factur-X/ZUGFeRD e-invoice: PDF/A-3 with the EN 16931 XML inside.",
        ),
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Write an invoice as a PDF in its language, with the payment QR code."""
    lg = open_cli_ledger(database)
    invoice = lg.invoices.get(number)
    pdf = lg.documents.invoice_facturx(invoice) if facturx else lg.documents.invoice_pdf(invoice)
    _write(pdf, output, lg.documents.file_name(invoice))


@invoice_app.command("isdoc")
@friendly_errors
def invoice_isdoc(
    number: Annotated[str, typer.Argument(help="Invoice or credit note number.")],
    output: OutputOption = None,
    czk_rate: Annotated[
        str | None,
        typer.Option(
            "--czk-rate",
            help="CZK per unit of a foreign invoice's currency, e.g. 25.14: adds the CZK "
            "amounts ISDOC keeps beside the foreign ones.",
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Write an issued invoice or credit note as an ISDOC 6.0.2 e-invoice (XML)."""
    rate = None if czk_rate is None else parse_amount(czk_rate, "czk_rate", allow_zero=False)
    lg = open_cli_ledger(database)
    invoice = lg.invoices.get(number)
    xml = lg.documents.invoice_isdoc(invoice, rate)
    _write(xml, output, lg.documents.isdoc_file_name(invoice))


@invoice_app.command("month-pdf")
@friendly_errors
def month_pdf(
    month: Annotated[str, typer.Argument(help="The month, as YYYY-MM.")],
    output: OutputOption = None,
    database: DatabaseOption = None,
) -> None:
    """Write every invoice issued in a month as one merged PDF."""
    year, number = _month(month)
    lg = open_cli_ledger(database)
    pdf = lg.documents.month_pdf(year, number)
    _write(pdf, output, lg.documents.month_file_name(year, number))


@friendly_errors
def month_export(
    month: Annotated[str, typer.Argument(help="The month, as YYYY-MM.")],
    output: OutputOption = None,
    database: DatabaseOption = None,
) -> None:
    """Write a month's invoices and credit notes for the accountant as one zip: each as
    PDF and ISDOC, with a list of the documents and a VAT summary per rate (CSV)."""
    year, number = _month(month)
    lg = open_cli_ledger(database)
    archive = lg.documents.month_export(year, number)
    _write(archive, output, lg.documents.month_export_file_name(year, number))


def _month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if match is None:
        raise InvalidInput("month", f"{text!r} is not a month; use YYYY-MM, e.g. 2026-03")
    return int(match.group(1)), int(match.group(2))


def _write(pdf: bytes, output: Path | None, default_name: str) -> None:
    if output is not None and str(output) == "-":
        sys.stdout.buffer.write(pdf)
        sys.stdout.buffer.flush()
        return
    path = output if output is not None else Path(default_name)
    try:
        path.write_bytes(pdf)
    except OSError as exc:
        raise InvalidInput("output", f"cannot write {path}: {exc.strerror or exc}") from None
    typer.echo(f"{path} written ({len(pdf):,} bytes)")
