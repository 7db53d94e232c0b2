"""The reference covers everything public: every CLI command (generated, never stale),
every name `ledger` exports and every collection of a `Ledger`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ledger
from ledger.api import SERVICES, Ledger
from ledger.cli.reference import MARKER, commands, rewrite

REFERENCE = Path(__file__).parents[1] / "docs" / "reference"
CLI_PAGE = REFERENCE / "cli.md"


def documented_objects() -> set[str]:
    """Dotted paths of every ``::: object`` entry in docs/reference."""
    text = "\n".join(page.read_text(encoding="utf-8") for page in REFERENCE.glob("*.md"))
    return set(re.findall(r"^::: ([\w.]+)", text, re.M))


def has_entry(target: object, entries: set[str]) -> bool:
    """Whether `target` (a class or function) has an entry: under its own module or a
    package that re-exports it (``ledger.Ledger`` for ``ledger.api.Ledger``)."""
    module, name = getattr(target, "__module__", ""), getattr(target, "__qualname__", "")
    return any(
        entry.endswith(f".{name}") and f"{module}.".startswith(entry.removesuffix(name))
        for entry in entries
    )


def test_the_cli_page_is_what_the_typer_app_generates() -> None:
    page = CLI_PAGE.read_text(encoding="utf-8")
    assert MARKER in page
    assert rewrite(page) == page, "docs/reference/cli.md is stale: run `make docs-cli`"


def test_every_command_has_an_entry() -> None:
    generated = CLI_PAGE.read_text(encoding="utf-8").split(MARKER)[1]
    headings = set(re.findall(r"^#+ `(ledger[^`]*)`$", generated, re.M))
    paths = [path for path, _ in commands()]
    assert len(paths) > 40
    assert not [path for path in paths if path not in headings]


def test_a_command_section_carries_usage_and_every_option() -> None:
    generated = CLI_PAGE.read_text(encoding="utf-8").split(MARKER)[1]
    section = generated.split("#### `ledger log`")[1].split("\n#")[0]
    assert "ledger log [OPTIONS] DURATION PROJECT [DESCRIPTION]" in section
    for option in ("`--date`", "`--client`", "`--json`", "`--database`, `-d`"):
        assert option in section


@pytest.mark.parametrize("name", sorted(ledger.__all__))
def test_every_public_name_has_a_reference_entry(name: str) -> None:
    target = getattr(ledger, name)
    entries = documented_objects()
    assert has_entry(target, entries), f"ledger.{name} has no `::: ...` entry in docs/reference"


@pytest.mark.parametrize("service", SERVICES)
def test_every_collection_has_a_reference_entry(service: str, lg: Ledger) -> None:
    kind = type(getattr(lg, service))
    assert has_entry(kind, documented_objects()), f"lg.{service} ({kind.__qualname__})"


@pytest.mark.parametrize("builder", ["spayd", "epc", "PaymentCode"])
def test_the_payment_qr_builders_have_entries(builder: str) -> None:
    assert f"ledger.documents.payment_qr.{builder}" in documented_objects()
