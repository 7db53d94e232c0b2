"""Version 2.0.0 of Example Bank renames a setting and still reads the stored one."""

import os
import tempfile
from pathlib import Path

from example_bank import ExampleBank
from pydantic import AliasChoices, BaseModel, Field, SecretStr

import ledger
from ledger import Registry
from ledger.contracts import Plugin, SyncContext, SyncResult


class ExampleBankSettingsV2(BaseModel):
    """How to reach one Example Bank account."""

    token: SecretStr = Field(description="API token from the bank's developer settings.")
    account_number: str = Field(
        description="Account number without the bank code, e.g. 2001234567.",
        pattern=r"^\d{6,10}$",
        # Version 1 stored this setting as account_id: accept the old name too.
        validation_alias=AliasChoices("account_number", "account_id"),
    )


class ExampleBankV2(Plugin[ExampleBankSettingsV2]):
    """Example Bank account transactions (API token)."""

    name = "example_bank"
    version = "2.0.0"
    Settings = ExampleBankSettingsV2

    def sync(self, ctx: SyncContext[ExampleBankSettingsV2]) -> SyncResult:
        raise NotImplementedError("as in version 1, reading ctx.settings.account_number")


# Settings stored by version 1.0.0 ...
path = Path(tempfile.mkdtemp()) / "ledger.db"
v1 = ledger.open(path, registry=Registry([ExampleBank]))
v1.plugins.configure(
    "example_bank", account_id="2001234567", token=os.environ["EXAMPLE_BANK_TOKEN"]
)
print(v1.plugins.settings("example_bank"))
v1.close()

# ... are valid for version 2.0.0, and saved under the new name the next time.
v2 = ledger.open(path, registry=Registry([ExampleBankV2]))
print(v2.plugins.configure("example_bank"))
