"""Words for the invoice and money pages: states, payment methods, and the evidence
behind a match ("variable symbol agrees; amount exact; ...") in the user's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledger.web.forms import N_
from ledger.web.i18n import Translator

LINK_STATES = {"active": N_("active"), "expired": N_("expired"), "revoked": N_("revoked")}
"""A share link's state, as its list on the invoice page names it."""
STATUSES = {"draft": N_("Draft"), "issued": N_("Issued"), "cancelled": N_("Cancelled")}
PAYMENT_STATES = {
    "unpaid": N_("Unpaid"),
    "partially_paid": N_("Partially paid"),
    "paid": N_("Paid"),
    "overpaid": N_("Overpaid"),
    "overdue": N_("Overdue"),
    "credited": N_("Credited"),
}
METHODS = {
    "manual": N_("Recorded by hand"),
    "match": N_("Matched automatically"),
    "accepted": N_("Accepted suggestion"),
    "credit": N_("Settled by a credit note"),
}
GROUPINGS = {"project": N_("One line per project"), "entry": N_("One line per entry"),
             "day": N_("One line per project and day")}  # fmt: skip
ROUNDINGS = {"none": N_("No rounding"), "up": N_("Round up"), "nearest": N_("Round to nearest")}
KINDS = {"income": N_("Income"), "expense": N_("Expenses")}
UNITS = {"h": N_("h"), "pcs": N_("pcs")}

# evidence key → value → (message, agrees?); `None` agrees-flag: neutral information.
_EVIDENCE: dict[str, dict[Any, tuple[str, bool | None]]] = {
    "variable_symbol": {
        True: (N_("variable symbol agrees"), True),
        "missing": (N_("variable symbol missing"), False),
        "wrong": (N_("variable symbol wrong"), False),
        False: (N_("variable symbol wrong"), False),
    },
    "amount": {
        "exact": (N_("amount exact"), True),
        "within tolerance": (N_("amount within the rounding tolerance"), True),
        "partial": (N_("amount partial (pays part of the invoice)"), None),
        "over": (N_("amount over (more than the invoice asks)"), False),
        "equals the sum of the named invoices": (
            N_("amount equals the sum of the named invoices"),
            True,
        ),
    },
    "currency": {
        True: (N_("currency agrees"), True),
        False: (N_("currency differs"), False),
    },
    "message": {
        True: (N_("message names the invoice"), True),
        False: (N_("message does not name the invoice"), None),
    },
    "counterparty": {
        True: (N_("payer is the client"), True),
        False: (N_("payer differs from the client"), None),
    },
    "manual": {True: (N_("matched by hand"), None)},
}
_ORDER = ["manual", "accepted_suggestion", "variable_symbol", "amount", "currency", "message",
          "counterparty", "invoices"]  # fmt: skip


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One reason for (or against) a match, in words."""

    text: str
    agrees: bool | None

    @property
    def css(self) -> str:
        return {True: "agrees", False: "disagrees", None: "neutral"}[self.agrees]


def describe(evidence: Mapping[str, Any], t: Translator) -> list[EvidenceItem]:
    """The evidence of a match or suggestion, one item per fact, in a stable order."""
    keys = sorted(evidence, key=lambda k: (_ORDER.index(k) if k in _ORDER else len(_ORDER), k))
    items = []
    for key in keys:
        value = evidence[key]
        known = _EVIDENCE.get(key, {}).get(value) if _hashable(value) else None
        if known is not None:
            items.append(EvidenceItem(t.gettext(known[0]), known[1]))
        elif key == "invoices" and isinstance(value, int):
            text = t.ngettext("settles %(num)s invoice", "settles %(num)s invoices", value)
            items.append(EvidenceItem(text, None))
        elif key == "accepted_suggestion":
            items.append(EvidenceItem(t.gettext("accepted from the review queue"), None))
        else:  # a fact a newer matcher records: shown as it is (and escaped by the template)
            items.append(EvidenceItem(f"{key}: {value}", None))
    return items


def sentence(evidence: Mapping[str, Any], t: Translator) -> str:
    """``variable symbol agrees; amount exact; …``"""
    return "; ".join(item.text for item in describe(evidence, t))


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def labels(t: Translator) -> dict[str, Any]:
    """What the invoice and money templates use to put states and evidence in words."""

    def word(table: Mapping[str, str], key: str | None) -> str:
        return t.gettext(table[key]) if key is not None and key in table else (key or "")

    return {
        "status_label": lambda status: word(STATUSES, status),
        "state_label": lambda state: word(PAYMENT_STATES, state),
        "method_label": lambda method: word(METHODS, method),
        "unit_label": lambda unit: word(UNITS, unit),
        "evidence_of": lambda evidence: describe(evidence or {}, t),
        "GROUPINGS": {key: t.gettext(label) for key, label in GROUPINGS.items()},
        "KINDS": {key: t.gettext(label) for key, label in KINDS.items()},
        "LINK_STATES": LINK_STATES,
    }
