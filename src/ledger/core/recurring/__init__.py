"""Recurring invoices: a template per client makes one invoice per period
(``lg.recurring``)."""

from ledger.core.recurring.service import Recurring
from ledger.core.recurring.templates import RecurringTemplate, TemplateLine

__all__ = ["Recurring", "RecurringTemplate", "TemplateLine"]
