"""Every error ledger raises on purpose.

::

    LedgerError                  base: a message meant for the user
    ├── InvalidInput             a value is wrong; names the field and the fix
    ├── NotFound                 a referenced row does not exist
    │   └── MissingExchangeRate  no exchange rate for a currency on a day
    ├── Conflict                 the request clashes with the current state
    │   ├── AlreadyRunning       a sync of the same plugin is under way
    │   └── Busy                 another write held the database past the lock wait
    ├── UnauditedWrite           a write was attempted without a source
    ├── ConfigurationError       ledger itself is misconfigured (data dir, key)
    ├── MailNotSent              the mail server was unreachable or refused a message
    ├── AuditChainBroken         `ledger audit verify` found a tampered event
    └── AuditRowsDiffer          business rows differ from what the audit trail says

Plugins raise the kinds in :mod:`ledger.contracts.errors`.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base class: the message is a sentence a user can act on."""


class InvalidInput(LedgerError):
    """A value given to the API is wrong.

    Args:
        field: the name of the offending field, as the caller spelled it.
        message: what is wrong and how to fix it.
        errors: every offending field with its message (forms show them all).

    Attributes:
        codes: field → pydantic error type where known, so a form can translate.
    """

    def __init__(self, field: str, message: str, errors: dict[str, str] | None = None) -> None:
        self.field = field
        self.message = message
        self.errors = errors or {field: message}
        self.codes: dict[str, str] = {}
        super().__init__(f"{field}: {message}")


class NotFound(LedgerError):
    """A referenced row does not exist."""


class MissingExchangeRate(NotFound):
    """No stored rate for a currency on (or shortly before) a day; the message says
    how to fetch the rates.

    Attributes:
        currency: the ISO code asked for.
        day: the day asked for, ISO format.
    """

    def __init__(self, message: str, *, currency: str = "", day: str = "") -> None:
        self.currency = currency
        self.day = day
        super().__init__(message)


class Conflict(LedgerError):
    """The request is valid but clashes with the current state."""


class AlreadyRunning(Conflict):
    """A sync of this plugin is already under way."""


class Busy(Conflict):
    """Another write (a long sync, say) held the database longer than ledger waits.

    Nothing was written; the same request a moment later usually succeeds.
    """


class UnauditedWrite(LedgerError):
    """A domain row was about to change outside an audited unit of work."""


class MailNotSent(LedgerError):
    """The SMTP server could not be reached or refused the message; nothing was recorded.

    The message ends with the server's own reason (its reply, or the network error).
    """


class ConfigurationError(LedgerError):
    """ledger's own configuration (data directory, database, key) is unusable."""


class AuditChainBroken(LedgerError):
    """The audit hash chain does not verify; names the first broken event."""

    def __init__(self, event_id: int, reason: str) -> None:
        self.event_id = event_id
        self.reason = reason
        super().__init__(f"audit event {event_id}: {reason}")


class AuditRowsDiffer(LedgerError):
    """Replaying the audit trail does not give the business rows; lists each one."""

    def __init__(self, differences: list[str]) -> None:
        self.differences = tuple(differences)
        more = len(differences) - 1
        suffix = f" (and {more} more row difference{'s' * (more != 1)})" if more else ""
        super().__init__(f"the tables differ from the audit trail: {differences[0]}{suffix}")
