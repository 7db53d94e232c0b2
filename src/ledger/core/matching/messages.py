"""The numbers a payment's message mentions, read as invoice numbers are compared.

A number is a run of digits that may hold "/" and "-" (``2026-0001``), compared as
plain digits without leading zeros (``20260001``), as variable symbols are.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

NUMBER = re.compile(r"\d[\d/\-]{2,}\d")

# Messages are searched for numbers all at once, as bytes (see `numbers_named`): in
# the mask every ASCII digit is "0", the separator stays, and the rest is " " ("/" and
# "-", which may stand inside a number, are dropped).
_SEPARATOR = b"\n"
_MASK = bytes(
    ord("0") if chr(byte) in "0123456789" else byte if byte == _SEPARATOR[0] else ord(" ")
    for byte in range(256)
)


def numbers_in(message: str, pattern: re.Pattern[str] = NUMBER) -> list[str]:
    """The numbers a message mentions, as plain digits (``2026-0001`` → ``20260001``)."""
    return digits(pattern.findall(message)) if message else []


def digits(tokens: list[str] | None) -> list[str]:
    # A token holds only digits, "/" and "-": dropping the two leaves the digits.
    if not tokens:
        return []
    return [token.replace("-", "").replace("/", "").lstrip("0") for token in tokens]


@functools.lru_cache(maxsize=16)
def number_pattern(shortest: int) -> re.Pattern[str]:
    """`NUMBER` for tokens of at least `shortest` characters.

    Numbers in a message matter only when they name an invoice, and dropping
    separators and leading zeros only shortens a token: the regular expression
    skips shorter ones (order refs, years, amounts), which most messages hold.
    """
    return re.compile(rf"\d[\d/\-]{{{max(2, shortest - 2)},}}\d")


def numbers_named(
    messages: list[str], pattern: re.Pattern[str], shortest: int
) -> Iterator[tuple[int, list[str]]]:
    """The positions of the messages that hold numbers of `shortest` digits or more
    (`pattern`, its `number_pattern`), with those numbers (as `numbers_in` reads them).

    Most messages hold none, and a regular expression reads a message a character at
    a time. So all of them are masked at once (`_MASK`): any number that names an
    invoice is there a run of zeros at least as long as the shortest symbol, which
    `bytes.find` finds at C speed; only the messages that hold one are read.
    """
    masked = "\n".join(messages).encode().translate(_MASK, b"-/")
    candidates: Iterable[int]
    candidates, separators = _long_runs(masked, b"0" * shortest)
    if separators != len(messages) - 1:  # a message holds the separator
        candidates = range(len(messages))
    for position in candidates:
        if numbers := numbers_in(messages[position], pattern):
            yield position, numbers


def _long_runs(masked: bytes, run: bytes) -> tuple[list[int], int]:
    """The positions of the messages in `masked` that hold `run`, and how many
    separators `masked` holds (counted on the way: one pass over it)."""
    found: list[int] = []
    position, scanned = 0, 0
    start = masked.find(run)
    while start >= 0:
        position += masked.count(_SEPARATOR, scanned, start)
        found.append(position)
        scanned = masked.find(_SEPARATOR, start)  # the end of this message
        if scanned < 0:
            return found, position  # in the last message: every separator is counted
        start = masked.find(run, scanned)
    return found, position + masked.count(_SEPARATOR, scanned)
