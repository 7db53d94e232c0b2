"""The SMTP settings: what the form and ``lg.mail.configure`` accept, and what they show.

The password is stored encrypted with the ledger's secret box (like plugin secrets),
redacted in the audit trail, and never handed back: `MailSettings` only says whether
one is set.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ledger.core import identity_fields
from ledger.core.models import PublicModel
from ledger.documents.mail.smtp import Security
from ledger.storage import tables

DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "tls": 465, "none": 25}


class MailSettingsInput(BaseModel):
    """The editable SMTP settings; the web form validates with it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    host: str = Field(default="", max_length=200, pattern=r"^[A-Za-z0-9.\-\[\]:]*$")
    port: int = Field(default=587, ge=1, le=65535)
    security: Security = "starttls"
    username: str = Field(default="", max_length=200)
    sender: identity_fields.Email = Field(default="", max_length=200, validate_default=True)
    bcc_self: bool = False

    @field_validator("sender")
    @classmethod
    def _sender_with_host(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("host") and not value:
            raise ValueError("enter the sender address the e-mails come from")
        return value


class MailSettings(PublicModel):
    """The SMTP settings as shown: never the password, only whether one is stored."""

    host: str
    port: int
    security: str
    username: str
    password_set: bool
    sender: str
    bcc_self: bool

    @property
    def configured(self) -> bool:
        """Whether a server and a sender are set, so invoices can be sent."""
        return bool(self.host and self.sender)

    @classmethod
    def from_row(cls, row: tables.MailSettings) -> MailSettings:
        return cls(
            host=row.host, port=row.port, security=row.security, username=row.username,
            password_set=bool(row.password), sender=row.sender, bcc_self=row.bcc_self,
        )  # fmt: skip
