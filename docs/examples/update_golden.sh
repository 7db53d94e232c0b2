LEDGER_UPDATE_GOLDEN=1 pytest test_example_bank.py -k golden
git diff golden/
