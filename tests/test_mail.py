"""Sending invoices, credit notes and reminders through a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import io
from email.message import EmailMessage

import pytest
from lxml import etree
from pypdf import PdfReader
from sqlmodel import select

from document_helpers import issued_invoice, set_up_supplier
from ledger.api import Ledger
from ledger.core.models import Invoice
from ledger.errors import Conflict, InvalidInput, MailNotSent
from ledger.storage import tables
from smtp_server import LOGIN, Sink, free_port, smtp_server, smtp_with_login
from support import FakeClock

__all__ = ["smtp_server", "smtp_with_login"]  # fixtures used by name

PORTAL = "https://ledger.example.com"
CLIENT_EMAIL = "ucetni@dablice.example"


def configure(lg: Ledger, port: int, **extra: object) -> None:
    lg.mail.configure(host="127.0.0.1", port=port, security="none",
                      sender="jana@novakova.example", **extra)  # type: ignore[arg-type]  # fmt: skip


def invoice_for(lg: Ledger, **options: object) -> Invoice:
    invoice = issued_invoice(lg, **options)  # type: ignore[arg-type]
    lg.clients.update(invoice.client_id, email=CLIENT_EMAIL)
    return invoice


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content = body.get_content()
    assert isinstance(content, str)
    return content


def attachments(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        payload = part.get_content()
        assert isinstance(payload, bytes)
        found[part.get_filename() or ""] = payload
    return found


@pytest.fixture
def supplier(lg: Ledger) -> Ledger:
    return set_up_supplier(lg)


def test_settings_keep_the_password_encrypted_and_out_of_sight(lg: Ledger) -> None:
    saved = lg.mail.configure(host="smtp.example.com", security="tls", username="jana",
                              password=LOGIN[1], sender="jana@novakova.example")  # fmt: skip
    assert (saved.port, saved.password_set) == (465, True)
    assert LOGIN[1] not in repr(saved)
    assert LOGIN[1] not in saved.model_dump_json()
    with lg.reading() as session:
        row = session.exec(select(tables.MailSettings)).one()
    assert row.password
    assert LOGIN[1] not in row.password
    events = lg.audit.list(entity="mail_settings")
    assert events
    assert all(LOGIN[1] not in str(event.after) for event in events)
    assert events[-1].after is not None
    assert events[-1].after["password"] == "***"
    # A blank password keeps the stored one; clearing the login drops it.
    assert lg.mail.configure(password="", host="smtp2.example.com").password_set
    assert not lg.mail.configure(username="").password_set


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"sender": "not-an-address"}, "sender"), ({"port": 70000}, "port"),
     ({"security": "ssl"}, "security"), ({"host": "smtp.example.com", "sender": ""}, "sender")],
)  # fmt: skip
def test_bad_settings_name_the_field_and_change_nothing(
    lg: Ledger, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        lg.mail.configure(**fields)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert not lg.mail.settings().configured


def test_a_czech_invoice_arrives_with_its_pdf_isdoc_and_portal_link(
    supplier: Ledger, smtp_server: Sink
) -> None:
    lg = supplier
    configure(lg, smtp_server.port, bcc_self=True)
    invoice = invoice_for(lg, language="cs")
    sent = lg.mail.send_invoice(invoice, portal_url=PORTAL)

    received = smtp_server.last()
    assert received.recipients == [CLIENT_EMAIL, "jana@novakova.example"]  # Bcc to self
    message = received.message
    assert message["Subject"] == f"Faktura {invoice.number} – Jana Nováková"
    assert message["To"] == CLIENT_EMAIL
    assert "Bcc" not in message
    assert "jana@novakova.example" in str(message["From"])
    body = text_of(message)
    assert "v příloze posílám fakturu" in body
    assert f"Variabilní symbol: {invoice.variable_symbol}" in body
    assert "2001234567/2010" in body
    assert "12\xa0100,00\xa0Kč" in body
    link = next(line for line in body.splitlines() if PORTAL in line).split()[-1]
    assert lg.portal.resolve(link.rsplit("/", 1)[1]) == invoice

    files = attachments(message)
    pdf_name, isdoc_name = lg.documents.file_name(invoice), lg.documents.isdoc_file_name(invoice)
    assert set(files) == {pdf_name, isdoc_name}
    assert str(invoice.number) in PdfReader(io.BytesIO(files[pdf_name])).pages[0].extract_text()
    root = etree.fromstring(files[isdoc_name])
    assert root.get("version") == "6.0.2"

    assert (sent.kind, sent.sent_to) == ("invoice", CLIENT_EMAIL)
    history = lg.mail.history(invoice)
    assert (history.sent_count, history.last_sent_to) == (1, CLIENT_EMAIL)
    assert [e.action for e in lg.audit.list(entity="invoice_mailings")] == ["insert"]
    assert lg.audit.verify() > 0  # the rows replay from the trail (the password aside)


def test_an_english_invoice_goes_to_the_address_given(supplier: Ledger, smtp_server: Sink) -> None:
    configure(supplier, smtp_server.port)
    invoice = invoice_for(supplier, language="en", name="Acme Ltd")
    supplier.mail.send_invoice(invoice, "a@acme.example, b@acme.example")
    message = smtp_server.last().message
    assert message["Subject"] == f"Invoice {invoice.number} – Jana Nováková"
    assert "please find attached invoice" in text_of(message)
    assert "View it online" not in text_of(message)  # no portal address given
    assert smtp_server.last().recipients == ["a@acme.example", "b@acme.example"]
    assert supplier.mail.history(invoice).sent_count == 1


def test_a_foreign_invoice_carries_factur_x(supplier: Ledger, smtp_server: Sink) -> None:
    configure(supplier, smtp_server.port)
    invoice = invoice_for(supplier, language="en", currency="EUR", rate="60")
    supplier.mail.send_invoice(invoice)
    files = attachments(smtp_server.last().message)
    reader = PdfReader(io.BytesIO(files[supplier.documents.file_name(invoice)]))
    assert "factur-x.xml" in reader.attachments
    assert "for €600.00" in text_of(smtp_server.last().message)


def test_a_credit_note_is_sent_too(supplier: Ledger, smtp_server: Sink) -> None:
    configure(supplier, smtp_server.port)
    invoice = invoice_for(supplier, language="en")
    note = supplier.invoices.credit(invoice, reason="Discount agreed")
    supplier.mail.send_invoice(note)
    message = smtp_server.last().message
    assert message["Subject"] == f"Credit note {note.number} – Jana Nováková"
    assert f"correcting invoice {invoice.number}" in text_of(message)
    assert any(name.endswith(".isdoc") for name in attachments(message))


def test_refusals_before_sending_change_nothing(supplier: Ledger, smtp_server: Sink) -> None:
    invoice = issued_invoice(supplier)
    with pytest.raises(Conflict, match="not set up"):
        supplier.mail.send_invoice(invoice)
    configure(supplier, smtp_server.port)
    with pytest.raises(InvalidInput, match="has no e-mail address") as caught:
        supplier.mail.send_invoice(invoice)
    assert caught.value.field == "to"
    with pytest.raises(InvalidInput):
        supplier.mail.send_invoice(invoice, to="nobody")
    assert smtp_server.messages == []
    assert supplier.mail.history(invoice).sent_count == 0


def test_a_server_that_is_down_is_a_clear_error_and_nothing_is_recorded(supplier: Ledger) -> None:
    configure(supplier, free_port())
    invoice = invoice_for(supplier)
    with pytest.raises(MailNotSent, match=r"cannot send through 127\.0\.0\.1"):
        supplier.mail.send_invoice(invoice, portal_url=PORTAL)
    assert supplier.mail.history(invoice).sent_count == 0
    assert list(supplier.portal.links(invoice)) == []  # the link it would carry is gone too
    assert supplier.audit.list(entity="invoice_mailings") == []


def test_a_refused_recipient_shows_the_servers_reason(supplier: Ledger, smtp_server: Sink) -> None:
    configure(supplier, smtp_server.port)
    invoice = invoice_for(supplier)
    smtp_server.refused.add(CLIENT_EMAIL)
    with pytest.raises(MailNotSent, match=r"550 5\.1\.1 .*mailbox unavailable"):
        supplier.mail.send_invoice(invoice)
    assert supplier.mail.history(invoice).sent_count == 0


def test_a_login_is_used_and_a_wrong_one_is_refused(
    supplier: Ledger, smtp_with_login: Sink
) -> None:
    configure(supplier, smtp_with_login.port, username=LOGIN[0], password="wrong")
    invoice = invoice_for(supplier)
    with pytest.raises(MailNotSent, match=r"refused the login .*535"):
        supplier.mail.send_invoice(invoice)
    supplier.mail.configure(password=LOGIN[1])
    supplier.mail.send_invoice(invoice)
    assert supplier.mail.history(invoice).sent_count == 1
    assert supplier.mail.test() == "jana@novakova.example"
    assert len(smtp_with_login.messages) == 2


def test_a_reminder_only_for_an_overdue_invoice(
    supplier: Ledger, smtp_server: Sink, clock: FakeClock
) -> None:
    configure(supplier, smtp_server.port)
    invoice = invoice_for(supplier, language="cs")
    with pytest.raises(Conflict, match="not overdue"):
        supplier.mail.send_reminder(invoice)
    assert supplier.mail.overdue() == []
    clock.advance(days=19)  # due on 2026-12-04; today 2026-12-14
    assert [found.number for found in supplier.mail.overdue()] == [invoice.number]
    supplier.mail.send_reminder(invoice)
    supplier.mail.send_reminder(invoice)
    message = smtp_server.last().message
    assert message["Subject"] == f"Upomínka: Faktura {invoice.number} – Jana Nováková"
    body = text_of(message)
    assert "před 10 dny" in body
    assert "12\xa0100,00\xa0Kč" in body
    assert list(attachments(message)) == [supplier.documents.file_name(invoice)]
    history = supplier.mail.history(invoice)
    assert (history.reminder_count, history.sent_count) == (2, 0)
    assert history.last_reminder_at is not None
    paid = invoice_for(supplier, language="cs")
    supplier.invoices.record_payment(paid, paid.total, "2026-12-01")
    assert [found.number for found in supplier.mail.overdue()] == [invoice.number]
    histories = supplier.mail.histories([invoice, paid])  # one query for the dashboard
    assert histories == {invoice.id: history, paid.id: supplier.mail.history(paid)}
    assert histories[paid.id].reminder_count == 0
    # The dashboard reads the same list, with the reminders so far, in one query.
    shown = supplier.analytics.dashboard(reminders=5).reminders
    assert [(row.id, row.number, row.client_name, row.balance) for row in shown] == [
        (invoice.id, invoice.number, invoice.client_name, invoice.balance)
    ]
    assert (shown[0].reminder_count, shown[0].last_reminder_at) == (2, history.last_reminder_at)
    assert supplier.analytics.dashboard().reminders == []  # none asked for
