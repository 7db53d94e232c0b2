"""What a plugin writes: validated input models, one per kind of record."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ledger.contracts.money import OptionalAmount, currency_code


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
