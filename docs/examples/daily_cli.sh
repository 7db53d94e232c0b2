# A month's work from the command line; `tests/test_cli_daily.py` runs every line.
# --8<-- [start:track]
ledger clients add "Acme s.r.o." --currency CZK --rate 1500 --terms 14
ledger projects add "Acme s.r.o." Web --rounding up --rounding-minutes 15
ledger log 1:30 Web "Code review" --date 2026-11-02
ledger log 40m Web "Release notes" --date 2026-11-03
ledger timer start Web "Deployment"
ledger timer status
ledger timer stop
ledger projects list --json
# --8<-- [end:track]
# --8<-- [start:invoice]
ledger invoice draft "Acme s.r.o." --since 2026-11-01 --until 2026-11-30
ledger invoice show 1
ledger invoice issue 1 --date 2026-11-30
ledger invoice pdf 2026-0001
# --8<-- [end:invoice]
# --8<-- [start:paid]
ledger invoice pay 2026-0001 --amount 1500 --date 2026-12-05
ledger invoices --status issued
ledger invoice pay 2026-0001 --date 2026-12-12
ledger invoice show 2026-0001 --json
# --8<-- [end:paid]
