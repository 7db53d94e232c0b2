"""What a plugin writes: validated input models, one per kind of record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ledger.contracts.money import OptionalAmount, currency_code, exact_decimal


class TransactionInput(BaseModel):
    """One transaction as a source reports it. `amount` is signed: + in, - out."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str = Field(min_length=1, max_length=100)
    booked_on: dt.date
    amount: OptionalAmount
    currency: str
    account: str = Field(default="", max_length=60)
    counterparty_name: str = Field(default="", max_length=200)
    counterparty_account: str = Field(default="", max_length=60)
    variable_symbol: str = Field(default="", max_length=10, pattern=r"^\d*$")
    constant_symbol: str = Field(default="", max_length=10, pattern=r"^\d*$")
    specific_symbol: str = Field(default="", max_length=10, pattern=r"^\d*$")
    message: str = Field(default="", max_length=2000)
    details: dict[str, str] = Field(
        default_factory=dict, description="Further fields the source reports (type, bank, ...)."
    )

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return currency_code(value)

    @field_validator("amount")
    @classmethod
    def _nonzero(cls, value: object) -> object:
        if value is None or value == 0:
            raise ValueError("a transaction needs a non-zero amount")
        return value

    @field_validator("variable_symbol", "constant_symbol", "specific_symbol")
    @classmethod
    def _no_leading_zeros(cls, value: str) -> str:
        return value.lstrip("0")


class _Record(BaseModel):
    """An object a plugin keeps in step with its upstream twin, keyed on `external_id`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str = Field(min_length=1, max_length=100)


class ClientInput(_Record):
    """A client as upstream has it. On an existing client only the fields you set change."""

    name: str = Field(min_length=1, max_length=200)
    currency: str = "CZK"
    email: str = Field(default="", max_length=200)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return currency_code(value)


class ProjectInput(_Record):
    """A project as upstream has it, under a client.

    Name the client by `client_external_id` (one this plugin upserted or
    linked) or by `client_id` (a ledger id, e.g. from the plugin's settings).
    """

    name: str = Field(min_length=1, max_length=200)
    client_external_id: str | None = None
    client_id: int | None = Field(default=None, ge=1)
    hourly_rate: OptionalAmount = None

    @model_validator(mode="after")
    def _one_client(self) -> ProjectInput:
        if (self.client_external_id is None) == (self.client_id is None):
            raise ValueError("give exactly one of client_external_id and client_id")
        return self


class TimeEntryInput(_Record):
    """Time worked as upstream has it: `minutes` on `date`, under a project.

    Name the project by `project_external_id` or `project_id`, like a project's client.
    """

    date: dt.date
    minutes: int = Field(ge=1, le=24 * 60)
    description: str = Field(default="", max_length=2000)
    billable: bool = True
    project_external_id: str | None = None
    project_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_project(self) -> TimeEntryInput:
        if (self.project_external_id is None) == (self.project_id is None):
            raise ValueError("give exactly one of project_external_id and project_id")
        return self


class ExchangeRateInput(BaseModel):
    """A central bank's fixing: `rate` CZK for `quantity` units of `currency` on `day`.

    Keyed on (`currency`, `day`): a second upsert of the same pair updates it.
    `rate` is exact (text or `Decimal`, never float) with at most 6 decimal places.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    currency: str
    day: dt.date
    rate: Decimal
    quantity: int = Field(default=1, ge=1, le=1_000_000)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        code = currency_code(value)
        if code == "CZK":
            raise ValueError("a rate is CZK per unit of another currency, not of CZK")
        return code

    @field_validator("rate", mode="before")
    @classmethod
    def _exact(cls, value: object) -> Decimal:
        return exact_decimal(value)

    @field_validator("rate")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("a rate must be positive")
        if value != value.quantize(Decimal("0.000001")):
            raise ValueError("a rate has at most 6 decimal places")
        return value
