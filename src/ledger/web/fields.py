"""Reading the invoice and money forms: typed values, or an error per field in the
user's language (nothing reaches the API until every field reads)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from starlette.convertors import IntegerConvertor, register_url_convertor

from ledger.core.money import parse_amount
from ledger.errors import InvalidInput
from ledger.web.form_help import amount_message
from ledger.web.forms import MESSAGES, N_
from ledger.web.i18n import Translator

NOT_A_NUMBER = N_("Enter a number, e.g. 1500 or 12.50.")
NOT_A_DATE = N_("Enter a date as YYYY-MM-DD.")
REQUIRED = N_("This field is required.")
NOT_VALID = N_("The value is not valid.")
MUST_BE_POSITIVE = N_("Enter an amount greater than zero.")
TOO_LONG = N_("This text is too long.")
TOO_LARGE = N_("The value is too large.")
CHOOSE = N_("Choose one of the offered values.")


class Fields:
    """The submitted text of one form and the errors found reading it."""

    def __init__(self, values: Mapping[str, str], translator: Translator) -> None:
        self.values = dict(values)
        self.t = translator
        self.errors: dict[str, str] = {}

    def fail(self, name: str, message: str, **values: object) -> None:
        """Record `message` (an English msgid) for field `name`, translated."""
        self.errors.setdefault(name, self.t.gettext(message, **values))

    def text(self, name: str, *, required: bool = False, max_length: int = 2000) -> str:
        value = self.values.get(name, "")
        if required and not value:
            self.fail(name, REQUIRED)
        elif len(value) > max_length:
            self.fail(name, TOO_LONG)
        return value

    def amount(
        self,
        name: str,
        *,
        required: bool = True,
        positive: bool = False,
        currency: str | None = None,
    ) -> Decimal | None:
        """A number in the user's notation (``1,500.50``, ``1 500,50``); None when empty
        and not required. With `currency`, more decimals than it has are refused."""
        value = self.values.get(name, "")
        if not value:
            if required:
                self.fail(name, REQUIRED)
            return None
        try:
            number = parse_amount(value, name, currency=currency, notation=self.t.notation)
        except InvalidInput as exc:
            self.errors.setdefault(name, amount_message(exc, self.t, currency))
            return None
        if positive and number <= 0:
            self.fail(name, MUST_BE_POSITIVE)
            return None
        return number

    def percent(self, name: str) -> Decimal | None:
        """A rate between 0 and 100 (VAT); None when empty."""
        number = self.amount(name, required=False)
        if number is not None and not 0 <= number <= 100:
            self.fail(name, N_("Enter a percentage between 0 and 100."))
            return None
        return number

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        value = self.values.get(name, "")
        if not value:
            if required:
                self.fail(name, REQUIRED)
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(name, NOT_A_DATE)
            return None

    def choice(self, name: str, options: Iterable[str], *, required: bool = False) -> str | None:
        value = self.values.get(name, "")
        if not value:
            if required:
                self.fail(name, REQUIRED)
            return None
        if value not in set(options):
            self.fail(name, CHOOSE)
            return None
        return value

    def ref(self, name: str, ids: Iterable[int], *, required: bool = False) -> int | None:
        """The id of one of the offered rows (a select's value)."""
        value = self.choice(name, [str(i) for i in ids], required=required)
        return None if value is None else int(value)

    def api_error(self, error: InvalidInput, known: Mapping[str, str] | None = None) -> None:
        """Errors the API found, as messages the user can read in their language.

        `known` maps a field to the (English msgid) message to show for it; a
        pydantic error type is translated by `ledger.web.forms.MESSAGES`; anything
        else gets a general message, so no English text leaks into a Czech form.
        """
        codes = getattr(error, "codes", {}) or {}
        for field in error.errors:
            name = field.split(".")[0]
            message = MESSAGES.get(codes.get(field, "")) or (known or {}).get(name) or NOT_VALID
            self.fail(name, message)


MAX_ID = 2**63 - 1  # the largest id a database stores; larger numbers match no row


class RowId(IntegerConvertor):
    """``{name:id}`` in a route: an id the database can hold (1-18 digits), else 404."""

    regex = "[0-9]{1,18}"


register_url_convertor("id", RowId())


def page_number(value: str | None) -> int:
    """A page number from the query (1 for anything that is not a positive integer)."""
    try:
        number = int(value or "1")
    except ValueError:
        return 1
    return max(1, min(number, 1_000_000))


def int_or_none(value: str | None) -> int | None:
    """An id from the query, or None when missing or not a number."""
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is not None and 0 < number <= MAX_ID else None
