"""The shared contract suite on Example Bank: ``pytest test_example_bank.py``."""

from pathlib import Path

from example_bank import ExampleBank

from ledger.testing import ContractSpec, PluginContract, Recording

HERE = Path(__file__).parent
RECORDINGS = HERE / "recordings" / "example_bank"

SPEC = ContractSpec(
    plugin=ExampleBank,
    # Secret fields get a canary value the suite then hunts for everywhere.
    settings={"account_id": "2001234567"},
    recording=Recording.from_folder(RECORDINGS / "first_sync"),
    overlap=(
        Recording.from_folder(RECORDINGS / "window_a"),
        Recording.from_folder(RECORDINGS / "window_b"),
    ),
    future_cursor="st-29991231-9999",
    golden=HERE / "golden" / "example_bank.json",
)


class TestExampleBank(PluginContract):
    spec = SPEC
