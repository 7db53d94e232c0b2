"""Every UI string has a Czech translation: the catalogs are complete."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from ledger.web.i18n import catalog

WEB = Path(__file__).parents[2] / "src" / "ledger" / "web"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]


def ui_messages() -> set[str]:
    """Every msgid in the web package: ``_()``/``gettext()`` in templates and code."""
    found = extract_from_dir(str(WEB), METHODS, keywords={"_": None, "gettext": None, "N_": None})
    return {str(message) for _, _, message, _, _ in found if isinstance(message, str) and message}


def test_the_extraction_finds_the_ui() -> None:
    messages = ui_messages()
    assert "Dashboard" in messages
    assert "Log in" in messages


def test_every_ui_string_is_translated_to_czech() -> None:
    missing = sorted(ui_messages() - set(catalog("cs")))
    assert not missing, f"{len(missing)} strings lack a Czech translation, e.g. {missing[:10]}"
