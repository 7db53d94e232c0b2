"""Share links: one link opens one issued invoice; wrong, revoked and expired tokens,
drafts and cancelled invoices open nothing; the database never holds a raw token."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
import sqlalchemy as sa

from document_helpers import issued_invoice, set_up_supplier
from helpers import row_counts, snapshot
from ledger.api import Ledger
from ledger.core.models import Invoice
from ledger.core.portal import TOKEN_BYTES, token_hash
from ledger.errors import Conflict, InvalidInput, NotFound


@pytest.fixture
def invoices(lg: Ledger) -> tuple[Invoice, Invoice]:
    set_up_supplier(lg)
    return issued_invoice(lg, name="Alfa"), issued_invoice(lg, name="Beta", currency="EUR")


def _every_stored_value(lg: Ledger) -> str:
    """Every value in every table of the database, as one text."""
    chunks = []
    with lg.database.engine.connect() as conn:
        metadata = sa.MetaData()
        metadata.reflect(conn)
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                chunks.append(repr(tuple(row)))
    return "\n".join(chunks)


def test_a_link_opens_its_invoice_and_no_other(lg: Ledger, invoices: Any) -> None:
    alfa, beta = invoices
    alfa_id, alfa_token = lg.portal.create_link(alfa)
    beta_id, beta_token = lg.portal.create_link(beta.number)
    assert alfa_id != beta_id
    assert len(alfa_token) >= 43  # 256 bits, URL-safe base64
    assert TOKEN_BYTES * 8 >= 256

    opened = lg.portal.resolve(alfa_token)
    assert opened is not None
    assert (opened.id, opened.number, opened.total) == (alfa.id, alfa.number, alfa.total)
    opened_beta = lg.portal.resolve(beta_token)
    assert opened_beta is not None
    assert opened_beta.id == beta.id

    second_id, second_token = lg.portal.create_link(alfa)
    assert second_token not in (alfa_token, beta_token)
    resolved = lg.portal.resolve(second_token)
    assert resolved is not None
    assert resolved.id == alfa.id
    assert [link.id for link in lg.portal.links(alfa)] == [second_id, alfa_id]
    assert [link.id for link in lg.portal.links(beta)] == [beta_id]


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x",
        "Sz98zZG2A6YNZkdwvmvBC410Ika4Zt70FxYJU_IK0kk",  # well formed, never issued
        "A" * 43,
        "A" * 10_000,
        "../../etc/passwd",
        "' OR 1=1 --",
        "ö" * 43,
    ],
    ids=["empty", "short", "well-formed", "repeated", "huge", "path", "sql", "non-ascii"],
)
def test_a_wrong_token_opens_nothing(lg: Ledger, invoices: Any, token: str) -> None:
    lg.portal.create_link(invoices[0])
    assert lg.portal.resolve(token) is None


def test_a_token_one_character_off_opens_nothing(lg: Ledger, invoices: Any) -> None:
    _, token = lg.portal.create_link(invoices[0])
    last = "A" if token[-1] != "A" else "B"
    assert lg.portal.resolve(token[:-1] + last) is None
    assert lg.portal.resolve(token.upper() if token != token.upper() else token.lower()) is None
    assert lg.portal.resolve(token + "A") is None
    assert lg.portal.resolve(token[:-1]) is None


def test_a_revoked_link_opens_nothing(lg: Ledger, invoices: Any, clock: Any) -> None:
    alfa = invoices[0]
    link_id, token = lg.portal.create_link(alfa)
    _, other = lg.portal.create_link(alfa)
    revoked = lg.portal.revoke(link_id)
    assert revoked.state == "revoked"
    assert revoked.revoked_at == clock.now
    assert lg.portal.resolve(token) is None
    assert lg.portal.resolve(other) is not None  # only that link
    assert lg.portal.revoke(link_id).revoked_at == clock.now  # again: nothing changes
    with pytest.raises(NotFound):
        lg.portal.revoke(999)


def test_a_link_expires(lg: Ledger, invoices: Any, clock: Any) -> None:
    link_id, token = lg.portal.create_link(invoices[0], expires=dt.timedelta(days=7))
    _, forever = lg.portal.create_link(invoices[0])
    clock.advance(days=7, seconds=-1)
    assert lg.portal.resolve(token) is not None
    clock.advance(seconds=1)
    assert lg.portal.resolve(token) is None
    assert lg.portal.resolve(forever) is not None
    states = {link.id: link.state for link in lg.portal.links(invoices[0])}
    assert states[link_id] == "expired"

    at = clock.now + dt.timedelta(hours=1)
    _, timed = lg.portal.create_link(
        invoices[0], expires=at.astimezone(dt.timezone(dt.timedelta(hours=2)))
    )
    assert lg.portal.resolve(timed) is not None
    clock.advance(hours=1)
    assert lg.portal.resolve(timed) is None


@pytest.mark.parametrize(
    "expires",
    [
        dt.timedelta(seconds=-1),
        dt.timedelta(0),
        dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2030, 1, 1),  # naive
        "2030-01-01",
    ],
)
def test_a_bad_expiry_is_refused(lg: Ledger, invoices: Any, expires: Any) -> None:
    before = row_counts(lg)
    with pytest.raises(InvalidInput) as caught:
        lg.portal.create_link(invoices[0], expires=expires)
    assert caught.value.field == "expires"
    assert row_counts(lg) == before


def test_drafts_are_never_shared_and_a_cancelled_invoice_shows_its_credit(
    lg: Ledger, invoices: Any
) -> None:
    alfa = invoices[0]
    _, token = lg.portal.create_link(alfa)
    client = lg.clients.add(name="Draft Co", currency="CZK", hourly_rate="100")
    project = lg.projects.add(client, name="P")
    lg.entries.add(project, date="2026-11-02", minutes=60)
    draft = lg.invoices.draft(client)
    with pytest.raises(Conflict, match="draft"):
        lg.portal.create_link(draft)

    lg.invoices.cancel(draft)
    with pytest.raises(Conflict, match="cancelled"):
        lg.portal.create_link(draft)

    lg.invoices.cancel(alfa)  # an issued invoice is cancelled by a credit note
    opened = lg.portal.resolve(token)
    assert opened is not None
    assert (opened.payment_state, opened.credit_notes) == ("credited", ["D2026-0001"])
    assert lg.documents.payment_qr(opened) is None


def test_a_paid_invoice_still_opens_with_its_state(lg: Ledger, invoices: Any) -> None:
    alfa = invoices[0]
    _, token = lg.portal.create_link(alfa)
    lg.invoices.record_payment(alfa, alfa.total, "2026-11-21")
    opened = lg.portal.resolve(token)
    assert opened is not None
    assert opened.payment_state == "paid"
    assert lg.documents.payment_qr(opened) is None


def test_the_database_holds_no_raw_token(lg: Ledger, invoices: Any) -> None:
    tokens = [lg.portal.create_link(invoice)[1] for invoice in invoices]
    lg.portal.revoke(lg.portal.links(invoices[0])[0].id)
    stored = _every_stored_value(lg)
    for token in tokens:
        assert token not in stored
        assert token_hash(token) in stored
        assert token_hash(token) == hashlib.sha256(token.encode()).hexdigest()


def test_resolving_writes_nothing(lg: Ledger, invoices: Any, clock: Any) -> None:
    _, token = lg.portal.create_link(invoices[0], expires=dt.timedelta(days=1))
    revoked_id, revoked = lg.portal.create_link(invoices[1])
    lg.portal.revoke(revoked_id)
    before, counts = snapshot(lg), row_counts(lg)
    for _ in range(3):
        lg.portal.resolve(token)
        lg.portal.resolve(revoked)
        lg.portal.resolve("nope")
    clock.advance(days=2)
    lg.portal.resolve(token)
    assert snapshot(lg) == before
    assert row_counts(lg) == counts


def test_links_are_audited(lg: Ledger, invoices: Any) -> None:
    link_id, token = lg.portal.create_link(invoices[0])
    lg.portal.revoke(link_id)
    events = lg.audit.list(entity="share_links")
    assert [(e.action, e.source, e.entity_id) for e in events] == [
        ("insert", "notebook", str(link_id)),
        ("update", "notebook", str(link_id)),
    ]
    assert events[1].changes().keys() == {"revoked_at"}
    assert all(token not in repr(e) for e in events)
    assert lg.audit.verify() > 0
