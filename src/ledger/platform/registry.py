"""The registry of plugin classes: validated on entry, looked up by name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from ledger.contracts.definition import validate_plugin_class
from ledger.contracts.errors import PluginDefinitionError
from ledger.contracts.plugin import Plugin
from ledger.errors import NotFound

PluginClass = type[Plugin[Any]]


class Registry:
    """Plugin classes by name. Adding one validates it; a mistake names the fix.

    With `bundled`, the plugins shipped with ledger are added on first use, so a
    command that syncs nothing does not import them (nor httpx).
    """

    def __init__(self, plugins: Iterable[PluginClass] = (), *, bundled: bool = False) -> None:
        self._plugins: dict[str, PluginClass] = {}
        self._bundled_pending = bundled
        for plugin in plugins:
            self.add(plugin)

    def _loaded(self) -> dict[str, PluginClass]:
        """The plugins by name, after adding the bundled ones if still pending."""
        if self._bundled_pending:
            self._bundled_pending = False
            from ledger.plugins import BUNDLED

            for plugin in BUNDLED:
                self.add(plugin)
        return self._plugins

    def add(self, plugin: PluginClass) -> PluginClass:
        """Validate and add `plugin`; return it.

        Adding a class again, or a new definition of the same class (a notebook
        cell run twice), replaces it; another class with a taken name is refused.

        Raises:
            PluginDefinitionError: the class breaks the contract or its name is taken.
        """
        validate_plugin_class(plugin)
        existing = self._loaded().get(plugin.name)
        if existing is not None and not _same_definition(existing, plugin):
            raise PluginDefinitionError(
                [
                    f"{plugin.__name__}.name: {plugin.name!r} is already registered by "
                    f"{existing.__module__}.{existing.__name__}; choose another name"
                ]
            )
        self._plugins[plugin.name] = plugin
        return plugin

    def remove(self, name: str) -> None:
        """Forget a plugin (tests and notebooks)."""
        self._loaded().pop(name, None)

    def get(self, name: str) -> PluginClass:
        """The plugin called `name`; `NotFound` lists the available ones."""
        try:
            return self._loaded()[name]
        except KeyError:
            available = ", ".join(sorted(self._plugins)) or "none"
            raise NotFound(f"no plugin is called {name!r}; available: {available}") from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._loaded())

    def __iter__(self) -> Iterator[PluginClass]:
        plugins = self._loaded()
        return iter(plugins[name] for name in self.names())

    def __contains__(self, name: object) -> bool:
        return name in self._loaded()


def _same_definition(existing: PluginClass, plugin: PluginClass) -> bool:
    """The same class, or a re-run of its definition (a notebook cell run twice)."""
    return existing is plugin or (
        existing.__module__ == plugin.__module__ and existing.__qualname__ == plugin.__qualname__
    )


default_registry = Registry(bundled=True)
"""The registry `ledger.open()` uses unless given another: the bundled plugins."""

P = TypeVar("P", bound=type[Plugin[Any]])


def register(plugin: P) -> P:
    """Add `plugin` to the default registry (validated; errors name the fix)."""
    default_registry.add(plugin)
    return plugin
