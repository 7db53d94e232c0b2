"""The pages behind the navigation, one module each."""

from __future__ import annotations

from starlette.routing import BaseRoute

from ledger.web.routes import (
    audit_log,
    bank_accounts,
    clients,
    corrections,
    documents,
    integrations,
    invoices,
    mail,
    money,
    portal,
    recurring,
    settings,
    time_entries,
)

routes: list[BaseRoute] = [
    *clients.routes,
    *time_entries.routes,
    *invoices.routes,
    *recurring.routes,
    *corrections.routes,
    *money.routes,
    *integrations.routes,
    *documents.routes,
    *portal.routes,
    *audit_log.routes,
    *settings.routes,
    *bank_accounts.routes,
    *mail.routes,
]
