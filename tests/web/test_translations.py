"""Every UI string has a Czech translation: the catalogs are complete."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from ledger.plugins import BUNDLED
from ledger.web.i18n import Translator, catalog, catalogs
from ledger.web.plugin_settings_form import settings_fields

WEB = Path(__file__).parents[2] / "src" / "ledger" / "web"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}


def extracted() -> list[str | tuple[str, ...]]:
    """Every message in the web package, plural ones as (singular, plural)."""
    found = extract_from_dir(str(WEB), METHODS, keywords=KEYWORDS)
    return [message for _, _, message, _, _ in found if message]


def ui_messages() -> set[str]:
    """Every msgid in the web package: ``_()``/``gettext()`` in templates and code."""
    return {message for message in extracted() if isinstance(message, str)}


def plural_messages() -> set[str]:
    """The singular msgid of every ``ngettext()`` in templates and code."""
    return {str(message[0]) for message in extracted() if isinstance(message, tuple)}


def test_the_extraction_finds_the_ui() -> None:
    messages = ui_messages()
    assert "Dashboard" in messages
    assert "Log in" in messages


def test_every_ui_string_is_translated_to_czech() -> None:
    missing = sorted(ui_messages() - set(catalog("cs")))
    assert not missing, f"{len(missing)} strings lack a Czech translation, e.g. {missing[:10]}"


def test_every_plural_message_has_all_czech_forms() -> None:
    plurals = plural_messages()
    assert "%(num)s invoice" in plurals
    missing = sorted(plurals - set(catalogs("cs").plurals))
    assert not missing, f"plural messages without Czech forms: {missing}"
    assert all(len(forms) == 3 for forms in catalogs("cs").plurals.values())


@pytest.mark.parametrize(
    ("count", "czech", "english"),
    [
        (1, "1 faktura", "1 invoice"),
        (2, "2 faktury", "2 invoices"),
        (4, "4 faktury", "4 invoices"),
        (5, "5 faktur", "5 invoices"),
        (0, "0 faktur", "0 invoices"),
        (1500, "1\u00a0500 faktur", "1,500 invoices"),
    ],
)
def test_counted_messages_take_the_form_of_the_count(count: int, czech: str, english: str) -> None:
    singular, plural = "%(num)s invoice", "%(num)s invoices"
    assert Translator("cs").ngettext(singular, plural, count) == czech
    assert Translator("en").ngettext(singular, plural, count) == english


@pytest.mark.parametrize(
    ("language", "expected"),
    [("cs", "1\u00a0500,00\u00a0Kč"), ("en", "CZK\u00a01,500.00")],
)
def test_money_is_spaced_per_locale(language: str, expected: str) -> None:
    assert Translator(language).money(Decimal("1500"), "CZK") == expected


def plugin_setting_texts() -> set[str]:
    """The label and help of every bundled plugin's settings (the generated forms)."""
    texts = set()
    for plugin in BUNDLED:
        if plugin.Settings is not None:
            for field in settings_fields(plugin.Settings, {}):
                texts |= {field.label, field.help} - {""}
    return texts


def test_every_bundled_plugin_setting_is_translated_to_czech() -> None:
    texts = plugin_setting_texts()
    assert "Overlap Days" in texts
    assert not sorted(texts - set(catalog("cs")))
