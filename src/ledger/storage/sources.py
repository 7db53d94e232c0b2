"""Who made a change: every write names its source.

A source is one of ``user:<id>``, ``cli``, ``notebook``, ``plugin:<name>`` or
``system:<component>``. `Source` is the only way to build one, so a malformed or
empty source cannot reach the audit trail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.errors import InvalidInput

_PATTERN = re.compile(
    r"^(?:user:\d+|cli|notebook|plugin:[a-z][a-z0-9_]{1,39}|system:[a-z][a-z0-9_]{1,39})$"
)


@dataclass(frozen=True, slots=True)
class Source:
    """A validated change source, e.g. ``Source("plugin:fio")``."""

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not _PATTERN.match(self.value):
            raise InvalidInput(
                "source",
                f"{self.value!r} is not a source; use user:<id>, cli, notebook, "
                "plugin:<name> or system:<component>",
            )

    def __str__(self) -> str:
        return self.value


def as_source(value: Source | str) -> Source:
    """Accept a `Source` or its text form."""
    return value if isinstance(value, Source) else Source(value)
