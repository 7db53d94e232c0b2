"""``lg.mail``: SMTP settings, and sending invoices, credit notes and reminders.

A send is one transaction: the share link it includes, the hand-over to the SMTP
server and the record of the send (an ``invoice_mailings`` row, audited like every
write) commit together, so a refused or unreachable server leaves nothing behind.
The documents are typeset before the transaction opens, to keep it short.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, SecretStr
from sqlmodel import Session

from ledger.core import identity_fields
from ledger.core.invoices import InvoiceRef
from ledger.core.invoices.views import overdue_invoices
from ledger.core.mailings import mailings_of
from ledger.core.models import Invoice, PublicModel, Records
from ledger.core.portal import Portal
from ledger.core.service import UNSET, LedgerScope, Service, Unset, given
from ledger.core.validation import validated
from ledger.documents.mail import messages
from ledger.documents.mail.messages import Attachment, Envelope
from ledger.documents.mail.settings import DEFAULT_PORTS, MailSettings, MailSettingsInput
from ledger.documents.mail.smtp import Security, Server, deliver
from ledger.documents.service import Documents
from ledger.errors import Conflict, InvalidInput
from ledger.storage import tables

Kind = Literal["invoice", "reminder"]
_BOX_NAME = "smtp"  # the secret box's name for the password (in its error messages)


class SecretBoxLike(Protocol):
    """What the mail service needs of the ledger's secret box."""

    def encrypt(self, secrets: dict[str, str]) -> str: ...
    def decrypt(self, token: str, plugin: str) -> dict[str, str]: ...


class MailLedger(LedgerScope, Protocol):
    """What ``lg.mail`` needs of the ledger (`ledger.Ledger` is one)."""

    @property
    def documents(self) -> Documents: ...
    @property
    def portal(self) -> Portal: ...
    @property
    def secret_box(self) -> SecretBoxLike: ...


class Mailing(PublicModel):
    """One e-mail sent about an invoice: the invoice itself or a reminder."""

    id: int
    invoice_id: int
    kind: str
    sent_at: dt.datetime
    sent_to: str


class MailHistory(PublicModel):
    """How often and when an invoice went out, and how often it was reminded."""

    sent_count: int
    last_sent_at: dt.datetime | None
    last_sent_to: str | None
    reminder_count: int
    last_reminder_at: dt.datetime | None


