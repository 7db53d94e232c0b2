"""`SyncContext`: everything a plugin gets, and nothing it must not touch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic

from ledger.contracts.ledger import PluginLedger
from ledger.contracts.plugin import SettingsT
from ledger.contracts.push import BuildRequest, Pusher, PushResult, ReadAccepted
from ledger.contracts.redaction import Redactor

if TYPE_CHECKING:
    import httpx

MAX_CURSOR_LENGTH = 10_000
DRY_RUN_HEADER = "X-Ledger-Dry-Run"
"""Set on the answer a dry run gives in place of a changing request it did not send."""


@dataclass
class RunLog:
    """Log lines kept with the run's history; secrets are masked on the way in."""

    redact: Redactor
    clock: Callable[[], dt.datetime]
    lines: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def _add(self, level: str, message: str) -> None:
        text = self.redact(str(message))
        self.lines.append({"at": self.clock().isoformat(), "level": level, "message": text})

    def debug(self, message: str) -> None:
        """A detail for debugging a run."""
        self._add("debug", message)

    def info(self, message: str) -> None:
        """What the plugin is doing."""
        self._add("info", message)

    def warning(self, message: str) -> None:
        """Something the user should know; also listed in the run's warnings."""
        self._add("warning", message)
        self.warnings.append(self.redact(str(message)))

    def error(self, message: str) -> None:
        """Something went wrong but the plugin carries on."""
        self._add("error", message)


class SyncContext(Generic[SettingsT]):
    """What `Plugin.sync` receives.

    Attributes:
        settings: the plugin's validated settings (secrets as `SecretStr`).
        http: an `httpx.Client` with timeouts, retries, typed errors and redaction;
            the only way a plugin reaches the network.
        ledger: the reads and writes a plugin may make (`PluginLedger`); writes
            are audited as ``plugin:<name>`` and this run.
        dry_run: True when this run writes nothing and sends no changing
            request (they are listed on the run as "would send").
        log: lines kept with the run (``info``, ``warning``, ...).
        plugin: the plugin's name.
    """

    def __init__(
        self,
        *,
        plugin: str,
        settings: SettingsT,
        http: httpx.Client | Callable[[], httpx.Client],
        ledger: PluginLedger,
        cursor: str | None,
        log: RunLog,
        clock: Callable[[], dt.datetime],
        on_progress: Callable[[int, int | None, str], None] = lambda done, total, message: None,
        pusher: Pusher | None = None,
        dry_run: bool = False,
    ) -> None:
        self.plugin = plugin
        self.settings = settings
        self._http = http
        self.ledger = ledger
        self.log = log
        self._cursor = cursor
        self._clock = clock
        self._on_progress = on_progress
        self._pusher = pusher
        self.dry_run = dry_run

    @property
    def http(self) -> httpx.Client:
        """The run's HTTP client; given as a function, made on first use (a plugin
        that never reaches the network does not import httpx)."""
        return self._http() if callable(self._http) else self._http

    @property
    def cursor(self) -> str | None:
        """Where the last successful run stopped (None on the first run).

        Set it to where this run stops; it is stored with the run's writes, so a
        failed run leaves the old cursor in place.
        """
        return self._cursor

    @cursor.setter
    def cursor(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"ctx.cursor takes a str or None, not {type(value).__name__}")
        if value is not None and len(value) > MAX_CURSOR_LENGTH:
            raise ValueError(f"ctx.cursor is limited to {MAX_CURSOR_LENGTH} characters")
        self._cursor = value

    def now(self) -> dt.datetime:
        """The current time (aware UTC); tests fix it."""
        return self._clock()

    def today(self) -> dt.date:
        """Today's date by `now`."""
        return self._clock().date()

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Report progress; the web UI shows it while the run goes on."""
        self._on_progress(done, total, self.log.redact(message))

    def push(
        self,
        entity: str,
        states: Mapping[int, Mapping[str, Any]],
        *,
        request: BuildRequest,
        accepted: ReadAccepted | None = None,
        batch_size: int = 1,
        only_linked: bool = False,
    ) -> PushResult:
        """Send ledger objects upstream, each at most once per change.

        Args:
            entity: what the objects are (``time_entries``, ``clients``, ``invoices``...).
            states: ledger object id → the JSON-able state to send. Objects whose
                state equals what was last accepted are not sent again.
            request: builds the request for a batch of `Outgoing` objects, e.g.
                ``lambda batch: ctx.http.build_request("PUT", url, json=...)``.
                An object with an ``external_id`` is linked already: update it.
            accepted: reads the response: object id → upstream id of each object
                upstream accepted. Without it, a 2xx accepts the whole batch
                under the objects' known upstream ids.
            batch_size: objects per request (for APIs with bulk endpoints).
            only_linked: send only objects upstream already has (a link of this
                plugin): updates, never creates.

        Each accepted object's link is stored at once, in its own audited
        transaction, so a later failure in the run never causes a resend. In a
        dry run nothing is sent or stored: the requests are listed on the run.

        Raises:
            UpstreamError: upstream refused a request (the objects stay unsent).
            BadUpstreamData: `accepted` is needed to learn new objects' upstream ids.
        """
        if self._pusher is None:
            raise RuntimeError("this context cannot push (it was built without a pusher)")
        if batch_size < 1:
            raise ValueError("batch_size must be 1 or more")
        return self._pusher(
            entity,
            states,
            request=request,
            accepted=accepted,
            batch_size=batch_size,
            only_linked=only_linked,
        )
