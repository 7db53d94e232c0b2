pytest test_example_bank.py
