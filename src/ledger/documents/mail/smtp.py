"""Handing a message to the SMTP server (standard library ``smtplib``).

Every way a send can fail — no connection, TLS, login, a refused sender or recipient —
becomes one `MailNotSent` whose message ends with the server's own reason.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

from ledger.errors import MailNotSent

Security = Literal["starttls", "tls", "none"]
SECURITIES: tuple[Security, ...] = ("starttls", "tls", "none")
TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Server:
    """Where and how to connect; `password` is clear text, held only for the send."""

    host: str
    port: int
    security: Security
    username: str
    password: str


def deliver(server: Server, message: EmailMessage, recipients: list[str]) -> None:
    """Send `message` to `recipients` (Bcc included) or raise `MailNotSent`."""
    try:
        with _connect(server) as smtp:
            if server.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if server.username:
                smtp.login(server.username, server.password)
            smtp.send_message(message, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        reasons = "; ".join(f"{to}: {_reply(*reply)}" for to, reply in exc.recipients.items())
        raise MailNotSent(f"the mail server refused the recipient ({reasons})") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise MailNotSent(
            f"the mail server refused the login ({_reply(exc.smtp_code, exc.smtp_error)}); "
            "check the user and password in the mail settings"
        ) from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailNotSent(
            f"the mail server refused the sender {exc.sender} "
            f"({_reply(exc.smtp_code, exc.smtp_error)})"
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise MailNotSent(
            f"the mail server refused the message ({_reply(exc.smtp_code, exc.smtp_error)})"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MailNotSent(
            f"cannot send through {server.host}:{server.port} ({exc or type(exc).__name__})"
        ) from None


def _connect(server: Server) -> smtplib.SMTP:
    if server.security == "tls":
        context = ssl.create_default_context()
        return smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS, context=context)
    return smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {words}".strip()
