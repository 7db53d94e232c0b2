"""The shared contract suite's description of Example Tracker."""

from pathlib import Path

from example_tracker import ExampleTracker

from ledger.testing import ContractSpec, Recording

HERE = Path(__file__).parent

SPEC = ContractSpec(
    plugin=ExampleTracker,
    recording=Recording.from_folder(HERE / "recordings" / "example_tracker" / "first_sync"),
    # The tracker's sync token is opaque; one from the far future names no change.
    future_cursor="t-29991231-9999",
    golden=HERE / "golden" / "example_tracker.json",
    opt_out={"overlap": "the tracker sends the changes since a token, never date windows"},
)
