"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives.

`smtp_server` starts one per test on a free port; `refusing` makes it answer RCPT TO
for an address with 550, and `with_login` offers AUTH and checks the login (in plain
text, without TLS: on the loopback only).
"""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

LOGIN = ("jana", "s3cret-smtp-Pass")


@dataclass
class Received:
    """One message as delivered: who it went to and the parsed message."""

    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Sink:
    """The messages the server accepted, and the addresses it refuses."""

    port: int = 0
    messages: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = email.message_from_bytes(content, policy=default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def last(self) -> Received:
        """The message received last."""
        assert self.messages, "the server received nothing"
        return self.messages[-1]


def _authenticator(
    server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == LOGIN
    return AuthResult(success=ok, handled=False)  # False: the server answers 535


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(sink: Sink, *, with_login: bool = False) -> Controller:
    """A running controller for `sink` on a free loopback port."""
    sink.port = free_port()
    extra: dict[str, Any] = {}
    if with_login:
        extra = {"authenticator": _authenticator, "auth_require_tls": False}
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port, **extra)
    controller.start()
    return controller


def stop(controller: Controller) -> None:
    """Stop the server and close its event loop (aiosmtpd leaves it open)."""
    controller.stop()
    controller.loop.close()


@pytest.fixture
def smtp_server() -> Iterator[Sink]:
    """A loopback SMTP server that accepts any message (no login, no TLS)."""
    sink = Sink()
    controller = start(sink)
    yield sink
    stop(controller)


@pytest.fixture
def smtp_with_login() -> Iterator[Sink]:
    """A loopback SMTP server that requires the login `LOGIN`."""
    sink = Sink()
    controller = start(sink, with_login=True)
    yield sink
    stop(controller)
