"""Data for the matching benchmark, shaped like a Czech bank's export.

Issued invoices to Czech clients (some invoiced in EUR), then incoming
transactions as a bank reports them: payer names in the bank's spelling (upper
case, without diacritics, surname first), a details record on every row, about a
fifth without a variable symbol. About one transaction in five pays an invoice:
most by variable symbol (exactly, in part, too much, a rounding cent short), some
without a symbol or with a mistyped one (suggestions); the rest is unrelated
income (wages, refunds, rent, interest) whose symbols name no invoice, so the
number of decisions grows with the data, not with its square. Everything goes
in through the bulk audited write path (`UnitOfWork.insert_many`), untimed.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from typing import Any

import ledger
from ledger.contracts import TransactionInput
from ledger.core.transactions import transaction_row
from ledger.storage import tables

START = dt.date(2025, 1, 1)
CLIENTS = 300
FIRST_NAMES = ["Jan", "Petr", "Jiří", "Tomáš", "Lucie", "Jana", "Kateřina", "Martin", "Eva"]
SURNAMES = [
    "Novák", "Svoboda", "Novotný", "Dvořák", "Černý", "Procházka", "Kučera", "Veselý",
    "Horák", "Němec", "Pokorný", "Marek", "Pospíšil", "Hájek", "Král", "Jelínek", "Růžička",
]  # fmt: skip
TRADES = ["Stavby", "Software", "Tiskárna", "Truhlářství", "Reklama", "Účetnictví", "Kavárna"]
FORMS = ["s.r.o.", "a.s.", "spol. s r.o.", "v.o.s."]
BANKS = [
    ("0800", "Česká spořitelna, a.s."),
    ("0100", "Komerční banka, a.s."),
    ("0300", "ČSOB, a.s."),
    ("2010", "Fio banka, a.s."),
    ("0600", "MONETA Money Bank, a.s."),
    ("3030", "Air Bank a.s."),
]
# Unrelated income: (message, amount range in minor units, whether it has a symbol).
# Below the smallest invoice (6,050 CZK; 605 EUR), as a payment of another kind
# rarely equals an open invoice to the haléř: the number of suggestions then grows
# with the data, not with its square.
NOISE = [
    ("Úroky {month}", (100, 5_000), False),
    ("Kapesné {month}", (50_000, 300_000), False),
    ("Vratka přeplatku {n}", (10_000, 500_000), True),
    ("Refund order {n}", (5_000, 300_000), True),
    ("Dobropis č. {n}", (20_000, 580_000), True),
    ("Platba kartou - vrácení", (3_000, 150_000), True),
    ("Nájem garáž {month}", (150_000, 250_000), True),
    ("Příspěvek na stravování", (100_000, 300_000), True),
    ("Převod z vlastního účtu", (100_000, 590_000), True),
    ("", (1_000, 100_000), True),
]


def fill(lg: ledger.Ledger, transactions: int, invoices: int, seed: int) -> None:
    """Clients, issued invoices and incoming transactions, through the bulk audited path."""
    rnd = random.Random(seed)
    clients = [_client(n, rnd) for n in range(min(CLIENTS, invoices))]
    with lg.atomic() as uow:
        client_ids = uow.insert_many(tables.Client, clients)
        issued = _invoices(client_ids, clients, invoices, rnd)
        uow.insert_many(tables.Invoice, issued)
    names = dict(zip(client_ids, (c["name"] for c in clients), strict=True))
    items = _payments(issued, names, transactions, rnd)
    items += [_noise(rnd) for _ in range(transactions - len(items))]
    rnd.shuffle(items)
    rows = [
        transaction_row("bench_bank", TransactionInput(external_id=f"tx-{n:07d}", **item))
        for n, item in enumerate(items)
    ]
    for start in range(0, len(rows), 50_000):  # one statement's worth at a time
        with lg.atomic() as uow:
            uow.insert_many(tables.MoneyTransaction, rows[start : start + 50_000])


def _client(n: int, rnd: random.Random) -> dict[str, Any]:
    if n % 3 == 0:  # a sole trader: a person's name
        name = f"{rnd.choice(FIRST_NAMES)} {rnd.choice(SURNAMES)}"
    else:
        name = f"{rnd.choice(TRADES)} {rnd.choice(SURNAMES)} {n} {rnd.choice(FORMS)}"
    return {"name": name, "currency": "EUR" if n % 6 == 0 else "CZK"}


def _invoices(
    client_ids: list[int], clients: list[dict[str, Any]], count: int, rnd: random.Random
) -> list[dict[str, Any]]:
    rows = []
    for seq in range(1, count + 1):
        position = rnd.randrange(len(client_ids))
        currency = clients[position]["currency"]
        issued = START + dt.timedelta(days=rnd.randrange(330))
        # Even half of the smallest invoice is more than most unrelated income. The
        # range widens with the number of invoices, so that a payment comes as near
        # to some other open invoice's amount as often at every size: suggestions
        # per transaction stay the same, as they would for one business over time.
        subtotal = (
            rnd.randrange(5_000, 5_000 + 15 * count) * 100
            if currency == "CZK"
            else rnd.randrange(50_000, 50_000 + 85 * count)
        )
        vat = subtotal * 21 // 100
        number = f"{issued.year}-{seq:05d}"
        rows.append(
            {
                "client_id": client_ids[position],
                "status": "issued",
                "series": f"{issued.year}-#",
                "sequence": seq,
                "number": number,
                "variable_symbol": number.replace("-", ""),
                "currency": currency,
                "language": "cs" if currency == "CZK" else "en",
                "issue_date": issued,
                "due_date": issued + dt.timedelta(days=14),
                "taxable_supply_date": issued,
                "vat_rate_bp": 2100,
                "subtotal_minor": subtotal,
                "vat_minor": vat,
                "total_minor": subtotal + vat,
            }
        )
    return rows


def _payments(
    invoices: list[dict[str, Any]], names: dict[int, str], limit: int, rnd: random.Random
) -> list[dict[str, Any]]:
    """One payment per invoice, in the styles clients pay in."""
    items = []
    for invoice in invoices[:limit]:
        total, number = invoice["total_minor"], invoice["number"]
        amount, symbol = total, invoice["variable_symbol"]
        message = rnd.choice(["", f"Faktura {number}", "Platba faktury", f"FA {symbol}"])
        roll = rnd.random()
        if roll < 0.06:
            symbol, message = "", f"Payment for invoice {number}"
        elif roll < 0.09:
            symbol = "9" + symbol[1:]  # mistyped first digit
            message = f"Faktura {number}"
        elif roll < 0.16:
            amount = total // 2  # the first instalment
        elif roll < 0.19:
            amount = total + 50_000  # too much
        elif roll < 0.21:
            amount = total - 1  # a rounding cent short
        booked = invoice["issue_date"] + dt.timedelta(days=rnd.randrange(1, 30))
        payer = _bank_spelling(names[invoice["client_id"]], rnd)
        items.append(_item(booked, amount, invoice["currency"], symbol, message, payer, rnd))
    return items


def _noise(rnd: random.Random) -> dict[str, Any]:
    template, (low, high), has_symbol = rnd.choice(NOISE)
    month = rnd.randrange(1, 13)
    message = template.format(n=rnd.randrange(10_000, 999_999), month=f"{month:02d}/2025")
    # A fifth of all rows carry no symbol: the invoice payments above without one,
    # the income kinds that never have one, and some of the rest.
    with_symbol = has_symbol and rnd.random() > 0.05
    symbol = str(rnd.randrange(10**6, 10**10)) if with_symbol else ""
    payer = f"{rnd.choice(SURNAMES)} {rnd.choice(FIRST_NAMES)}"
    booked = START + dt.timedelta(days=rnd.randrange(365))
    currency = "EUR" if rnd.random() < 0.08 else "CZK"
    amount = rnd.randrange(low, high) // (25 if currency == "EUR" else 1) or 100
    return _item(booked, amount, currency, symbol, message, _bank_spelling(payer, rnd), rnd)


def _bank_spelling(name: str, rnd: random.Random) -> str:
    """A name as banks print it: often upper case without diacritics."""
    if rnd.random() < 0.5:
        return name
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return plain.upper()


def _item(
    booked: dt.date,
    amount_minor: int,
    currency: str,
    symbol: str,
    message: str,
    payer: str,
    rnd: random.Random,
) -> dict[str, Any]:
    bank_code, bank_name = rnd.choice(BANKS)
    account = f"{rnd.randrange(10**8, 10**10)}/{bank_code}"
    return {
        "booked_on": booked,
        "amount": f"{amount_minor // 100}.{amount_minor % 100:02d}",
        "currency": currency,
        "account": "2001234567/2010",
        "counterparty_name": payer,
        "counterparty_account": account,
        "variable_symbol": symbol,
        "constant_symbol": rnd.choice(["", "0308", "0558"]),
        "message": message,
        "details": {
            "type": "Bezhotovostní příjem",
            "bank_name": bank_name,
            "reference": f"{rnd.randrange(10**11, 10**12)}",
            "user_identification": payer,
            "comment": message,
        },
    }
