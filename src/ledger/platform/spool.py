"""`RowSpool`: a run's staged rows, a batch at a time in memory, the rest on disk.

A bank sync may stage hundreds of thousands of rows. Holding each as Python
objects until the run ends costs kilobytes per row; the spool keeps one batch in
memory and pickles every full batch to an anonymous temporary file (created in
the system's temporary directory with mode 0600 and already unlinked, so it
vanishes when closed or when the process dies). The engine reads the batches back,
in order, when it applies the run.

The file holds only what the platform itself wrote during this run, so reading
it back with `pickle` trusts nothing from outside.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from typing import IO, Any

BATCH_ROWS = 2000
"""Rows per batch: large enough that each costs one executemany, small enough to be
a few hundred kilobytes."""


class RowSpool:
    """Rows appended one by one and read back in batches of `batch_rows`, in order."""

    def __init__(self, batch_rows: int = BATCH_ROWS) -> None:
        self.batch_rows = batch_rows
        self.count = 0
        self._rows: list[Any] = []
        self._file: IO[bytes] | None = None
        self._spilled = 0  # batches written to the file

    def add(self, row: Any) -> None:
        """Keep `row`; a full batch goes to the file."""
        self._rows.append(row)
        self.count += 1
        if len(self._rows) >= self.batch_rows:
            self._spill()

    def batches(self) -> Iterator[list[Any]]:
        """Every row added so far, in order, one batch at a time."""
        if self._file is not None:
            self._file.seek(0)
            for _ in range(self._spilled):
                yield pickle.load(self._file)  # noqa: S301 (this run's own file)
        if self._rows:
            yield self._rows

    def close(self) -> None:
        """Drop the rows and delete the file; the spool is empty afterwards."""
        self._rows = []
        if self._file is not None:
            self._file.close()
        self._file, self._spilled = None, 0

    def _spill(self) -> None:
        if self._file is None:
            # Open as long as the spool is: `close` closes it.
            self._file = tempfile.TemporaryFile(prefix="ledger-sync-")  # noqa: SIM115
        pickle.dump(self._rows, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._spilled += 1
        self._rows = []
