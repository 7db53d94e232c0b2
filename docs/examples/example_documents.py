"""The example documents of the Czech invoicing guide, as ledger prints them.

``python example_documents.py [FOLDER]`` writes four PDFs into FOLDER (default
``documents``): a VAT payer's invoice at two rates, a reverse-charge EUR invoice with
its VAT base in CZK at a recorded ČNB rate, a credit note, and a non-payer's invoice.
``make docs-pdfs`` writes them into ``docs/documents``, where the guide links them.
"""

import sys
import tempfile
from pathlib import Path

import ledger
from ledger import Client, Ledger

FILES = (
    "vat-payer-two-rates.pdf",
    "reverse-charge-eur.pdf",
    "credit-note.pdf",
    "not-a-vat-payer.pdf",
)


def add_work(lg: Ledger, client: Client) -> None:
    """Two entries of work for `client` in November 2026."""
    project = lg.projects.add(client, name="Web")
    lg.entries.add(project, date="2026-11-02", minutes=600, description="Vývoj e-shopu")
    lg.entries.add(project, date="2026-11-09", minutes=120, description="Školení obsluhy")


def write_documents(folder: Path) -> list[Path]:
    """Issue the four documents in a throwaway database and write their PDFs."""
    lg = ledger.open(Path(tempfile.mkdtemp()) / "examples.db")
    lg.settings.update(
        supplier_name="Jana Nováková",
        supplier_address="Vinohradská 1234/56\n120 00 Praha 2",
        supplier_company_id="12345679",
        supplier_vat_id="CZ8001011234",
        supplier_email="jana@novakova.example",
        vat_payer=True,
        default_vat_rate="21",
    )
    lg.bank_accounts.add(currency="CZK", account_number="2001234567/2010",
                         iban="CZ65 0800 0000 1920 0014 5399", bic="GIBACZPX")  # fmt: skip
    lg.bank_accounts.add(currency="EUR", iban="CZ65 0800 0000 1920 0014 5399", bic="GIBACZPX")
    lg.exchange_rates.set("EUR", "2026-11-09", "24.290")  # as `ledger sync cnb` stores it

    acme = lg.clients.add(
        name="Ďáblice s.r.o.", currency="CZK", language="cs", hourly_rate="1000",
        company_id="27074358", vat_id="CZ27074358", address="Kubelíkova 1224/42\n130 00 Praha 3",
    )  # fmt: skip
    add_work(lg, acme)
    draft = lg.invoices.draft(acme, grouping="entry")
    draft = lg.invoices.update_line(draft, draft.lines[1].id, vat_rate="12")
    two_rates = lg.invoices.issue(draft, issue_date="2026-11-20")

    muller = lg.clients.add(
        name="Müller GmbH", currency="EUR", language="en", hourly_rate="50",
        vat_id="DE811907980", address="Hauptstraße 5\n10115 Berlin\nGermany",
    )  # fmt: skip
    add_work(lg, muller)
    reverse = lg.invoices.issue(lg.invoices.draft(muller), issue_date="2026-11-20")

    credit = lg.invoices.credit(
        two_rates, reason="Školení se nekonalo", lines=[two_rates.lines[1].id],
        issue_date="2026-11-25",
    )  # fmt: skip

    lg.settings.update(vat_payer=False)
    plain = lg.clients.add(
        name="Kavárna U Mostu",
        currency="CZK",
        language="cs",
        hourly_rate="1000",
        company_id="08765430",
    )
    add_work(lg, plain)
    not_payer = lg.invoices.issue(lg.invoices.draft(plain), issue_date="2026-11-26")

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, invoice in zip(FILES, (two_rates, reverse, credit, not_payer), strict=True):
        path = folder / name
        path.write_bytes(lg.documents.invoice_pdf(invoice))
        written.append(path)
    lg.close()
    return written


if __name__ == "__main__":
    for path in write_documents(Path(sys.argv[1] if len(sys.argv) > 1 else "documents")):
        print(path.name)
