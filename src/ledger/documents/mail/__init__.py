"""Sending invoices, credit notes and reminders by e-mail (``lg.mail``)."""
