ledger plugin check example_bank.py \
    --recording recordings/example_bank/first_sync \
    --set account_id=2001234567 \
    --future-cursor st-29991231-9999 \
    --golden golden/example_bank.json \
    --opt-out "overlap=two overlapping recordings need a ContractSpec in Python"
