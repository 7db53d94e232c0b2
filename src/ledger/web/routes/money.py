"""Money: transactions from banks and other sources, matching them to invoices by
hand or by the matcher, and the review queue of the matcher's suggestions."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ledger.api import Ledger
from ledger.core.matching.service import MatchReport, Suggestion
from ledger.core.models import Invoice, MoneyTransaction
from ledger.core.transactions import Kind
from ledger.errors import Conflict, InvalidInput
from ledger.web.evidence import labels
from ledger.web.fields import Fields, page_number
from ledger.web.forms import N_, posted, reads_form
from ledger.web.rendering import is_htmx, render
from ledger.web.responses import done, partial, refused
from ledger.web.state import ledger_of

PAGE_SIZE = 50
QUEUE_SHOWN = 100
REPORT_SHOWN = 100
MATCHED = {"yes": True, "no": False}
KINDS: dict[str, Kind] = {"income": "income", "expense": "expense"}
MATCH_ERRORS = {
    "transaction": N_("Only incoming payments can pay an invoice."),
    "invoice": N_("The invoice is in another currency than the payment."),
    "amount": N_(
        "Enter an amount greater than zero and at most the part of the payment not yet applied."
    ),
}


def _transaction_url(request: Request) -> str:
    return f"/money/transactions/{request.path_params['transaction_id']}"


stale = refused(
    N_("That is not possible any more; the page was out of date. Here is how things are now."),
    _transaction_url,
)
stale_queue = refused(
    N_("That suggestion was already decided. Here is the queue as it is now."),
    lambda request: "/money/review",
)


# --- the transactions ---------------------------------------------------------------


def index(request: Request) -> Response:
    return _money_page(
        request, request.query_params, block="workspace" if partial(request) else None
    )


def _money_page(
    request: Request,
    query: Mapping[str, str],
    *,
    report: dict[str, Any] | None = None,
    block: str | None = None,
) -> Response:
    lg = ledger_of(request)
    sources = lg.transactions.sources()
    source = query.get("source") if query.get("source") in sources else None
    kind = KINDS.get(query.get("kind") or "")
    matched = MATCHED.get(query.get("matched") or "")
    filters = {
        "source": source,
        "kind": kind,
        "matched": query.get("matched") if matched is not None else None,
    }
    filters = {k: v for k, v in filters.items() if v is not None}
    count = lg.transactions.count(source=source, kind=kind, matched=matched)
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(page_number(query.get("page")), pages)
    transactions = lg.transactions.list(
        source=source, kind=kind, matched=matched,
        limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
    )  # fmt: skip
    return render(request, "money.html", {
        "transactions": transactions,
        "matches": lg.transactions.matches(transactions),
        "sources": sources, "filters": filters, "count": count, "page": page, "pages": pages,
        "page_url": lambda n: "/money?" + urlencode({**filters, "page": n}),
        "queue_count": lg.matching.waiting(), "report": report,
        "section": "money", **labels(request.state.translator),
    }, block=block)  # fmt: skip


@reads_form
def run_matching(request: Request) -> Response:
    lg = ledger_of(request)
    t = request.state.translator
    report = lg.match()
    summary = t.gettext(
        "Matching applied %(matched)s payments and made %(suggested)s new suggestions.",
        matched=report.matched,
        suggested=report.suggested,
    )
    if not is_htmx(request):
        return done(request, "/money", summary)
    filters = posted(request)
    values = {"summary": summary, "decisions": _decisions(lg, report)}
    return _money_page(request, filters, report=values, block="workspace")


def _decisions(lg: Ledger, report: MatchReport) -> list[dict[str, Any]]:
    """The matches a run applied, with their transactions and invoices, for the page."""
    invoices: dict[int, Invoice] = {}
    described = []
    for decision in report.decisions[:REPORT_SHOWN]:
        for invoice_id in decision["invoices"]:
            if invoice_id not in invoices:
                invoices[invoice_id] = lg.invoices.get(invoice_id)
        described.append({
            "transaction": lg.transactions.get(decision["transaction_id"]),
            "invoices": [invoices[i] for i in decision["invoices"]],
            "evidence": decision["evidence"],
        })  # fmt: skip
    return described


# --- one transaction ----------------------------------------------------------------


def transaction_page(request: Request) -> Response:
    return _transaction_page(request)


def _open_invoices(lg: Ledger, transaction: MoneyTransaction) -> list[Invoice]:
    """The invoices a transaction can pay: issued, same currency, money still owed."""
    return [
        invoice
        for invoice in lg.invoices.list(status="issued")
        if invoice.currency == transaction.currency and invoice.balance > 0
    ]


def _unapplied(lg: Ledger, transaction: MoneyTransaction) -> Decimal:
    if transaction.kind != "income":
        return Decimal(0)
    matches = lg.transactions.matches([transaction.id]).get(transaction.id, [])
    return transaction.amount - sum((m.amount for m in matches), Decimal(0))


def _transaction_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    lg = ledger_of(request)
    transaction = lg.transactions.get(request.path_params["transaction_id"])
    unapplied = _unapplied(lg, transaction)
    suggestions = [s for s in lg.matching.queue() if s.transaction_id == transaction.id]
    return render(request, "money_transaction.html", {
        "tx": transaction,
        "matches": lg.transactions.matches([transaction.id]).get(transaction.id, []),
        "unapplied": unapplied,
        "invoices": _open_invoices(lg, transaction) if unapplied > 0 else [],
        "groups": [suggestions] if suggestions else [], "back": "transaction",
        "suggested_invoices": _invoices_of(lg, suggestions),
        "errors": errors or {}, "form": form or {}, "section": "money",
        **labels(request.state.translator),
    }, status=status)  # fmt: skip


@stale
def match(request: Request) -> Response:
    lg = ledger_of(request)
    t = request.state.translator
    values = posted(request)
    fields = Fields(values, t)
    transaction = lg.transactions.get(request.path_params["transaction_id"])
    unapplied = _unapplied(lg, transaction)
    if unapplied <= 0:  # outgoing, or applied in full already: the form is not offered
        fields.fail(
            "form", MATCH_ERRORS["transaction" if transaction.kind != "income" else "amount"]
        )
    invoices = {i.id: i for i in _open_invoices(lg, transaction)}
    invoice = fields.ref("invoice", invoices, required=True)
    amount = fields.amount("amount", required=False, positive=True, currency=transaction.currency)
    if amount is not None and amount > unapplied:
        fields.fail(
            "amount",
            N_("Enter at most %(amount)s, the part of the payment not yet applied."),
            amount=t.money(unapplied, transaction.currency),
        )
    if not fields.errors and invoice is not None:
        try:
            lg.matching.match(transaction.id, invoice, amount)
        except InvalidInput as exc:
            fields.api_error(exc, MATCH_ERRORS)
        else:
            number = invoices[invoice].number
            message = t.gettext("The payment is matched to invoice %(number)s.", number=number)
            return done(request, _transaction_url(request), message)
    return _transaction_page(request, errors=fields.errors, form=values, status=400)


@stale
def unmatch(request: Request) -> Response:
    lg = ledger_of(request)
    lg.matching.unmatch(request.path_params["transaction_id"])
    message = request.state.translator.gettext(
        "The match is undone. Automatic matching leaves this payment alone from now on; "
        "match it by hand when you know where it belongs."
    )
    return done(request, _transaction_url(request), message)


# --- the review queue ---------------------------------------------------------------


def review(request: Request) -> Response:
    return _review_page(request, block="queue" if partial(request) else None)


def _review_page(request: Request, *, notice: str = "", block: str | None = None) -> Response:
    lg = ledger_of(request)
    queue = lg.matching.queue()
    shown = queue[:QUEUE_SHOWN]
    groups: dict[int, list[Suggestion]] = {}
    for suggestion in shown:
        groups.setdefault(suggestion.transaction_id, []).append(suggestion)
    return render(request, "money_review.html", {
        "groups": list(groups.values()), "total": len(queue), "shown": len(shown),
        "suggested_invoices": _invoices_of(lg, shown), "notice": notice, "back": "",
        "section": "money", **labels(request.state.translator),
    }, block=block)  # fmt: skip


def _invoices_of(lg: Ledger, suggestions: list[Suggestion]) -> dict[int, Invoice]:
    ids = sorted({a.invoice_id for s in suggestions for a in s.allocations})
    return {i: lg.invoices.get(i) for i in ids}


@stale_queue
def accept(request: Request) -> Response:
    lg = ledger_of(request)
    suggestion = _suggestion(lg, request.path_params["suggestion_id"])
    lg.matching.accept(suggestion.id)
    numbers = ", ".join(a.invoice_number for a in suggestion.allocations)
    notice = request.state.translator.gettext(
        "Accepted: the payment is matched to %(numbers)s.", numbers=numbers
    )
    return _decided(request, suggestion, notice)


@stale_queue
def reject(request: Request) -> Response:
    lg = ledger_of(request)
    suggestion = _suggestion(lg, request.path_params["suggestion_id"])
    lg.matching.reject(suggestion.id)
    notice = request.state.translator.gettext("Rejected: the suggestion is not offered again.")
    return _decided(request, suggestion, notice)


def _suggestion(lg: Ledger, suggestion_id: int) -> Suggestion:
    """An open suggestion of the queue."""
    found = next((s for s in lg.matching.queue() if s.id == suggestion_id), None)
    if found is None:
        raise Conflict(f"suggestion {suggestion_id} is not waiting for review")
    return found


def _decided(request: Request, suggestion: Suggestion, notice: str) -> Response:
    back = posted(request).get("back")
    if back == "transaction":
        return done(request, f"/money/transactions/{suggestion.transaction_id}", notice)
    if is_htmx(request):
        return _review_page(request, notice=notice, block="queue")
    return done(request, "/money/review", notice)


routes = [
    Route("/money", index, methods=["GET"]),
    Route("/money/match", run_matching, methods=["POST"]),
    Route("/money/transactions/{transaction_id:id}", transaction_page, methods=["GET"]),
    Route("/money/transactions/{transaction_id:id}/match", match, methods=["POST"]),
    Route("/money/transactions/{transaction_id:id}/unmatch", unmatch, methods=["POST"]),
    Route("/money/review", review, methods=["GET"]),
    Route("/money/review/{suggestion_id:id}/accept", accept, methods=["POST"]),
    Route("/money/review/{suggestion_id:id}/reject", reject, methods=["POST"]),
]
