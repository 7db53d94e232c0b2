"""Run the contract suite without pytest and print its report."""

from test_example_bank import SPEC

from ledger.testing import run_contract

report = run_contract(SPEC)
print(report.render())
