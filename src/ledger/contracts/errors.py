"""The errors a plugin raises, one per kind of failure a user can act on.

::

    PluginError                  base; `kind` names it in the run history
    ├── BadConfiguration         the settings are wrong (names the field)
    ├── UpstreamError            the remote service failed
    │   ├── AuthFailed           401/403: the credential is wrong or revoked
    │   ├── RateLimited          429/409: too many requests; `retry_after` seconds
    │   ├── UpstreamUnavailable  5xx or a broken connection
    │   └── UpstreamTimeout      no answer in time
    └── BadUpstreamData          the service answered something we cannot read

Anything else a plugin raises is a bug in the plugin; the engine records it with
its traceback under the kind ``bug``.
"""

from __future__ import annotations


class PluginError(Exception):
    """Base of the errors a plugin may raise on purpose."""

    kind = "plugin"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class BadConfiguration(PluginError):
    """The plugin's settings cannot work; `field` names the one to fix."""

    kind = "configuration"

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


class UpstreamError(PluginError):
    """The remote service failed; `status` is its HTTP status where there was one."""

    kind = "upstream"

    def __init__(self, message: str, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class AuthFailed(UpstreamError):
    """The service refused the credential (401/403); retrying will not help."""

    kind = "auth"


class RateLimited(UpstreamError):
    """Too many requests; try again after `retry_after` seconds."""

    kind = "rate_limit"

    def __init__(self, message: str, retry_after: float | None = None, status: int | None = None):
        self.retry_after = retry_after
        super().__init__(message, status)


class UpstreamUnavailable(UpstreamError):
    """A server error (5xx) or a broken connection."""

    kind = "server"


class UpstreamTimeout(UpstreamError):
    """The service did not answer in time."""

    kind = "timeout"


class BadUpstreamData(PluginError):
    """The service answered data the plugin cannot read; `field` names what is wrong."""

    kind = "bad_data"

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


class PluginDefinitionError(Exception):
    """A plugin class breaks the contract; raised when it is registered.

    Args:
        problems: every problem found, each naming the class and the member.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))
