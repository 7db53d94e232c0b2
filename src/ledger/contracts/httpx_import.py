"""httpx, imported without its command-line client.

``import httpx`` also runs ``httpx._main``, the module of the ``httpx`` command,
which imports click, rich and pygments whenever they are installed (typer brings
them): about 60 ms and several MiB on every sync, for a command ledger never runs
(a third of an unchanged re-sync of 50,000 rows). The platform imports httpx from
here, so the first import on a sync's path skips that module; httpx then keeps
its own stand-in ``httpx.main``, which says the command line is not available in
this process. The ``httpx`` command, a process of its own, is unaffected, and a
process that imported httpx earlier keeps it as it is.
"""

from __future__ import annotations

import sys

if "httpx" not in sys.modules:
    # A None entry makes the import of the command's module fail, which httpx
    # catches; removing it afterwards leaves the module importable on request.
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx
    finally:
        del sys.modules["httpx._main"]

import httpx

__all__ = ["httpx"]
