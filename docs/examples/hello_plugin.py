"""Step 1 of the tutorial: the smallest plugin that runs."""

from ledger.contracts import NoSettings, Plugin, SyncContext, SyncResult


class ExampleBank(Plugin[NoSettings]):
    """Example Bank account transactions."""

    name = "example_bank"
    version = "0.1.0"

    def sync(self, ctx: SyncContext[NoSettings]) -> SyncResult:
        ctx.log.info("hello from example_bank")
        return SyncResult()
