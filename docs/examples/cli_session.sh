# A scratch data directory: the database and its secret key go here.
export LEDGER_DATA_DIR=./tutorial-data

python my_ledger.py init
python my_ledger.py plugins
python my_ledger.py plugins configure example_bank \
    --set account_id=2001234567 --set token="$EXAMPLE_BANK_TOKEN"
python my_ledger.py plugins enable example_bank
python my_ledger.py sync example_bank
python my_ledger.py sync-history
python my_ledger.py sync-show 1
