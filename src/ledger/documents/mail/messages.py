"""The e-mails ledger writes: an invoice (or credit note) and a payment reminder.

Each is written in the invoice's language (Czech or English, as its PDF) with the
subject, a plain-text body and the documents attached. Reminders repeat the PDF so the
client has it at hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from ledger.core.models import AppSettings, BankAccount, Invoice
from ledger.documents.pdf import Formats

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "reminder": "Payment reminder",
        "greeting": "Hello,",
        "sending_invoice": "please find attached invoice {number} for {total}.",
        "sending_credit_note": "please find attached credit note {number} for {total}, "
        "correcting invoice {corrects}.",
        "due": "Due date: {date}",
        "symbol": "Variable symbol: {symbol}",
        "account": "Bank account: {account}",
        "portal": "View it online: {url}",
        "overdue": "invoice {number} was due on {date}, {days} days ago, and {balance} "
        "of it is still unpaid. Please pay it, or let me know if it has crossed with "
        "your payment.",
        "attached": "The invoice is attached again.",
        "thanks": "Thank you,",
        "test_subject": "ledger: test message",
        "test_body": "This test message shows that ledger can send e-mail through {host}.",
    },
    "cs": {
        "invoice": "Faktura",
        "credit_note": "Opravný daňový doklad",
        "reminder": "Upomínka",
        "greeting": "Dobrý den,",
        "sending_invoice": "v příloze posílám fakturu {number} na částku {total}.",
        "sending_credit_note": "v příloze posílám opravný daňový doklad {number} na částku "
        "{total} k faktuře {corrects}.",
        "due": "Datum splatnosti: {date}",
        "symbol": "Variabilní symbol: {symbol}",
        "account": "Číslo účtu: {account}",
        "portal": "Fakturu najdete také online: {url}",
        "overdue": "faktura {number} byla splatná {date}, tedy před {days} dny, a zbývá "
        "uhradit {balance}. Prosím o úhradu, případně mi dejte vědět, pokud se upomínka "
        "minula s Vaší platbou.",
        "attached": "Fakturu přikládám znovu.",
        "thanks": "Děkuji,",
        "test_subject": "ledger: zkušební zpráva",
        "test_body": "Tato zkušební zpráva ukazuje, že ledger umí posílat e-maily přes {host}.",
    },
}


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the message carries."""

    file_name: str
    content: bytes
    maintype: str
    subtype: str


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who sends the message and who gets it (`bcc` never shows in the headers)."""

    sender: str
    sender_name: str
    to: list[str]
    bcc: list[str]

    def recipients(self) -> list[str]:
        """Every address the server delivers to."""
        return [*self.to, *self.bcc]


def texts(language: str) -> dict[str, str]:
    """The phrases of `language`, English for any other."""
    return TEXTS.get(language, TEXTS["en"])


def invoice_message(
    invoice: Invoice,
    supplier: AppSettings,
    account: BankAccount | None,
    portal_url: str | None,
    envelope: Envelope,
    attachments: list[Attachment],
) -> EmailMessage:
    """The e-mail that carries an issued invoice or credit note to the client."""
    words = texts(invoice.language)
    formats = Formats(invoice.language, invoice.currency)
    total = formats.money(invoice.total)
    if invoice.kind == "credit_note":
        opening = words["sending_credit_note"].format(
            number=invoice.number, total=total, corrects=invoice.corrects
        )
        details = []
    else:
        opening = words["sending_invoice"].format(number=invoice.number, total=total)
        details = _payment_details(invoice, account, formats)
    body = [words["greeting"], "", opening, "", *details]
    if portal_url:
        body += ["", words["portal"].format(url=portal_url)]
    body += ["", words["thanks"], _signature(supplier)]
    subject = f"{words[invoice.kind]} {invoice.number} – {_sender_name(supplier, envelope)}"
    return _message(subject, "\n".join(body), envelope, attachments)


def reminder_message(
    invoice: Invoice,
    supplier: AppSettings,
    account: BankAccount | None,
    portal_url: str | None,
    envelope: Envelope,
    attachments: list[Attachment],
    today: dt.date,
) -> EmailMessage:
    """A reminder that an issued invoice is overdue: days late and what is still owed."""
    words = texts(invoice.language)
    formats = Formats(invoice.language, invoice.currency)
    days = (today - invoice.due_date).days if invoice.due_date else 0
    opening = words["overdue"].format(
        number=invoice.number, date=formats.date(invoice.due_date), days=days,
        balance=formats.money(invoice.balance),
    )  # fmt: skip
    body = [words["greeting"], "", opening, "", *_payment_details(invoice, account, formats)]
    if portal_url:
        body += ["", words["portal"].format(url=portal_url)]
    body += ["", words["attached"], "", words["thanks"], _signature(supplier)]
    subject = (
        f"{words['reminder']}: {words['invoice']} {invoice.number} – "
        f"{_sender_name(supplier, envelope)}"
    )
    return _message(subject, "\n".join(body), envelope, attachments)


def trial_message(envelope: Envelope, host: str, language: str) -> EmailMessage:
    """A short message that proves the settings work."""
    words = texts(language)
    return _message(words["test_subject"], words["test_body"].format(host=host), envelope, [])


def _payment_details(invoice: Invoice, account: BankAccount | None, formats: Formats) -> list[str]:
    words = texts(invoice.language)
    lines = [words["due"].format(date=formats.date(invoice.due_date))]
    if invoice.variable_symbol:
        lines.append(words["symbol"].format(symbol=invoice.variable_symbol))
    if account is not None:
        numbers = [text for text in (account.account_number, account.iban) if text]
        lines.append(words["account"].format(account=" / ".join(numbers)))
    return lines


def _signature(supplier: AppSettings) -> str:
    return supplier.supplier_name or ""


def _sender_name(supplier: AppSettings, envelope: Envelope) -> str:
    return supplier.supplier_name or envelope.sender


def _message(
    subject: str, body: str, envelope: Envelope, attachments: list[Attachment]
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = formataddr((envelope.sender_name, envelope.sender))
    message["To"] = ", ".join(envelope.to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=envelope.sender.rpartition("@")[2] or None)
    message.set_content(body.rstrip() + "\n")
    for item in attachments:
        message.add_attachment(
            item.content, maintype=item.maintype, subtype=item.subtype, filename=item.file_name
        )
    return message