class Mail(Service):
    """``lg.mail``: the SMTP settings and e-mails to clients (sent only when asked)."""

    counted = (tables.InvoiceMailing, "e-mail sent", "e-mails sent")

    def __init__(self, ledger: MailLedger) -> None:
        super().__init__(ledger)
        self._mail_lg = ledger

    def settings(self) -> MailSettings:
        """The SMTP settings, without the password (`password_set` says if one is stored)."""
        with self._lg.reading() as session:
            return MailSettings.from_row(_row(session) or tables.MailSettings())

    def configure(
        self,
        *,
        host: str | Unset = UNSET,
        port: int | str | Unset = UNSET,
        security: Security | str | Unset = UNSET,
        username: str | Unset = UNSET,
        password: str | SecretStr | Unset | None = UNSET,
        sender: str | Unset = UNSET,
        bcc_self: bool | str | Unset = UNSET,
    ) -> MailSettings:
        """Change the given SMTP settings; all are checked, nothing is written on error.

        Args:
            host: the SMTP server's name, e.g. ``smtp.example.com``.
            port: its port; when `security` changes and no port is given, that
                security's usual port (587 STARTTLS, 465 TLS, 25 none).
            security: ``starttls``, ``tls`` (implicit TLS) or ``none``.
            username: the login; empty for a server without one (the password goes too).
            password: the login's password, stored encrypted; empty or None keeps the
                stored one.
            sender: the From address, e.g. ``jana@example.com``.
            bcc_self: send a blind copy of every e-mail to the sender address.
        """
        fields = given(host=host, port=port, security=security, username=username,
                       sender=sender, bcc_self=bcc_self)  # fmt: skip
        if "security" in fields and "port" not in fields:
            fields["port"] = DEFAULT_PORTS.get(str(fields["security"]), 587)
        clear = password.get_secret_value() if isinstance(password, SecretStr) else password
        with self._lg.atomic() as uow:
            row = _row(uow.session)
            current = MailSettings.from_row(row or tables.MailSettings())
            known = current.model_dump(exclude={"password_set"})
            data = validated(MailSettingsInput, {**known, **fields})
            if row is None:
                row = tables.MailSettings(id=1)
                uow.session.add(row)
            for key, value in data.model_dump().items():
                setattr(row, key, value)
            if not data.username:
                row.password = ""
            elif isinstance(clear, str) and clear:
                row.password = self._box().encrypt({"password": clear})
            uow.session.flush()
            return MailSettings.from_row(row)

    def test(self, to: str | None = None) -> str:
        """Send a short test message (to the sender address by default); its recipient.

        Raises:
            Conflict: the settings are incomplete.
            MailNotSent: with the server's reason.
        """
        current = self._configured()
        envelope = self._envelope([to] if to else [current.sender], bcc=False)
        language = self._lg.settings.get().locale
        message = messages.trial_message(envelope, current.host, language)
        deliver(self._server(), message, envelope.recipients())
        return envelope.to[0]

    def send_invoice(
        self, invoice: InvoiceRef, to: str | None = None, *, portal_url: str | None = None
    ) -> Mailing:
        """E-mail an issued invoice or credit note to the client, with its PDF and ISDOC.

        A foreign-currency invoice's PDF is its Factur-X (PDF/A-3 with the EN 16931 XML
        inside; it reads as the same PDF). The message is in the invoice's language.
        With `portal_url` (the web UI's public address) it carries a new share link to
        the client portal.

        Args:
            invoice: the invoice by id, object or number.
            to: the recipient(s), comma-separated; default: the client's e-mail.
            portal_url: where the web UI is served, e.g. ``https://ledger.example.com``.

        Raises:
            Conflict: a draft or cancelled invoice, or incomplete mail settings.
            InvalidInput: no recipient (the client has no e-mail) or a bad address.
            MailNotSent: the server was unreachable or refused; nothing was recorded.
        """
        return self._send(invoice, "invoice", to, portal_url)

    def send_reminder(
        self, invoice: InvoiceRef, to: str | None = None, *, portal_url: str | None = None
    ) -> Mailing:
        """E-mail a reminder of an overdue invoice: days overdue, the balance, the PDF.

        Raises:
            Conflict: the invoice is not overdue, or the mail settings are incomplete.
            InvalidInput: no recipient, or a bad address.
            MailNotSent: the server was unreachable or refused; nothing was recorded.
        """
        return self._send(invoice, "reminder", to, portal_url)

    def overdue(self, limit: int | None = None) -> Records[Invoice]:
        """Issued invoices past their due date and not paid, oldest due first (the
        first `limit` of them; all by default)."""
        with self._lg.reading() as session:
            return Records(overdue_invoices(session, self._lg.today(), limit), model=Invoice)

    def mailings(self, invoice: InvoiceRef) -> Records[Mailing]:
        """Every e-mail sent about the invoice, newest first."""
        target = self._lg.invoices.get(invoice)
        with self._lg.reading() as session:
            rows = mailings_of(session, [target.id])[target.id]
        return Records((_mailing(row) for row in rows), model=Mailing)

    def history(self, invoice: InvoiceRef) -> MailHistory:
        """How many times the invoice was sent and reminded, and the last of each."""
        return _history(self.mailings(invoice))

    def histories(self, invoices: Sequence[Invoice]) -> dict[int, MailHistory]:
        """`history` of each of `invoices`, by invoice id, in one query."""
        with self._lg.reading() as session:
            found = mailings_of(session, [invoice.id for invoice in invoices])
        return {
            invoice_id: _history([_mailing(row) for row in rows])
            for invoice_id, rows in found.items()
        }

    def _send(
        self, ref: InvoiceRef, kind: Kind, to: str | None, portal_url: str | None
    ) -> Mailing:
        invoice = self._lg.invoices.get(ref)
        _check_sendable(invoice, kind)
        self._configured()
        recipients = self._recipients(invoice, to)
        attachments = self._attachments(invoice, kind)
        supplier = self._lg.settings.get()
        account = self._mail_lg.documents.account_for(invoice)
        envelope = self._envelope(recipients, bcc=True)
        server = self._server()
        with self._lg.atomic() as uow:
            address = None
            if portal_url:
                _, token = self._mail_lg.portal.create_link(invoice)
                address = f"{portal_url.rstrip('/')}/p/{token}"
            if kind == "invoice":
                message = messages.invoice_message(
                    invoice, supplier, account, address, envelope, attachments
                )
            else:
                message = messages.reminder_message(
                    invoice, supplier, account, address, envelope, attachments, self._lg.today()
                )
            row = tables.InvoiceMailing(
                invoice_id=invoice.id,
                kind=kind,
                sent_at=self._now(),
                sent_to=", ".join(recipients),
            )
            uow.session.add(row)
            uow.session.flush()
            deliver(server, message, envelope.recipients())
            return _mailing(row)

    def _attachments(self, invoice: Invoice, kind: Kind) -> list[Attachment]:
        documents = self._mail_lg.documents
        # A foreign client's software reads Factur-X: the same PDF with its XML inside.
        foreign = invoice.currency != "CZK" and kind == "invoice"
        content = documents.invoice_facturx(invoice) if foreign else documents.invoice_pdf(invoice)
        pdf = Attachment(documents.file_name(invoice), content, "application", "pdf")
        if kind == "reminder":
            return [pdf]
        isdoc = Attachment(documents.isdoc_file_name(invoice), documents.invoice_isdoc(invoice),
                           "application", "xml")  # fmt: skip
        return [pdf, isdoc]

    def _recipients(self, invoice: Invoice, to: str | None) -> list[str]:
        text = to if to is not None else self._lg.clients.get(invoice.client_id).email
        addresses = [part.strip() for part in text.split(",") if part.strip()]
        if not addresses:
            raise InvalidInput(
                "to",
                f"client {invoice.client_name} has no e-mail address; add one to the client "
                "or give the recipient",
            )
        try:
            for address in addresses:
                validated(_Address, {"email": address})
        except InvalidInput as exc:
            raise InvalidInput("to", exc.message) from None
        return addresses

    def _configured(self) -> MailSettings:
        current = self.settings()
        if not current.configured:
            raise Conflict(
                "e-mail is not set up; enter the SMTP server and sender in the settings "
                "(or `ledger mail setup`)"
            )
        return current

    def _envelope(self, to: list[str], *, bcc: bool) -> Envelope:
        current = self.settings()
        name = self._lg.settings.get().supplier_name
        copies = [current.sender] if bcc and current.bcc_self else []
        return Envelope(current.sender, name, to, copies)

    def _server(self) -> Server:
        with self._lg.reading() as session:
            row = _row(session) or tables.MailSettings()
        password = self._box().decrypt(row.password, _BOX_NAME).get("password", "")
        security: Any = row.security
        return Server(row.host, row.port, security, row.username, password)

    def _box(self) -> SecretBoxLike:
        return self._mail_lg.secret_box

    def _now(self) -> dt.datetime:
        return self._lg.clock().astimezone(dt.UTC).replace(microsecond=0)


