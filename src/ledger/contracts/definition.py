"""Static checks of a plugin class, run when it is registered."""

from __future__ import annotations

import inspect
import json
import re
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, SecretBytes, SecretStr

from ledger.contracts.errors import PluginDefinitionError
from ledger.contracts.plugin import Plugin

SLUG = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
SECRET_WORDS = re.compile(
    r"token|key|secret|passw|passphrase|bearer|credential|auth(?!or)|cookie",
    re.IGNORECASE,
)
"""A setting whose name matches looks like a credential and must be `SecretStr`."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: the contract check it belongs to and what to fix."""

    check: str  # "shape" or "settings"
    message: str


def find_problems(cls: Any) -> list[Problem]:
    """Every way `cls` breaks the static contract (empty when it is fine)."""
    label = getattr(cls, "__name__", repr(cls))
    if not (inspect.isclass(cls) and issubclass(cls, Plugin)):
        return [Problem("shape", f"{label} must subclass ledger.contracts.Plugin")]
    return _shape_problems(cls, label) + _settings_problems(cls, label)


def validate_plugin_class(cls: Any) -> None:
    """Raise `PluginDefinitionError` listing every problem of `cls`."""
    problems = find_problems(cls)
    if problems:
        raise PluginDefinitionError([p.message for p in problems])


def _shape_problems(cls: type[Plugin[Any]], label: str) -> list[Problem]:
    problems = []
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not SLUG.match(name):
        problems.append(
            Problem(
                "shape",
                f"{label}.name: {name!r} is not a slug; use 2-40 "
                "lower-case letters, digits or underscores, e.g. 'my_bank'",
            )
        )
    version = getattr(cls, "version", None)
    if not isinstance(version, str) or not SEMVER.match(version):
        problems.append(
            Problem(
                "shape",
                f"{label}.version: {version!r} is not a semantic "
                "version; use MAJOR.MINOR.PATCH, e.g. '1.0.0'",
            )
        )
    if inspect.isabstract(cls) or "sync" in getattr(cls, "__abstractmethods__", ()):
        problems.append(Problem("shape", f"{label}.sync: define `def sync(self, ctx)`"))
    else:
        parameters = list(inspect.signature(cls.sync).parameters.values())
        if len(parameters) != 2 or any(p.kind not in _POSITIONAL for p in parameters):
            problems.append(
                Problem(
                    "shape",
                    f"{label}.sync: the signature must be "
                    "`def sync(self, ctx)` with no other parameters",
                )
            )
        if inspect.iscoroutinefunction(cls.sync) or inspect.isgeneratorfunction(cls.sync):
            problems.append(
                Problem(
                    "shape",
                    f"{label}.sync: must be a plain `def` returning SyncResult, "
                    "not `async def` or a generator",
                )
            )
    return problems


def _declared_settings_problems(
    cls: type[Plugin[Any]], settings: type[BaseModel], label: str
) -> list[Problem]:
    """`Settings` must be the model named in ``Plugin[...]``, or ctx.settings lies to mypy."""
    for base in vars(cls).get("__orig_bases__", ()):
        origin = typing.get_origin(base)
        if not (inspect.isclass(origin) and issubclass(origin, Plugin)):
            continue
        declared = next(iter(typing.get_args(base)), None)
        if inspect.isclass(declared) and declared is not settings:
            return [
                Problem(
                    "settings",
                    f"{label}.Settings is {settings.__name__} but the class is declared "
                    f"Plugin[{declared.__name__}]; make them the same model",
                )
            ]
    return []


_SECRET_TYPES = (SecretStr, SecretBytes, SecretStr | None, SecretBytes | None)


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _settings_problems(cls: type[Plugin[Any]], label: str) -> list[Problem]:
    settings = cls.Settings
    if not (inspect.isclass(settings) and issubclass(settings, BaseModel)):
        return [Problem("settings", f"{label}.Settings must be a pydantic BaseModel subclass")]
    problems = _declared_settings_problems(cls, settings, label)
    try:
        json.dumps(settings.model_json_schema())
    except Exception as exc:
        problems.append(
            Problem(
                "settings",
                f"{label}.Settings: its JSON schema does not "
                f"render ({exc}); use plain field types",
            )
        )
    for field_name, info in settings.model_fields.items():
        where = f"{label}.Settings.{field_name}"
        if not info.description:
            problems.append(
                Problem(
                    "settings",
                    f"{where}: add Field(description=...); "
                    "it is the help text of the settings form",
                )
            )
        looks_secret = SECRET_WORDS.search(field_name) is not None
        if looks_secret and info.annotation not in _SECRET_TYPES:
            problems.append(
                Problem(
                    "settings",
                    f"{where}: looks like a secret; declare it as SecretStr, not "
                    f"{_type_name(info.annotation)}, so it is encrypted, masked in forms "
                    "and logs, and never shown",
                )
            )
    return problems
