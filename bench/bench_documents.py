"""Invoice document benchmark: one invoice PDF cold and warm, and a month of 200 merged.

Run with the project's virtualenv (``make bench``), or directly::

    python bench/bench_documents.py                 # 200 invoices, 20 warm renders
    python bench/bench_documents.py --scale 0.1     # a quick smoke run (20 invoices)

A temporary SQLite database gets a supplier, a Czech client (CZK, SPAYD QR code) and an
English one (EUR, EPC QR code), and a month of issued invoices of three to eight lines
each, made through the API. Timed, wall-clock:

- cold: the first invoice PDF in a fresh Python process, importing WeasyPrint and
  loading the fonts included (median of ``--cold`` processes);
- warm: ``lg.documents.invoice_pdf`` again in a process that has made one (median of
  ``--repeat``; target under 0.2 s), for the CZK and the EUR invoice;
- month: ``lg.documents.month_pdf`` for all of them, rendered and merged with pypdf.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

import benchkit
import ledger
from ledger.api import Ledger
from ledger.core.models import Invoice

WARM_TARGET_S = 0.2
INVOICES = 200
YEAR, MONTH = 2026, 3
SUPPLIER = {
    "supplier_name": "Jana Nováková",
    "supplier_address": "Vinohradská 1234/56\n120 00 Praha 2",
    "supplier_company_id": "12345679",
    "supplier_vat_id": "CZ8001011234",
    "supplier_email": "jana@novakova.example",
}
ACCOUNTS = [
    {"currency": "CZK", "account_number": "2001234567/2010",
     "iban": "CZ65 0800 0000 1920 0014 5399", "bic": "GIBACZPX"},
    {"currency": "EUR", "iban": "CZ65 0800 0000 1920 0014 5399", "bic": "GIBACZPX"},
]  # fmt: skip
TASKS = [
    "Návrh rozhraní objednávek",
    "Oprava chyb v exportu faktur",
    "Code review and deployment",
    "Údržba serverů a zálohování",
    "Konzultace k datovému modelu",
    "Performance tuning of reports",
    "Příprava podkladů pro účetní",
    "Integrace platební brány",
]
COLD_SCRIPT = """
import sys, time
import ledger
lg = ledger.open(sys.argv[1])
invoice = lg.invoices.get(sys.argv[2])
started = time.perf_counter()
lg.documents.invoice_pdf(invoice)
print(time.perf_counter() - started)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="shrink the month, e.g. 0.1")
    parser.add_argument("--repeat", type=int, default=20, help="warm renders to time")
    parser.add_argument("--cold", type=int, default=3, help="fresh processes to time")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target is missed"
    )
    args = benchkit.known_args(parser, argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    count = max(2, round(INVOICES * args.scale))
    print(f"ledger {ledger.__version__} on Python {sys.version.split()[0]}: {count} invoices")
    benchkit.print_load()
    with tempfile.TemporaryDirectory(prefix="ledger-bench-documents-") as tmp:
        path = Path(tmp) / "documents.db"
        lg = ledger.open(path, source="system:bench")
        try:
            started = time.perf_counter()
            czk, eur = _fill(lg, count)
            print(f"set-up through the API (untimed): {time.perf_counter() - started:.1f} s")
            return _report(lg, path, czk, eur, args)
        finally:
            lg.close()


def _report(lg: Ledger, path: Path, czk: Invoice, eur: Invoice, args: argparse.Namespace) -> int:
    assert czk.number is not None
    cold = [_cold_render(path, czk.number) for _ in range(args.cold)]
    lg.documents.invoice_pdf(czk)  # this process's first render: imports and fonts
    warm_czk = _timed(lambda: lg.documents.invoice_pdf(czk), args.repeat)
    warm_eur = _timed(lambda: lg.documents.invoice_pdf(eur), args.repeat)
    size = len(lg.documents.invoice_pdf(czk))

    started = time.perf_counter()
    month = lg.documents.month_pdf(YEAR, MONTH)
    month_s = time.perf_counter() - started
    pages = len(PdfReader(io.BytesIO(month)).pages)

    print()
    print(f"{'step':<44} {'seconds':>9} {'target':>10}  met")
    warm = statistics.median(warm_czk)
    rows = [
        (f"cold first PDF (median of {len(cold)} processes)", statistics.median(cold), None),
        (f"warm PDF, CZK + SPAYD (median of {len(warm_czk)})", warm, WARM_TARGET_S),
        (f"warm PDF, EUR + EPC (median of {len(warm_eur)})", statistics.median(warm_eur), None),
        (f"month: {pages} invoices rendered + merged", month_s, None),
    ]
    for step, seconds, target in rows:
        met = "" if target is None else ("yes" if seconds <= target else "NO")
        target_text = "" if target is None else f"< {target:g} s"
        print(f"{step:<44} {seconds:>9.3f} {target_text:>10}  {met}")
    print(
        f"\none invoice PDF: {size / 1024:.0f} KiB; the month: {len(month) / 1024 / 1024:.1f} "
        f"MiB, {month_s / pages * 1000:.0f} ms per invoice; warm best {min(warm_czk):.3f} s"
    )
    missed = not benchkit.report_ratio(
        "warm invoice PDF (share of its target)", warm / WARM_TARGET_S, 1.0,
        f"median {warm:.3f} s; target {WARM_TARGET_S:g} s",
    )  # fmt: skip
    return 1 if missed and args.strict else 0


def set_up_supplier(lg: Ledger) -> None:
    """A VAT payer with a CZK and an EUR account, and the month's ČNB EUR fixings (which
    its EUR invoices are issued at)."""
    lg.settings.update(**SUPPLIER, vat_payer=True)
    for account in ACCOUNTS:
        lg.bank_accounts.add(**account)
    for day in range(1, 29):
        lg.exchange_rates.set("EUR", dt.date(YEAR, MONTH, day), "24.290")


def _fill(lg: Ledger, count: int) -> tuple[Invoice, Invoice]:
    set_up_supplier(lg)
    czech = lg.clients.add(
        name="Acme s.r.o.",
        currency="CZK",
        language="cs",
        hourly_rate="1500",
        company_id="27074358",
        vat_id="CZ27074358",
        address="Karlova 12\n110 00 Praha 1",
    )
    english = lg.clients.add(
        name="Nordwind GmbH",
        currency="EUR",
        language="en",
        hourly_rate="85",
        vat_id="DE811234567",
        address="Hafenstraße 8\n20457 Hamburg\nGermany",
    )
    projects = {c.id: lg.projects.add(c, name="Development") for c in (czech, english)}
    made = []
    for n in range(count):
        client = czech if n % 2 == 0 else english
        lines = 3 + n % 6
        lg.entries.add_many(
            projects[client.id],
            [
                {
                    "date": dt.date(YEAR, MONTH, 1 + (n + i) % 28),
                    "minutes": 30 + 15 * ((n + i) % 12),
                    "description": TASKS[(n + i) % len(TASKS)],
                }
                for i in range(lines)
            ],
        )
        vat = "21" if client is czech else None
        draft = lg.invoices.draft(client, grouping="entry", vat_rate=vat)
        made.append(lg.invoices.issue(draft, issue_date=dt.date(YEAR, MONTH, 1 + n * 28 // count)))
    return made[0], made[1]


def _cold_render(path: Path, number: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", COLD_SCRIPT, str(path), number],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip())


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


if __name__ == "__main__":
    sys.exit(main())
