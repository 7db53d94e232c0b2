"""Canary secrets and every form of them the suite seeks where they must not be.

A canary is 32 random letters and digits with a ``+`` in the middle (so its URL
encodings differ from it). The suite seeks, in every text it can see:

- any slice of `MIN_SLICE` or more characters of it (a plugin that logs
  ``token[:10]`` leaks as surely as one that logs the token);
- the same slices of its URL encodings (``%2B`` and form-style), its hex
  encoding (lower and upper case, `MIN_SLICE` bytes) and its base64 encodings
  (standard and URL-safe, at each of the three byte alignments, so a secret inside
  ``base64("user:" + token)`` is found too).

Slices shorter than `MIN_SLICE` are not sought: four random characters turn up by
chance in a database's worth of ids, dates and hashes, and the check must not fail a
correct plugin by luck.
"""

from __future__ import annotations

import base64
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

import httpx

ALPHABET = string.ascii_letters + string.digits
HALF = 16
MIN_SLICE = 8


def make_canary() -> str:
    """A fresh canary secret: 16 random letters and digits, ``+``, 16 more."""
    halves = ("".join(secrets.choice(ALPHABET) for _ in range(HALF)) for _ in range(2))
    return "+".join(halves)


def _base64_cores(value: bytes) -> dict[str, str]:
    """The base64 text of `value` at each alignment, without the edge groups it shares."""
    cores = {}
    for pad in range(3):
        shifted = b"\0" * pad + value
        for label, encode in (
            ("base64", base64.b64encode),
            ("URL-safe base64", base64.urlsafe_b64encode),
        ):
            text = encode(shifted).decode().rstrip("=")
            cores[f"{label} ({pad})"] = text[4 if pad else 0 : -4]
    return cores


def _slices(text: str, size: int) -> Iterable[str]:
    return (text[i : i + size] for i in range(len(text) - size + 1))


@dataclass(frozen=True)
class Needles:
    """Every string whose presence in a text means the canary of `field` leaked."""

    field: str
    forms: dict[str, str]  # needle → how it is encoded

    @classmethod
    def of(cls, field: str, canary: str) -> Needles:
        raw = canary.encode()
        encoded = {
            "as is": canary,
            "URL-encoded": quote(canary, safe=""),
            "form-encoded": quote_plus(canary),
            **_base64_cores(raw),
        }
        forms: dict[str, str] = {}
        for label, text in encoded.items():
            for piece in _slices(text, MIN_SLICE):
                forms.setdefault(piece, label.split(" (")[0])
        for label, text in (("hex", raw.hex()), ("hex", raw.hex().upper())):
            for piece in _slices(text, 2 * MIN_SLICE):
                forms.setdefault(piece, label)
        return cls(field, forms)

    def found_in(self, text: str) -> str | None:
        """How the canary appears in `text` ("as is", "base64"...), None when it does not."""
        for needle, label in self.forms.items():
            if needle in text:
                return label
        return None


@dataclass(frozen=True)
class Leak:
    """Where one secret was found, said without repeating it."""

    field: str
    form: str
    place: str

    def describe(self) -> str:
        shown = "" if self.form == "as is" else f" ({self.form})"
        return f"the secret setting {self.field!r}{shown} appears in {self.place}"


def leaks_in_texts(needles: list[Needles], texts: dict[str, str]) -> list[Leak]:
    """Every (secret, place) where a canary appears in the named texts."""
    found = []
    for place, text in texts.items():
        for secret in needles:
            form = secret.found_in(text)
            if form is not None:
                found.append(Leak(secret.field, form, place))
    return found


def leaks_in_requests(
    needles: list[Needles], requests: list[httpx.Request], *, url_allowed: bool
) -> list[Leak]:
    """Secrets sent outside the one header (and the one host) they belong to.

    A secret may go out in one request header (the one the API documents, e.g.
    ``Authorization`` or ``X-Token``) to one host. In a URL only when the API takes
    it there (`url_allowed`, Fio); never in a body, another header or to another host.
    """
    found: list[Leak] = []
    for secret in needles:
        headers: set[str] = set()
        hosts: set[str] = set()
        for request in requests:
            where = f"a {request.method} request to {request.url.host}"
            carried = _carrying_headers(secret, request)
            in_url = secret.found_in(str(request.url))
            in_body = secret.found_in(request.content.decode("utf-8", errors="replace"))
            if in_url and not url_allowed:
                found.append(Leak(secret.field, in_url, f"the URL of {where}"))
            if in_body:
                found.append(Leak(secret.field, in_body, f"the body of {where}"))
            headers |= carried
            if carried or in_url or in_body:
                hosts.add(request.url.host)
        if len(headers) > 1:
            names = " and ".join(sorted(headers))
            found.append(Leak(secret.field, "as is", f"more than one request header ({names})"))
        if len(hosts) > 1:
            found.append(
                Leak(
                    secret.field,
                    "as is",
                    f"requests to {len(hosts)} hosts ({', '.join(sorted(hosts))})",
                )
            )
    return found


def _carrying_headers(secret: Needles, request: httpx.Request) -> set[str]:
    return {name.lower() for name, value in request.headers.items() if secret.found_in(value)}
