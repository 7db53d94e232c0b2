"""The layout keeps its promises: a contract that stands alone, plugins that reach the
ledger only through ``ctx.ledger``, write guards that stay inside ledger."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlmodel import Session, create_engine, select

from ledger.api import Ledger
from ledger.contracts import (
    NoSettings,
    Plugin,
    PluginDefinitionError,
    PluginLedger,
    SyncContext,
    SyncResult,
)
from ledger.platform.registry import Registry
from ledger.storage.database import Database
from plugin_helpers import make_plugin
from test_sync_engine import open_plugins  # noqa: F401  (fixture)

SRC = Path(__file__).parents[1] / "src" / "ledger"


def test_importing_the_contract_loads_nothing_else_of_ledger() -> None:
    code = (
        "import json, sys, ledger.contracts; "
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('ledger', 'sqlalchemy', 'sqlmodel'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    assert "ledger.contracts" in loaded
    assert [m for m in loaded if m != "ledger" and not m.startswith("ledger.contracts")] == []


def test_no_module_is_longer_than_500_lines() -> None:
    long = {
        str(path.relative_to(SRC)): n
        for path in SRC.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > 500
    }
    assert long == {}


def test_no_type_ignore_in_the_bundled_plugins() -> None:
    assert [
        p.name for p in (SRC / "plugins").glob("*.py") if "type: ignore" in p.read_text()
    ] == []


def test_settings_that_differ_from_the_declared_parameter_are_refused() -> None:
    class Declared(BaseModel):
        token: str = Field(default="", description="Token")

    class Mismatched(Plugin[Declared]):
        name = "mismatched"
        version = "1.0.0"
        Settings = NoSettings

        def sync(self, ctx: SyncContext[Declared]) -> SyncResult:
            return SyncResult()

    with pytest.raises(PluginDefinitionError) as caught:
        Registry([Mismatched])
    assert caught.value.problems == [
        "Mismatched.Settings is NoSettings but the class is declared Plugin[Declared]; "
        "make them the same model"
    ]


def _reachable(root: object) -> Iterator[object]:
    """Every object reachable from `root` through public or private attributes."""
    seen: set[int] = set()
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (str, int, float, bytes, type(None))):
            continue
        seen.add(id(obj))
        yield obj
        names = [n for n in dir(obj) if not (n.startswith("__") and n.endswith("__"))]
        for name in names:
            try:
                todo.append(getattr(obj, name))
            except AttributeError:
                continue


def test_ctx_ledger_leads_nowhere_but_its_declared_interface(open_plugins: Any) -> None:  # noqa: F811
    seen: list[object] = []

    def look(ctx: SyncContext[Any]) -> SyncResult:
        seen.append(ctx.ledger)
        seen.extend(_reachable(ctx.ledger))
        return SyncResult()

    lg = open_plugins(make_plugin(look, name="looker"))
    assert lg.sync("looker").status == "succeeded"

    assert isinstance(seen[0], PluginLedger)
    leaks = [type(o).__name__ for o in seen if isinstance(o, (Ledger, Database, Engine, Session))]
    assert leaks == []
    with pytest.raises(AttributeError, match=r"ctx\.ledger has no 'users': a plugin has no"):
        seen[0].users  # type: ignore[attr-defined]  # noqa: B018


class OtherBase(DeclarativeBase):
    """Another application's models, on their own metadata."""


class OtherClient(OtherBase):
    """Its table has a name ledger audits too."""

    __tablename__ = "clients"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


def test_another_sqlmodel_application_writes_freely(lg: Ledger, tmp_path: Path) -> None:
    lg.clients.add(name="Acme", currency="CZK")  # ledger's guards are installed and work
    engine = create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    OtherBase.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(OtherClient(name="written without any ledger source"))
        session.commit()
    with Session(engine) as session:
        names = [c.name for c in session.exec(select(OtherClient))]
    engine.dispose()
    assert names == ["written without any ledger source"]
