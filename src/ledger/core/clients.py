"""Clients: who you invoice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import col, select

from ledger.core import identities, identity_fields
from ledger.core.lookup import NameRef, find_client
from ledger.core.models import Client, Records
from ledger.core.money import AmountInput, OptionalAmount, currency_field, exact_minor
from ledger.core.service import UNSET, Ref, Service, Unset, get_row, given, ref_id
from ledger.core.validation import validated
from ledger.errors import Conflict, InvalidInput
from ledger.storage import tables

Language = Literal["en", "cs"]


class ClientInput(BaseModel):
    """What a client is made of; the web form and the API validate with it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    currency: str = "CZK"
    hourly_rate: OptionalAmount = None
    contact_name: str = Field(default="", max_length=200)
    email: identity_fields.Email = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=50)
    address: str = Field(default="", max_length=2000)
    company_id: str = Field(default="", max_length=20)
    vat_id: identity_fields.VatId = Field(default="", max_length=20)
    language: Language = "en"
    payment_terms_days: int = Field(default=14, ge=0, le=365)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return currency_field(value)

    @field_validator("hourly_rate")
    @classmethod
    def _rate(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value < 0:
            raise ValueError("must not be negative")
        return value


class Clients(Service):
    """``lg.clients``: add, edit, archive, list and delete clients."""

    counted = (tables.Client, "client", "clients")

    def add(
        self,
        *,
        name: str,
        currency: str = "CZK",
        hourly_rate: AmountInput | None = None,
        contact_name: str = "",
        email: str = "",
        phone: str = "",
        address: str = "",
        company_id: str = "",
        vat_id: str = "",
        language: Language = "en",
        payment_terms_days: int = 14,
    ) -> Client:
        """Create a client.

        Args:
            name: who you invoice, as printed on invoices.
            currency: ISO 4217 code the client is invoiced in.
            hourly_rate: the client's rate, unless a project or entry sets its own.
            language: ``en`` or ``cs``, the language of the client's invoices.
            payment_terms_days: days from issue to the due date.
        """
        fields = {
            "name": name, "currency": currency, "hourly_rate": hourly_rate,
            "contact_name": contact_name, "email": email, "phone": phone, "address": address,
            "company_id": company_id, "vat_id": vat_id, "language": language,
            "payment_terms_days": payment_terms_days,
        }  # fmt: skip
        data = validated(ClientInput, fields)
        row = tables.Client(**_row_fields(data))
        with self._lg.atomic() as uow:
            uow.session.add(row)
            uow.session.flush()
        return Client.from_row(row)

    def get(self, client: Ref) -> Client:
        """One client by id."""
        with self._lg.reading() as session:
            return Client.from_row(
                get_row(session, tables.Client, ref_id(client, "client"), "client")
            )

    def find(self, client: NameRef) -> Client:
        """One client by name (whole, any case) or id; a shared name is refused, listing all."""
        with self._lg.reading() as session:
            return Client.from_row(find_client(session, client))

    def list(self, *, include_archived: bool = False) -> Records[Client]:
        """All clients by name."""
        query = select(tables.Client).order_by(col(tables.Client.name))
        if not include_archived:
            query = query.where(col(tables.Client.archived).is_(False))
        with self._lg.reading() as session:
            return Records((Client.from_row(row) for row in session.exec(query)), model=Client)

    def update(
        self,
        client: Ref,
        *,
        name: str | Unset = UNSET,
        currency: str | Unset = UNSET,
        hourly_rate: AmountInput | Unset | None = UNSET,
        contact_name: str | Unset = UNSET,
        email: str | Unset = UNSET,
        phone: str | Unset = UNSET,
        address: str | Unset = UNSET,
        company_id: str | Unset = UNSET,
        vat_id: str | Unset = UNSET,
        language: Language | Unset = UNSET,
        payment_terms_days: int | Unset = UNSET,
    ) -> Client:
        """Change the given fields of a client (see `add`); the others stay."""
        fields = given(
            name=name, currency=currency, hourly_rate=hourly_rate, contact_name=contact_name,
            email=email, phone=phone, address=address, company_id=company_id, vat_id=vat_id,
            language=language, payment_terms_days=payment_terms_days,
        )  # fmt: skip
        with self._lg.atomic() as uow:
            row = get_row(uow.session, tables.Client, ref_id(client, "client"), "client")
            current = Client.from_row(row).model_dump(include=set(ClientInput.model_fields))
            data = validated(ClientInput, {**current, **fields})
            for key, value in _row_fields(data).items():
                setattr(row, key, value)
            uow.session.flush()
        return Client.from_row(row)

    def archive(self, client: Ref, archived: bool = True) -> Client:
        """Hide a client from lists without deleting its history."""
        with self._lg.atomic() as uow:
            row = get_row(uow.session, tables.Client, ref_id(client, "client"), "client")
            row.archived = archived
            uow.session.flush()
        return Client.from_row(row)

    def delete(self, client: Ref) -> None:
        """Delete a client that has no projects and no invoices."""
        with self._lg.atomic() as uow:
            row = get_row(uow.session, tables.Client, ref_id(client, "client"), "client")
            for table in (tables.Project, tables.Invoice):
                used = uow.session.exec(
                    select(table.id).where(table.client_id == row.id).limit(1)
                ).first()
                if used is not None:
                    raise Conflict(
                        f"client {row.name!r} has {table.__tablename__}; archive it instead"
                    )
            uow.session.delete(row)


def company_id(data: ClientInput) -> str:
    """The client's company id, checked as a Czech IČO unless its VAT id is another
    country's (whose registry numbers have other formats)."""
    if identities.is_foreign_vat_id(data.vat_id):
        return data.company_id
    try:
        return identities.check_company_id(data.company_id)
    except ValueError as exc:
        raise InvalidInput("company_id", str(exc)) from None


def _row_fields(data: ClientInput) -> dict[str, Any]:
    fields = data.model_dump(exclude={"hourly_rate"})
    fields["company_id"] = company_id(data)
    rate = data.hourly_rate
    minor = None if rate is None else exact_minor(rate, data.currency, "hourly_rate")
    fields["hourly_rate_minor"] = minor
    return fields
