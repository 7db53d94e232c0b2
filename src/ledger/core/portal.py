"""``lg.portal``: share links that show one issued invoice to whoever holds the link.

A link's token is 256 random bits (``secrets.token_urlsafe(32)``), handed out once by
`Portal.create_link` and never stored: the database keeps its SHA-256, so a copy of
the database (or of its audit trail) opens nothing. Links can expire and be revoked.

`Portal.resolve` is a pure read — mail scanners prefetch links, so opening one must
change nothing. It answers None alike for an unknown, revoked or expired token and
for an invoice that is not (or no longer) issued: a draft is never shown, and
cancelling an invoice closes its links.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from sqlmodel import col, select

from ledger.core.invoices import InvoiceRef
from ledger.core.models import Invoice, PublicModel, Records
from ledger.core.service import Ref, Service, get_row, pk, ref_id
from ledger.errors import Conflict, InvalidInput
from ledger.storage import tables

TOKEN_BYTES = 32
"""256 bits of randomness per token."""

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) returns


class ShareLink(PublicModel):
    """A share link as the owner sees it (never with its token)."""

    id: int
    invoice_id: int
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    state: str
    """``active``, ``expired`` or ``revoked``."""

    @classmethod
    def from_row(cls, row: tables.ShareLink, now: dt.datetime) -> ShareLink:
        assert row.id is not None
        return cls(
            id=row.id,
            invoice_id=row.invoice_id,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            state=_state(row, now),
        )


class Portal(Service):
    """Create, list, revoke and resolve share links."""

    def create_link(
        self, invoice: InvoiceRef, expires: dt.datetime | dt.timedelta | None = None
    ) -> tuple[int, str]:
        """A new link to an issued invoice: its id and its token (shown this once).

        Args:
            invoice: the invoice by id, object or number.
            expires: when the link stops working, as an aware datetime or a time from
                now; None for a link that works until revoked.

        Raises:
            Conflict: when the invoice is a draft or cancelled.
            InvalidInput: when `expires` is naive or not in the future.
        """
        now = self._now()
        expires_at = _expiry(expires, now)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self._lg.atomic() as uow:
            target = self._lg.invoices.get(invoice)
            if target.status != "issued":
                raise Conflict(
                    f"invoice {target.number or target.id} is {target.status}; "
                    "only issued invoices can be shared"
                )
            row = tables.ShareLink(
                invoice_id=target.id,
                token_hash=token_hash(token),
                created_at=now,
                expires_at=expires_at,
            )
            uow.session.add(row)
            uow.session.flush()
            return pk(row), token

    def revoke(self, link: Ref) -> ShareLink:
        """Stop a link from working; revoking a revoked link changes nothing."""
        now = self._now()
        with self._lg.atomic() as uow:
            row = get_row(uow.session, tables.ShareLink, ref_id(link, "link"), "share link")
            if row.revoked_at is None:
                row.revoked_at = now
                uow.session.flush()
            return ShareLink.from_row(row, now)

    def links(self, invoice: InvoiceRef) -> Records[ShareLink]:
        """The invoice's links, newest first, each with its state."""
        target = self._lg.invoices.get(invoice)
        query = (
            select(tables.ShareLink)
            .where(tables.ShareLink.invoice_id == target.id)
            .order_by(col(tables.ShareLink.id).desc())
        )
        now = self._now()
        with self._lg.reading() as session:
            return Records(ShareLink.from_row(row, now) for row in session.exec(query))

    def resolve(self, token: str) -> Invoice | None:
        """The issued invoice an active link's token opens, else None. Writes nothing."""
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            return None
        query = select(tables.ShareLink).where(tables.ShareLink.token_hash == token_hash(token))
        with self._lg.reading() as session:
            row = session.exec(query).first()
        if row is None or _state(row, self._now()) != "active":
            return None
        invoice = self._lg.invoices.get(row.invoice_id)
        return invoice if invoice.status == "issued" else None

    def _now(self) -> dt.datetime:
        return self._lg.clock().astimezone(dt.UTC).replace(microsecond=0)


def token_hash(token: str) -> str:
    """What the database stores for a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _state(row: tables.ShareLink, now: dt.datetime) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    return "active"


def _expiry(expires: dt.datetime | dt.timedelta | None, now: dt.datetime) -> dt.datetime | None:
    if expires is None:
        return None
    if isinstance(expires, dt.timedelta):
        expires = now + expires
    elif not isinstance(expires, dt.datetime) or expires.utcoffset() is None:
        raise InvalidInput(
            "expires", f"{expires!r} is not an aware datetime or a timedelta; add a timezone"
        )
    expires = expires.astimezone(dt.UTC).replace(microsecond=0)
    if expires <= now:
        raise InvalidInput("expires", f"{expires.isoformat()} is not in the future")
    return expires
