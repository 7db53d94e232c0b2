"""``lg.settings``: the supplier identity and app preferences (one row)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session, func, select

from ledger.core.invoices import numbering
from ledger.core.invoices.numbering import check_pattern
from ledger.core.models import AppSettings
from ledger.core.service import Service
from ledger.core.validation import validated
from ledger.storage import tables


class SettingsInput(BaseModel):
    """The editable settings; the web settings form validates with it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    supplier_name: str = Field(default="", max_length=200)
    supplier_address: str = Field(default="", max_length=2000)
    supplier_company_id: str = Field(default="", max_length=20)
    supplier_vat_id: str = Field(default="", max_length=20)
    supplier_email: str = Field(default="", max_length=200)
    supplier_iban: str = Field(
        default="", max_length=34, pattern=r"^([A-Z]{2}\d{2}[A-Z0-9]{1,30})?$"
    )
    supplier_bic: str = Field(default="", max_length=11, pattern=r"^([A-Z0-9]{8}([A-Z0-9]{3})?)?$")
    supplier_account_number: str = Field(
        default="", max_length=40, pattern=r"^((\d{1,6}-)?\d{2,10}/\d{4})?$"
    )
    number_pattern: str = Field(default="{year}-{seq:04d}", max_length=60)
    default_due_days: int = Field(default=14, ge=0, le=365)
    payment_tolerance_minor: int = Field(default=100, ge=0, le=100000)
    default_hourly_rate_minor: int | None = Field(default=None, ge=0)
    locale: Literal["en", "cs"] = "en"
    theme: Literal["auto", "light", "dark"] = "auto"

    @field_validator("supplier_iban", "supplier_bic", mode="before")
    @classmethod
    def _compact(cls, value: object) -> object:
        return value.replace(" ", "").upper() if isinstance(value, str) else value

    @field_validator("number_pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        return check_pattern(value)


class AppSettingsService(Service):
    """Read and change the single settings row."""

    def get(self) -> AppSettings:
        """The current settings (defaults before anything was saved)."""
        with self._lg.reading() as session:
            return AppSettings.from_row(_row(session) or tables.AppSettings())

    def update(self, **fields: Any) -> AppSettings:
        """Change some settings; every field is validated, nothing is written on error."""
        with self._lg.atomic() as uow:
            row = _row(uow.session)
            current = AppSettings.from_row(row or tables.AppSettings()).model_dump()
            data = validated(SettingsInput, {**current, **fields})
            if row is None:
                row = tables.AppSettings(id=1)
                uow.session.add(row)
            for key, value in data.model_dump().items():
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


def _row(session: Session) -> tables.AppSettings | None:
    return session.exec(select(tables.AppSettings)).first()
