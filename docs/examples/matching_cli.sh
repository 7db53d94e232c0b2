ledger match                                 # match now; prints what matched and why
ledger review                                # the queue of suggestions, best first
ledger review accept 1                       # apply suggestion 1
ledger review reject 2                       # dismiss suggestion 2; it is not offered again
ledger match-manual 14 2026-0023 --amount 500  # part of transaction 14 pays 2026-0023
ledger unmatch 14                            # undo; automatic matching leaves it alone
ledger invoices --status issued              # totals, what is paid, and how