class _Address(BaseModel):
    email: identity_fields.Email


def _check_sendable(invoice: Invoice, kind: Kind) -> None:
    label = invoice.number or f"draft {invoice.id}"
    if invoice.status != "issued":
        raise Conflict(f"invoice {label} is {invoice.status}; only issued invoices are sent")
    if kind == "reminder" and invoice.payment_state != "overdue":
        state = (invoice.payment_state or "").replace("_", " ")
        raise Conflict(f"invoice {label} is {state}, not overdue; no reminder is due")


def _row(session: Session) -> tables.MailSettings | None:
    return session.get(tables.MailSettings, 1)


def _history(rows: Sequence[Mailing]) -> MailHistory:
    """Counts and latest of an invoice's mailings, given newest first."""
    sent = [row for row in rows if row.kind == "invoice"]
    reminders = [row for row in rows if row.kind == "reminder"]
    return MailHistory(
        sent_count=len(sent),
        last_sent_at=sent[0].sent_at if sent else None,
        last_sent_to=sent[0].sent_to if sent else None,
        reminder_count=len(reminders),
        last_reminder_at=reminders[0].sent_at if reminders else None,
    )


def _mailing(row: tables.InvoiceMailing) -> Mailing:
    assert row.id is not None
    return Mailing(
        id=row.id, invoice_id=row.invoice_id, kind=row.kind, sent_at=row.sent_at,
        sent_to=row.sent_to,
    )  # fmt: skip
