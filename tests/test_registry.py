"""Registering plugins: a class that breaks the contract is refused with the fix."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, Field, SecretStr

from ledger.contracts import NoSettings, Plugin, PluginDefinitionError, SyncContext, SyncResult
from ledger.errors import NotFound
from ledger.platform.registry import Registry, default_registry, register
from ledger.plugins import BUNDLED, Cnb, DemoBank, Fio, Toggl


class Described(BaseModel):
    token: SecretStr = Field(description="API token")
    days: int = Field(default=7, description="Days to fetch")


class Good(Plugin[Described]):
    """A plugin that keeps the contract."""

    name = "good_bank"
    version = "1.2.3-beta.1+build.5"
    Settings = Described

    def sync(self, ctx: SyncContext[Described]) -> SyncResult:
        return SyncResult()


def broken(**members: Any) -> type[Plugin[Any]]:
    """A subclass of `Good` called `Broken` with `members` overridden."""
    return type("Broken", (Good,), members)


def problems_of(cls: Any) -> str:
    with pytest.raises(PluginDefinitionError) as caught:
        Registry([cls])
    return str(caught.value)


def test_a_good_plugin_registers_and_is_found_by_name() -> None:
    registry = Registry([Good])

    assert registry.get("good_bank") is Good
    assert "good_bank" in registry
    assert registry.names() == ["good_bank"]
    assert registry.add(Good) is Good  # the same class again is harmless


def test_the_bundled_plugins_are_listed_explicitly() -> None:
    assert [Cnb, DemoBank, Fio, Toggl] == BUNDLED
    assert default_registry.names() == ["cnb", "demo_bank", "fio", "toggl"]


@pytest.mark.parametrize("name", ["Fio", "my-bank", "1bank", "x", "", "a" * 41, None, 7])
def test_a_name_that_is_not_a_slug_is_refused(name: Any) -> None:
    message = problems_of(broken(name=name))

    assert f"Broken.name: {name!r} is not a slug" in message
    assert "e.g. 'my_bank'" in message


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "1.0.0.0", "01.0.0", "latest", "", 1])
def test_a_version_that_is_not_semver_is_refused(version: Any) -> None:
    message = problems_of(broken(version=version))

    assert f"Broken.version: {version!r} is not a semantic version" in message
    assert "MAJOR.MINOR.PATCH" in message


def test_a_class_without_sync_is_refused() -> None:
    class NoSync(Plugin[NoSettings]):
        name = "no_sync"
        version = "1.0.0"

    assert "NoSync.sync: define `def sync(self, ctx)`" in problems_of(NoSync)


@pytest.mark.parametrize(
    "signature",
    [
        lambda self: SyncResult(),
        lambda self, ctx, extra: SyncResult(),
        lambda self, *, ctx: SyncResult(),
        lambda self, *args: SyncResult(),
        lambda self, ctx, **kwargs: SyncResult(),
    ],
    ids=["no-ctx", "extra", "keyword-only", "varargs", "kwargs"],
)
def test_a_sync_with_another_signature_is_refused(signature: Any) -> None:
    message = problems_of(broken(sync=signature))

    assert "Broken.sync: the signature must be `def sync(self, ctx)`" in message


def test_settings_that_are_not_a_pydantic_model_are_refused() -> None:
    class Plain:
        token: str = ""

    assert "Broken.Settings must be a pydantic BaseModel subclass" in problems_of(
        broken(Settings=Plain)
    )
    assert "Broken.Settings must be a pydantic BaseModel" in problems_of(broken(Settings={}))


def test_a_settings_field_without_a_description_is_refused() -> None:
    class Undescribed(BaseModel):
        account: str = Field(description="Account number")
        days: int = 7

    message = problems_of(broken(Settings=Undescribed))

    assert "Broken.Settings.days: add Field(description=...)" in message
    assert "account" not in message


@pytest.mark.parametrize("field_name", ["token", "api_key", "password", "client_secret"])
def test_a_secret_looking_field_must_be_secret_str(field_name: str) -> None:
    model: type[BaseModel] = type(
        "Leaky",
        (BaseModel,),
        {
            "__annotations__": {field_name: str},
            field_name: Field(description="credential"),
        },
    )

    message = problems_of(broken(Settings=model))

    assert f"Broken.Settings.{field_name}: looks like a secret; declare it as SecretStr" in message


def test_an_optional_secret_str_is_accepted() -> None:
    class Optional(BaseModel):
        token: SecretStr | None = Field(default=None, description="Optional token")

    Registry([broken(name="optional_secret", Settings=Optional)])


def test_every_problem_is_reported_at_once() -> None:
    class Undescribed(BaseModel):
        password: str

    with pytest.raises(PluginDefinitionError) as caught:
        Registry([broken(name="Bad Name", version="one", Settings=Undescribed)])

    problems = caught.value.problems
    assert len(problems) == 4
    assert all(problem.startswith("Broken.") for problem in problems)


def test_something_that_is_not_a_plugin_class_is_refused() -> None:
    class Lookalike:
        name = "lookalike"
        version = "1.0.0"

        def sync(self, ctx: Any) -> SyncResult:
            return SyncResult()

    assert "Lookalike must subclass ledger.contracts.Plugin" in problems_of(Lookalike)


def test_a_duplicate_name_is_refused_naming_both_classes() -> None:
    class Impostor(Plugin[NoSettings]):
        name = "fio"
        version = "9.9.9"

        def sync(self, ctx: SyncContext[NoSettings]) -> SyncResult:
            return SyncResult()

    registry = Registry([Fio])
    with pytest.raises(PluginDefinitionError) as caught:
        registry.add(Impostor)

    message = str(caught.value)
    assert "Impostor.name: 'fio' is already registered by ledger.plugins.fio.Fio" in message
    assert "choose another name" in message
    assert registry.get("fio") is Fio


def test_an_unknown_name_lists_the_available_plugins() -> None:
    with pytest.raises(NotFound, match=r"no plugin is called 'nope'; available: demo_bank, fio"):
        Registry([Fio, DemoBank]).get("nope")
    with pytest.raises(NotFound, match="available: none"):
        Registry().get("nope")


def test_register_adds_to_the_default_registry_and_validates() -> None:
    try:
        assert register(Good) is Good
        assert default_registry.get("good_bank") is Good
        with pytest.raises(PluginDefinitionError, match=r"Broken\.version"):
            register(broken(name="other_bank", version="x"))
        assert "other_bank" not in default_registry
    finally:
        default_registry.remove("good_bank")
    assert default_registry.names() == ["cnb", "demo_bank", "fio", "toggl"]


def test_an_async_or_generator_sync_is_refused_at_registration() -> None:
    async def coroutine(self: Any, ctx: Any) -> SyncResult:
        return SyncResult()

    def generator(self: Any, ctx: Any) -> Any:
        yield SyncResult()

    for method in (coroutine, generator):
        message = problems_of(broken(sync=method))
        assert "Broken.sync: must be a plain `def` returning SyncResult" in message
