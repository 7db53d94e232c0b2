"""The shared contract suite's description of Example Tracker."""

from pathlib import Path

from example_tracker import ExampleTracker
from fake_tracker import FakeTracker

from ledger import Ledger
from ledger.testing import ContractSpec, PushSpec, Recording

HERE = Path(__file__).parent


def issue_invoices(lg: Ledger) -> None:
    """Bill both clients' imported work, so the next sync pushes two invoices."""
    for client in lg.clients.list():
        lg.clients.update(client, hourly_rate="1500")
        lg.invoices.issue(lg.invoices.draft(client), issue_date="2026-01-15")


SPEC = ContractSpec(
    plugin=ExampleTracker,
    recording=Recording.from_folder(HERE / "recordings" / "example_tracker" / "first_sync"),
    # The tracker's sync token is opaque; one from the far future names no change.
    future_cursor="t-29991231-9999",
    golden=HERE / "golden" / "example_tracker.json",
    opt_out={"overlap": "the tracker sends the changes since a token, never date windows"},
    push=PushSpec(upstream=FakeTracker().handle, prepare=issue_invoices),
)
