"""``ledger invoice pdf`` before the full command line loads.

WeasyPrint takes about a second to import and typeset an invoice; SQLAlchemy, SQLModel,
pydantic and Typer would nearly double that. So on a SQLite file at the newest schema
the command reads the invoice's sheet in plain SQL (`ledger.core.invoice_sheet`, as
`lg.documents` does) and renders it with `ledger.documents.pdf`, the same template
and fonts as every other PDF. It takes the number and ``--output``/``-o`` and
``--database``/``-d`` in any order; anything else (``--facturx``, help, an unknown
number, PostgreSQL, a database to migrate, any error, even one writing the file) goes
to the full command line, which does or reports it as always.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ledger.locations import existing_sqlite_file
from ledger.storage.sqlite_snapshot import sqlite_snapshot

OPTIONS = {"--output": "output", "-o": "output", "--database": "database", "-d": "database"}


def quick_invoice_pdf(args: list[str]) -> bool:
    """Write the PDF that ``ledger invoice pdf`` `args` asks for, if it can be done
    without the ORM; False otherwise, having written and printed nothing."""
    parsed = _parse(args)
    path = None if parsed is None else existing_sqlite_file(parsed[1].get("database"))
    if parsed is None or path is None:
        return False
    number, given = parsed
    try:
        rendered = _render(path, number)
    except Exception:  # whatever it is, the full command line reports it properly
        return False
    return rendered is not None and _write(*rendered, given.get("output"))


def _parse(args: list[str]) -> tuple[str, dict[str, str]] | None:
    """The number and options of an ``invoice pdf`` command line this module answers."""
    if args[:2] != ["invoice", "pdf"]:
        return None
    number: str | None = None
    given: dict[str, str] = {}
    rest = iter(args[2:])
    for token in rest:
        name, equals, value = token.partition("=")
        if token.startswith("--") and equals and name in OPTIONS:
            key = OPTIONS[name]
        elif token in OPTIONS:
            key, value = OPTIONS[token], next(rest, "")
        elif not token.startswith("-") and number is None:
            number = token
            continue
        else:
            return None
        if not value or key in given:
            return None
        given[key] = value
    return None if number is None else (number, given)


def _render(path: Path, number: str) -> tuple[bytes, str] | None:
    """The PDF of invoice `number` in the ledger at `path` and its default file name;
    None when the full command line must answer."""
    from ledger.core.invoice_sheet import invoice_id, read_sheet
    from ledger.documents import pdf

    with sqlite_snapshot(path) as execute:
        found = None if execute is None else invoice_id(execute, number)
        if execute is None or found is None:
            return None
        sheet = read_sheet(execute, found)
    document = pdf.invoice_document(sheet)
    return pdf.render_pdf(document), pdf.invoice_file_name(sheet.invoice)


def _write(pdf: bytes, name: str, output: str | None) -> bool:
    """Write `pdf` as the full command does: to `output`, ``-`` (standard output) or the
    file `name` here; False, leaving it to the full command, when that fails."""
    try:
        if output == "-":
            sys.stdout.buffer.write(pdf)
            sys.stdout.buffer.flush()
            return True
        target = Path(output if output is not None else name)
        target.write_bytes(pdf)
    except OSError:
        return False
    print(f"{target} written ({len(pdf):,} bytes)")
    return True
