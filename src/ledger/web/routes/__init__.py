"""Route modules; each exposes ``routes``, collected in `ledger.web.app`."""
