"""The demo dataset: realistic, in CZK and EUR, with every payment state."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from ledger.api import Ledger
from ledger.demo import load_demo
from ledger.errors import Conflict


def test_demo_data(lg: Ledger) -> None:
    summary = load_demo(lg)
    counts = re.fullmatch(r"(\d+) clients, (\d+) projects, (\d+) entries, (\d+) invoices", summary)
    assert counts, summary
    clients, projects, entries, invoices = map(int, counts.groups())

    assert len(lg.clients.list()) == clients == 4
    assert {c.currency for c in lg.clients.list()} == {"CZK", "EUR"}
    assert len(lg.projects.list()) == projects
    assert len(lg.entries.list()) == entries
    issued = lg.invoices.list(status="issued")
    assert len(issued) == invoices
    assert len(lg.invoices.list()) == invoices
    assert {i.currency for i in issued} == {"CZK", "EUR"}

    states = Counter(i.payment_state for i in issued)
    assert {"paid", "partially_paid", "overdue"} <= set(states), states
    assert states["paid"] > invoices // 2
    partly = [i for i in issued if 0 < i.paid < i.total]
    assert partly
    assert all(i.balance == i.total - i.paid for i in issued)

    numbers = sorted(i.number or "" for i in issued)
    assert numbers == [f"2026-{n:04d}" for n in range(1, invoices + 1)]  # gapless
    assert lg.entries.list(unbilled=True), "some work is left to invoice"
    assert [a.currency for a in lg.bank_accounts.list()] == ["CZK", "EUR"]
    assert lg.audit.verify() == len(lg.audit.list())
    assert {e.source for e in lg.audit.list()} == {"notebook"}


def test_demo_data_goes_into_an_empty_database_only(lg: Ledger) -> None:
    load_demo(lg)
    events = len(lg.audit.list())
    with pytest.raises(Conflict, match="already has clients"):
        load_demo(lg)
    assert len(lg.audit.list()) == events


def test_demo_refuses_a_database_with_only_archived_clients(lg: Ledger) -> None:
    lg.clients.archive(lg.clients.add(name="Old", currency="CZK"))
    with pytest.raises(Conflict, match="already has clients"):
        load_demo(lg)
