"""Whether a bank's payer name and a client's name plausibly name the same party."""

from __future__ import annotations

import functools
import unicodedata

# A name's ASCII bytes as compared: letters in lower case, whitespace (as `str.split`
# reads it) and commas break words, anything else but letters and digits goes.
_WORD_BREAKS = b" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f,"
_NAME_BYTES = bytes.maketrans(
    bytes(range(ord("A"), ord("Z") + 1)) + _WORD_BREAKS,
    bytes(range(ord("a"), ord("z") + 1)) + b" " * len(_WORD_BREAKS),
)
_NOT_IN_NAMES = bytes(
    byte
    for byte in range(256)
    if not (chr(byte).isalnum() and byte < 128) and byte not in _WORD_BREAKS
)
_LEGAL_SUFFIXES = {"sro", "as", "vos", "ks", "gmbh", "ag", "ltd", "inc", "llc", "sa", "bv", "spol"}


@functools.lru_cache(maxsize=8192)
def same_party(counterparty: str, client: str) -> bool:
    """Whether a bank's payer name and a client name plausibly name the same party."""
    left, right = _name_words(counterparty), _name_words(client)
    return bool(left) and bool(right) and (left <= right or right <= left)


@functools.lru_cache(maxsize=4096)
def _name_words(name: str) -> frozenset[str]:
    # Cached: a run compares the same few client names again and again.
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore")
    words = plain.translate(_NAME_BYTES, _NOT_IN_NAMES).decode().split()
    return frozenset(w for w in words if w not in _LEGAL_SUFFIXES)
