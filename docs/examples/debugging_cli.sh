ledger sync-history                   # recent runs of every plugin, newest first
ledger sync-history fio --limit 5     # one plugin's last five runs
ledger sync-show 12                   # one run in full
ledger sync fio --dry-run             # run again, show what would change, write nothing
