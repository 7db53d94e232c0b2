"""``lg.settings``: the supplier identity and app preferences (one row)."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from sqlalchemy import select as sa_select
from sqlmodel import Session, func, select

from ledger.core import identity_fields
from ledger.core.datetimes import check_zone, machine_zone
from ledger.core.invoices import numbering
from ledger.core.invoices.numbering import check_pattern
from ledger.core.models import AppSettings
from ledger.core.service import UNSET, Service, Unset, given
from ledger.core.validation import validated
from ledger.storage import tables

Locale = Literal["en", "cs"]
Theme = Literal["auto", "light", "dark"]
LOCALES: tuple[Locale, ...] = ("en", "cs")
THEMES: tuple[Theme, ...] = ("auto", "light", "dark")


class SettingsInput(BaseModel):
    """The editable settings; the web settings form validates with it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    supplier_name: str = Field(default="", max_length=200)
    supplier_address: str = Field(default="", max_length=2000)
    supplier_company_id: identity_fields.CompanyId = Field(default="", max_length=20)
    supplier_vat_id: identity_fields.VatId = Field(default="", max_length=20)
    supplier_email: identity_fields.Email = Field(default="", max_length=200)
    vat_payer: bool = False
    default_vat_rate: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    number_pattern: str = Field(default="{year}-{seq:04d}", max_length=60)
    credit_note_pattern: str = Field(default="D{year}-{seq:04d}", max_length=60)
    default_due_days: int = Field(default=14, ge=0, le=365)
    payment_tolerance_minor: int = Field(default=100, ge=0, le=100000)
    default_hourly_rate_minor: int | None = Field(default=None, ge=0)
    locale: Locale = "en"
    theme: Theme = "auto"
    time_zone: str = Field(default="", max_length=64)  # "": the machine's zone

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_zone(value) if value else ""

    @field_validator("number_pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        return check_pattern(value)

    @field_validator("credit_note_pattern")
    @classmethod
    def _credit_note_pattern(cls, value: str) -> str:
        return check_pattern(value, "credit_note_pattern")

    @model_validator(mode="after")
    def _own_series(self) -> SettingsInput:
        numbering.check_distinct(self.number_pattern, self.credit_note_pattern)
        return self

    @field_validator("vat_payer")
    @classmethod
    def _registered_for_vat(cls, value: bool, info: ValidationInfo) -> bool:
        if value and not info.data.get("supplier_vat_id"):
            raise ValueError("a VAT payer prints a VAT id (DIČ) on every invoice; enter yours")
        return value

    def row_values(self) -> dict[str, object]:
        """The fields as the settings row stores them (rates in basis points)."""
        values = self.model_dump(exclude={"default_vat_rate"})
        rate = self.default_vat_rate
        values["default_vat_rate_bp"] = None if rate is None else int(rate.scaleb(2))
        return values


class AppSettingsService(Service):
    """Read and change the single settings row."""

    def get(self) -> AppSettings:
        """The current settings (defaults before anything was saved)."""
        # Read as a plain row: every page asks, and the ORM costs more than the query.
        with self._lg.reading() as session:
            row = session.connection().execute(SETTINGS_ROW).mappings().first()
        return AppSettings.from_mapping(dict(row) if row is not None else _defaults())

    def zone(self) -> str:
        """The user's time zone: the saved one, else the machine's."""
        with self._lg.reading() as session:
            saved = session.exec(select(tables.AppSettings.time_zone)).first()
        return saved or machine_zone()

    def update(
        self,
        *,
        supplier_name: str | Unset = UNSET,
        supplier_address: str | Unset = UNSET,
        supplier_company_id: str | Unset = UNSET,
        supplier_vat_id: str | Unset = UNSET,
        supplier_email: str | Unset = UNSET,
        vat_payer: bool | Unset = UNSET,
        default_vat_rate: Decimal | int | str | Unset | None = UNSET,
        number_pattern: str | Unset = UNSET,
        credit_note_pattern: str | Unset = UNSET,
        default_due_days: int | Unset = UNSET,
        payment_tolerance_minor: int | Unset = UNSET,
        default_hourly_rate_minor: int | Unset | None = UNSET,
        locale: Locale | Unset = UNSET,
        theme: Theme | Unset = UNSET,
        time_zone: str | Unset = UNSET,
    ) -> AppSettings:
        """Change the given settings; every field is validated, nothing is written on error.

        Args:
            supplier_name: you, as printed on invoices (likewise the other ``supplier_``
                fields: address, IČO, VAT id, e-mail). Bank accounts are
                ``lg.bank_accounts``, one per currency.
            vat_payer: registered for VAT: invoices charge VAT per line (a VAT id is
                then required); otherwise they carry none and say so.
            default_vat_rate: the rate (percent) new invoice lines get; 21 when unset.
            number_pattern: how issued invoices are numbered, e.g. ``{year}-{seq:04d}``.
            credit_note_pattern: how credit notes are numbered (a series of their own),
                e.g. ``D{year}-{seq:04d}``.
            default_due_days: days from issue to due date for new clients.
            payment_tolerance_minor: how far (in minor units) a payment may fall short
                of the total and still count as paid.
            default_hourly_rate_minor: the rate when neither entry, project nor client has one.
            locale: ``en`` or ``cs``, the web UI's language.
            theme: ``auto``, ``light`` or ``dark``.
            time_zone: where you are, e.g. ``Europe/Prague``: times show in it (they
                are stored in UTC); the machine's zone until set.
        """
        fields = given(
            supplier_name=supplier_name, supplier_address=supplier_address,
            supplier_company_id=supplier_company_id, supplier_vat_id=supplier_vat_id,
            supplier_email=supplier_email, vat_payer=vat_payer,
            default_vat_rate=default_vat_rate, number_pattern=number_pattern,
            credit_note_pattern=credit_note_pattern,
            default_due_days=default_due_days, payment_tolerance_minor=payment_tolerance_minor,
            default_hourly_rate_minor=default_hourly_rate_minor, locale=locale, theme=theme,
            time_zone=time_zone,
        )  # fmt: skip
        with self._lg.atomic() as uow:
            row = _row(uow.session)
            current = AppSettings.from_row(row or tables.AppSettings()).model_dump()
            current["time_zone"] = row.time_zone if row else ""  # unset follows the machine
            data = validated(SettingsInput, {**current, **fields})
            if row is None:
                row = tables.AppSettings(id=1)
                uow.session.add(row)
            for key, value in data.row_values().items():
                setattr(row, key, value)
            uow.session.flush()
        return AppSettings.from_row(row)

    def next_number(self, pattern: str | None = None, on: dt.date | None = None) -> str:
        """The number an invoice issued `on` (today) would get under `pattern`.

        A preview only: nothing is reserved. `pattern` defaults to the saved one and
        is checked like the settings form checks it.
        """
        issued_on = on or self._lg.today()
        with self._lg.reading() as session:
            chosen = check_pattern(pattern) if pattern is not None else _current_pattern(session)
            series = numbering.series_key(chosen, issued_on)
            query = select(func.max(tables.Invoice.sequence)).where(
                tables.Invoice.series == series
            )
            sequence = int(session.exec(query).one() or 0) + 1
        return numbering.format_number(chosen, issued_on, sequence)


def _current_pattern(session: Session) -> str:
    return (_row(session) or tables.AppSettings()).number_pattern


SETTINGS_ROW = sa_select(tables.AppSettings.__table__)  # type: ignore[attr-defined]


@functools.cache
def _defaults() -> dict[str, Any]:
    """The settings row's values before anything was saved."""
    return tables.AppSettings().model_dump()


def _row(session: Session) -> tables.AppSettings | None:
    return session.exec(select(tables.AppSettings)).first()
