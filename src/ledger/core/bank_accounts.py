"""``lg.bank_accounts``: where clients pay, one account per currency.

An invoice prints the account of its own currency (an EUR invoice the EUR account),
and its payment QR code pays into it; an invoice in a currency without an account
still issues, without payment details.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session, col, select

from ledger.core import identity_fields
from ledger.core.models import BankAccount, Records
from ledger.core.money import currency_field
from ledger.core.service import UNSET, HasId, Service, Unset, get_row, given, ref_id
from ledger.core.validation import validated
from ledger.errors import InvalidInput, NotFound
from ledger.storage import tables

AccountRef = int | str | HasId
"""An account by id, by its currency (``"EUR"``) or as an object with an ``id``."""


class BankAccountInput(BaseModel):
    """An account's fields; the web form validates with it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    currency: str = Field(max_length=3)
    label: str = Field(default="", max_length=100)
    account_number: identity_fields.AccountNumber = Field(default="", max_length=40)
    iban: identity_fields.Iban = Field(default="", max_length=50)  # typed with spaces
    bic: identity_fields.Bic = Field(default="", max_length=20)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return currency_field(value)


def checked(fields: dict[str, Any]) -> BankAccountInput:
    """`fields` validated as an account: every field, then that it can be paid into."""
    data = validated(BankAccountInput, fields)
    if not data.account_number and not data.iban:
        raise InvalidInput("iban", "give an IBAN or a Czech account number (or both)")
    return data


class BankAccounts(Service):
    """``lg.bank_accounts``: your bank accounts, at most one per currency."""

    counted = (tables.BankAccount, "account", "accounts")

    def list(self) -> Records[BankAccount]:
        """Every account, by currency."""
        query = select(tables.BankAccount).order_by(col(tables.BankAccount.currency))
        with self._lg.reading() as session:
            rows = session.exec(query)
            return Records((BankAccount.from_row(row) for row in rows), model=BankAccount)

    def get(self, account: AccountRef) -> BankAccount:
        """One account by id or currency."""
        with self._lg.reading() as session:
            return BankAccount.from_row(_find(session, account))

    def for_currency(self, currency: str) -> BankAccount | None:
        """The account invoices in `currency` print, or None when there is none."""
        query = select(tables.BankAccount).where(tables.BankAccount.currency == currency.upper())
        with self._lg.reading() as session:
            row = session.exec(query).first()
            return None if row is None else BankAccount.from_row(row)

    def add(
        self, currency: str, *, account_number: str = "", iban: str = "", bic: str = "",
        label: str = "",
    ) -> BankAccount:  # fmt: skip
        """Add the account for `currency` (one per currency).

        Args:
            currency: the ISO 4217 code of the invoices it is printed on, e.g. ``EUR``.
            account_number: a Czech account number, ``[prefix-]number/bank``.
            iban: the IBAN, its check digits verified; EUR QR payments (EPC) need it.
            bic: the bank's BIC (SWIFT code).
            label: your name for it, e.g. ``Fio EUR``.

        Raises:
            InvalidInput: a bad field, neither IBAN nor account number, or a currency
                that already has an account.
        """
        fields = {
            "currency": currency, "account_number": account_number, "iban": iban,
            "bic": bic, "label": label,
        }  # fmt: skip
        data = checked(fields)
        with self._lg.atomic() as uow:
            _refuse_second(uow.session, data.currency, None)
            row = tables.BankAccount(**data.model_dump())
            uow.session.add(row)
            uow.session.flush()
            return BankAccount.from_row(row)

    def update(
        self,
        account: AccountRef,
        *,
        currency: str | Unset = UNSET,
        account_number: str | Unset = UNSET,
        iban: str | Unset = UNSET,
        bic: str | Unset = UNSET,
        label: str | Unset = UNSET,
    ) -> BankAccount:
        """Change the given fields of an account (see `add`)."""
        fields = given(
            currency=currency, account_number=account_number, iban=iban, bic=bic, label=label
        )
        with self._lg.atomic() as uow:
            row = _find(uow.session, account)
            current = BankAccount.from_row(row).model_dump(exclude={"id"})
            data = checked({**current, **fields})
            _refuse_second(uow.session, data.currency, row.id)
            for key, value in data.model_dump().items():
                setattr(row, key, value)
            uow.session.flush()
            return BankAccount.from_row(row)

    def remove(self, account: AccountRef) -> None:
        """Delete an account; invoices in its currency then print no payment details."""
        with self._lg.atomic() as uow:
            uow.session.delete(_find(uow.session, account))
            uow.session.flush()


def _find(session: Session, account: AccountRef) -> tables.BankAccount:
    if isinstance(account, str):
        code = account.strip().upper()
        query = select(tables.BankAccount).where(tables.BankAccount.currency == code)
        row = session.exec(query).first()
        if row is None:
            raise NotFound(f"there is no {code} bank account; add one with its currency")
        return row
    return get_row(session, tables.BankAccount, ref_id(account, "account"), "bank account")


def _refuse_second(session: Session, currency: str, own_id: int | None) -> None:
    query = select(tables.BankAccount.id).where(tables.BankAccount.currency == currency)
    other = session.exec(query).first()
    if other is not None and other != own_id:
        raise InvalidInput(
            "currency",
            f"there is already a {currency} account; edit or remove it (one account per currency)",
        )
