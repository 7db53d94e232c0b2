"""The plugin contract: one class with `name`, `version` and `sync(ctx)`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from ledger.contracts.context import SyncContext


class NoSettings(BaseModel):
    """The settings of a plugin that needs none."""

    model_config = ConfigDict(extra="forbid")


SettingsT = TypeVar("SettingsT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a sync changed. Add the results of upserts together with ``+``.

    Attributes:
        created: rows the sync inserted.
        updated: rows it changed.
        unchanged: rows upstream sent that were already stored as they are.
        warnings: things the user should know that did not stop the sync.
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: tuple[str, ...] = field(default=())

    def __add__(self, other: SyncResult) -> SyncResult:
        return SyncResult(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.warnings + other.warnings,
        )

    @property
    def changed(self) -> int:
        """Rows created or updated."""
        return self.created + self.updated


class Plugin(ABC, Generic[SettingsT]):
    """Base class of every integration.

    A plugin declares three members and, optionally, a settings model::

        class FioSettings(BaseModel):
            token: SecretStr = Field(description="Read-only API token")

        class Fio(Plugin[FioSettings]):
            name = "fio"
            version = "1.0.0"
            Settings = FioSettings

            def sync(self, ctx: SyncContext[FioSettings]) -> SyncResult: ...

    Attributes:
        name: unique slug (lower case, digits, underscores), e.g. ``"fio"``.
        version: semantic version of the plugin, e.g. ``"1.2.0"``.
        Settings: pydantic model of the settings; secrets are ``SecretStr``.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    Settings: ClassVar[type[BaseModel]] = NoSettings

    @abstractmethod
    def sync(self, ctx: SyncContext[SettingsT]) -> SyncResult:
        """Fetch upstream data and write it through ``ctx.ledger``.

        Args:
            ctx: settings, HTTP client, ledger, cursor, log, progress and clock.

        Returns:
            The counts of what changed, usually the sum of the upsert results.

        Raises:
            BadConfiguration: the settings cannot work.
            UpstreamError: the service failed (or one of its subclasses).
            BadUpstreamData: the service sent data the plugin cannot read.
        """
