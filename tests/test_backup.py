"""`ledger backup`: a consistent copy on both databases; secrets stay out of the
process list; a path that cannot be written is one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

import ledger
from ledger.api import Ledger
from ledger.errors import InvalidInput
from ledger.storage.backup import backup, pg_dump_call


def test_a_backup_holds_the_data(lg: Ledger, tmp_path: Path) -> None:
    lg.clients.add(name="Žluťoučký kůň s.r.o.", currency="CZK")
    copy = backup(lg.database, tmp_path / "copies" / "ledger.backup")
    if lg.database.is_sqlite:
        key = lg.database.audit_key.key_file  # restored beside the copy, as the guide says
        (copy.parent / key.name).write_bytes(key.read_bytes())
        opened = ledger.open(copy)
        try:
            assert [c.name for c in opened.clients.list()] == ["Žluťoučký kůň s.r.o."]
            assert opened.audit.verify() == 1
        finally:
            opened.close()
    else:
        dump = copy.read_text()
        assert "CREATE TABLE public.clients" in dump
        assert "Žluťoučký kůň s.r.o." in dump


def test_pg_dump_gets_the_password_in_its_environment_not_its_arguments(
    tmp_path: Path,
) -> None:
    url = make_url("postgresql+psycopg://ledger:s3cret-pw@db.internal:5433/books")
    arguments, environment = pg_dump_call(url, tmp_path / "out.sql")
    assert not any("s3cret-pw" in argument for argument in arguments)
    assert arguments[-1] == "postgresql://ledger@db.internal:5433/books"
    assert environment["PGPASSWORD"] == "s3cret-pw"


def test_a_path_that_cannot_be_written_is_one_clear_error(lg: Ledger, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(InvalidInput, match=r"cannot write .*a-file/copy\.db: "):
        backup(lg.database, blocker / "copy.db")
    assert blocker.read_text() == "not a folder"
