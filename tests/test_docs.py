"""The documentation tells the truth: its examples run, and nothing goes undocumented.

- Every file in ``docs/examples/`` is imported or run, and what a page shows as its
  output is what it prints; the tutorial's plugin passes the whole contract suite.
- Every code block of the tutorial is one of those files, included with ``--8<--``.
- Every contract check has its page, with the failure messages the suite really prints.
- Every CLI command and every ``LEDGER_*`` setting is mentioned; every documented
  command line parses; code quoted from the repository is quoted verbatim.
- ``mkdocs build --strict`` succeeds and the site works under any sub-path.
"""

from __future__ import annotations

import ast
import json
import os
import re
import runpy
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer.main
import yaml
from starlette.testclient import TestClient
from typer.testing import CliRunner

import ledger
from ledger.cli.app import app
from ledger.config import Config
from ledger.platform.registry import default_registry
from ledger.testing import CHECK_NAMES
from ledger.testing.harness import guard_sockets
from ledger.testing.spec import DOCS_PAGE
from ledger.web.app import create_app
from ledger.web.config import WebConfig

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
PAGES = sorted(DOCS.rglob("*.md"))
EXAMPLE_MODULES = sorted(path.stem for path in EXAMPLES.glob("*.py"))

# Scripts run top to bottom as a reader would; the others are modules they import, or
# pytest files run by pytest.
SCRIPTS = [
    "two_way_in_python",
    "example_documents",
    "check_example_bank",
    "debugging_a_run",
    "matching_payments",
    "secrets_in_python",
    "sync_in_notebook",
    "try_hello",
    "upgrading_settings",
]
MODULES = [
    "example_bank",
    "example_tracker",
    "example_tracker_spec",
    "fake_tracker",
    "hello_plugin",
    "my_ledger",
]
PYTEST_FILES = ["test_example_bank", "test_example_bank_errors"]

CHECK_PAGE_SECTIONS = [
    "## Why",
    "## What it proves",
    "## The failure message",
    "## How to fix it",
    "## Example",
    "## When opting out is acceptable",
]
MESSAGE_SOURCES = [
    ROOT / "src/ledger/testing/checks.py",
    ROOT / "src/ledger/testing/push_check.py",
    ROOT / "src/ledger/testing/hygiene.py",
    ROOT / "src/ledger/testing/leaks.py",
    ROOT / "src/ledger/testing/session.py",
    ROOT / "src/ledger/testing/plugin_file.py",
    ROOT / "src/ledger/testing/runner.py",
    ROOT / "src/ledger/testing/recording.py",
    ROOT / "src/ledger/contracts/definition.py",
    ROOT / "src/ledger/platform/engine.py",
]
INCLUDE = re.compile(r'^-{2}8<-{2} "([^"]+)"$')


# --- reading the pages ----------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: Path
    language: str
    title: str
    body: str

    @property
    def includes(self) -> list[str]:
        """The ``--8<--`` includes, when the block is nothing but includes."""
        lines = [line.strip() for line in self.body.splitlines() if line.strip()]
        found = [m.group(1) for line in lines if (m := INCLUDE.match(line))]
        return found if lines and len(found) == len(lines) else []

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}: {self.language} block {self.title!r}"


FENCE = re.compile(r"^(?P<indent> *)```(?P<info>.*)$")


def blocks(page: Path) -> Iterator[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        index += 1
        if opening is None:
            continue
        indent, info = opening["indent"], opening["info"].strip()
        body = []
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index][len(indent) :])
            index += 1
        index += 1
        language = info.split()[0] if info else ""
        title = re.search(r'title="([^"]*)"', info)
        yield Block(page, language, title[1] if title else "", "\n".join(body) + "\n")


ALL_BLOCKS = [block for page in PAGES for block in blocks(page)]


def docs_text() -> str:
    """Every page and every shell example, as one text."""
    parts = [page.read_text(encoding="utf-8") for page in PAGES]
    parts += [path.read_text(encoding="utf-8") for path in EXAMPLES.glob("*.sh")]
    return "\n".join(parts)


# --- running the examples --------------------------------------------------------------


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of ``docs/examples`` as the working folder and import path, as for a reader."""
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(folder)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("EXAMPLE_BANK_TOKEN", secrets.token_urlsafe(16))
    monkeypatch.setenv("LEDGER_DATA_DIR", str(tmp_path / "data"))
    for name in ("LEDGER_DATABASE_URL", "LEDGER_SECRET_KEY", "LEDGER_UPDATE_GOLDEN"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # the scripts' mkdtemp()
    registered = set(default_registry.names())
    _forget_example_modules()
    yield folder
    _forget_example_modules()
    for name in set(default_registry.names()) - registered:
        default_registry.remove(name)


def _forget_example_modules() -> None:
    for name in EXAMPLE_MODULES:
        sys.modules.pop(name, None)


def test_every_example_is_run_by_a_test() -> None:
    assert sorted(SCRIPTS + MODULES + PYTEST_FILES) == EXAMPLE_MODULES


@pytest.mark.parametrize("name", MODULES)
def test_example_module_imports(name: str, examples: Path) -> None:
    __import__(name)


def run_script(folder: Path, name: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Run an example as ``python name.py`` would; check it prints what its page shows."""
    runpy.run_path(str(folder / f"{name}.py"), run_name="__main__")
    printed = capsys.readouterr().out
    expected = folder / f"{name}.txt"
    if expected.exists():
        assert printed == expected.read_text(encoding="utf-8"), f"{name}.py printed:\n{printed}"
    return printed


@pytest.mark.parametrize("name", sorted(set(SCRIPTS) - {"check_example_bank"}))
def test_example_script_prints_what_its_page_shows(
    name: str, examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_script(examples, name, capsys)


def test_the_guides_example_documents_are_what_ledger_prints_today(
    examples: Path, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    written = __import__("example_documents").write_documents(tmp_path / "documents")
    shipped_names = {path.name for path in (DOCS / "documents").glob("*.pdf")}
    assert {path.name for path in written} == shipped_names
    for path in written:
        fresh = [page.extract_text() for page in PdfReader(path).pages]
        shipped = [page.extract_text() for page in PdfReader(DOCS / "documents" / path.name).pages]
        assert fresh == shipped, f"docs/documents/{path.name} is stale: run make docs-pdfs"


def test_the_tutorial_plugin_passes_every_contract_check(
    examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = run_script(examples, "check_example_bank", capsys)

    lines = report.splitlines()
    assert [line.split()[-1] for line in lines[1 : 1 + len(CHECK_NAMES)]] == CHECK_NAMES
    assert all(line.split()[0] == "ok" for line in lines[1 : 1 + len(CHECK_NAMES)]), report
    assert lines[-1] == f"{len(CHECK_NAMES)} passed, 0 failed"


def test_the_example_tests_pass_under_pytest() -> None:
    command = (EXAMPLES / "run_tests.sh").read_text(encoding="utf-8").split()
    assert command[0] == "pytest"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "LEDGER_"))}
    files = [*command[1:], *(f"{name}.py" for name in PYTEST_FILES[1:])]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *files, "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=EXAMPLES,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


def test_the_tutorial_cli_session_runs(examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    __import__("my_ledger")  # registers Example Bank, as `python my_ledger.py` does
    outputs: dict[str, str] = {}
    for line in shell_commands(examples / "cli_session.sh"):
        if line[0] == "export":
            key, _, value = line[1].partition("=")
            monkeypatch.setenv(key, value)
            continue
        assert line[:2] == ["python", "my_ledger.py"], line
        args = [os.path.expandvars(word) for word in line[2:]]
        with guard_sockets():  # Example Bank is fictional: no lookup may leave the machine
            result = CliRunner().invoke(app, args)
        outputs[" ".join(args[:2])] = result.output
        expected = 1 if args[0] == "sync" else 0
        assert result.exit_code == expected, (args, result.output, result.exception)

    assert "example_bank configured" in outputs["plugins configure"]
    assert '"token": "***"' in outputs["plugins configure"]
    assert "error (server): connection failed" in outputs["sync example_bank"]
    assert "failed" in outputs["sync-history"]
    assert (
        "upstream: GET https://api.bank.example/v1/accounts/2001234567/transactions?page=1"
        in outputs["sync-show 1"]
    )


def test_the_plugin_check_example_passes(examples: Path) -> None:
    [command] = shell_commands(examples / "plugin_check.sh")
    assert command[:3] == ["ledger", "plugin", "check"]

    result = CliRunner().invoke(app, command[1:])

    assert result.exit_code == 0, result.output
    assert "skip overlap" in result.output
    assert result.output.rstrip().endswith(f"{len(CHECK_NAMES) - 1} passed, 0 failed")


def shell_commands(path: Path) -> list[list[str]]:
    """The commands of a shell example: continuations joined, comments dropped."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    return [words for line in text.splitlines() if (words := shlex.split(line, comments=True))]


# --- the tutorial's code blocks are files ---------------------------------------------


def test_every_tutorial_code_block_is_an_included_file() -> None:
    tutorial = [b for b in ALL_BLOCKS if b.page == DOCS / "tutorial.md"]

    assert len(tutorial) > 20
    for block in tutorial:
        assert block.includes, f"{block} is not an included file from docs/examples/"
        assert all(path.startswith("docs/examples/") for path in block.includes), block


def test_every_included_file_and_section_exists() -> None:
    for block in ALL_BLOCKS:
        for include in block.includes:
            path, _, section = include.partition(":")
            assert (ROOT / path).is_file(), f"{block}: {path} does not exist"
            if section:
                text = (ROOT / path).read_text(encoding="utf-8")
                assert f"[start:{section}]" in text, f"{block}: no section {section!r}"
                assert f"[end:{section}]" in text, f"{block}: section {section!r} never ends"


def test_code_quoted_from_the_repository_is_verbatim() -> None:
    quoted = [b for b in ALL_BLOCKS if not b.includes and (ROOT / b.title).is_file()]

    assert len(quoted) >= 15
    for block in quoted:
        source = (ROOT / block.title).read_text(encoding="utf-8")
        assert block.body in source, f"{block} is not a verbatim excerpt of {block.title}"


def test_other_python_and_json_blocks_are_valid() -> None:
    for block in ALL_BLOCKS:
        if block.includes or (ROOT / block.title).is_file():
            continue
        if block.language == "python":
            compile(textwrap.dedent(block.body), str(block), "exec")
        elif block.language == "json":
            json.loads(block.body)


# --- commands and settings --------------------------------------------------------------


def command_paths() -> list[str]:
    def walk(command: Any, path: list[str]) -> Iterator[list[str]]:
        yield path
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    return [" ".join(["ledger", *path]) for path in walk(typer.main.get_command(app), [])]


def test_every_cli_command_is_documented() -> None:
    text = docs_text()
    missing = [path for path in command_paths() if f"`{path}" not in text and path not in text]

    assert len(command_paths()) > 20
    assert not missing, f"commands not mentioned in docs/: {missing}"


@pytest.mark.parametrize("model", [Config, WebConfig])
def test_every_setting_is_documented(model: type[Any]) -> None:
    text = (DOCS / "user-guide" / "configuration.md").read_text(encoding="utf-8")
    names = [f"LEDGER_{field.upper()}" for field in model.model_fields]

    assert names
    assert not [name for name in names if f"`{name}`" not in text]


def documented_command_lines() -> list[tuple[str, list[str]]]:
    found = []
    sources = [(str(path.relative_to(ROOT)), path.read_text()) for path in EXAMPLES.glob("*.sh")]
    sources += [(str(b), b.body) for b in ALL_BLOCKS if b.language == "sh" and not b.includes]
    for where, text in sources:
        for line in text.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ["ledger"]:
                found.append((where, words[1:]))
            elif words[:2] == ["python", "my_ledger.py"]:
                found.append((where, words[2:]))
    return found


def test_every_documented_command_line_parses() -> None:
    lines = documented_command_lines()

    assert len(lines) > 20
    for where, words in lines:
        try:
            parse_command_line(words)
        except Exception as exc:
            pytest.fail(f"{where}: `ledger {' '.join(words)}` does not parse: {exc}")


def parse_command_line(words: list[str]) -> None:
    """Resolve the subcommands and parse the options and arguments, invoking nothing."""
    command = typer.main.get_command(app)
    name = "ledger"
    commands = getattr(command, "commands", {})
    while words and words[0] in commands:
        name, command, words = words[0], commands[words[0]], words[1:]
        commands = getattr(command, "commands", {})
    if commands and words and not words[0].startswith("-"):
        raise ValueError(f"no command {words[0]!r} in `{name}`")
    # Options that prompt (a password) read this instead of a terminal.
    with CliRunner().isolation(input="a-password-1\na-password-1\n"):
        try:
            command.make_context(name, list(words))
        except typer.Exit as exit_:  # --help
            if exit_.exit_code:
                raise


# --- contract check pages ---------------------------------------------------------------


@pytest.mark.parametrize("check", CHECK_NAMES)
def test_every_contract_check_has_its_page(check: str) -> None:
    page = ROOT / DOCS_PAGE.format(check=check)

    assert page.is_file(), f"the suite links {DOCS_PAGE.format(check=check)}; write it"
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {check}\n")
    positions = [text.find(f"\n{section}\n") for section in CHECK_PAGE_SECTIONS]
    assert -1 not in positions, f"{page.name} needs the sections {CHECK_PAGE_SECTIONS}"
    assert positions == sorted(positions), f"{page.name}: sections out of order"


def failure_messages() -> list[tuple[Block, str, str]]:
    """(block, check, message) of every quoted failure in docs/contract/."""
    found = []
    for block in ALL_BLOCKS:
        if block.page.parent != DOCS / "contract" or block.language != "text":
            continue
        match = re.fullmatch(r"\[(\w+)\] (.+)\n  See (\S+)\n", block.body, re.S)
        if match is not None:
            check, message, link = match.groups()
            assert link == DOCS_PAGE.format(check=check), block
            found.append((block, check, message))
    return found


def message_templates() -> str:
    """A regex alternation of every message the suite can print (variable parts: ``.+?``)."""
    templates: set[str] = set()
    for path in MESSAGE_SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            node.targets[0].id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                templates.add("".join(_template_part(value, constants) for value in node.values))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                templates.add(re.escape(node.value))
    cleaned = {t.removeprefix(re.escape("; ")) for t in templates}
    return "|".join(t for t in cleaned if len(re.sub(r"\.\+\?|\\", "", t)) >= 10)


def _template_part(value: ast.expr, constants: dict[str, str]) -> str:
    if isinstance(value, ast.Constant):
        return re.escape(str(value.value))
    if (
        isinstance(value, ast.FormattedValue)
        and isinstance(value.value, ast.Name)
        and value.value.id in constants
    ):
        return re.escape(constants[value.value.id])
    return ".+?"


def test_contract_pages_quote_the_messages_the_suite_prints() -> None:
    quoted = failure_messages()
    templates = message_templates()
    composed = re.compile(rf"(?:{templates})(?:; (?:{templates}))*", re.S)

    assert {check for _, check, _ in quoted} == set(CHECK_NAMES)
    for block, check, message in quoted:
        assert composed.fullmatch(message), (
            f"{block}: [{check}] {message!r} is not a message the suite prints; "
            "copy it from a real failure"
        )


# --- the site -------------------------------------------------------------------------------


def nav_pages(entries: Any) -> Iterator[str]:
    if isinstance(entries, str):
        yield entries
    elif isinstance(entries, list):
        for entry in entries:
            yield from nav_pages(entry)
    elif isinstance(entries, dict):
        for value in entries.values():
            yield from nav_pages(value)


def test_every_page_is_in_the_navigation() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = set(nav_pages(config["nav"]))
    pages = {str(page.relative_to(DOCS)) for page in PAGES if EXAMPLES not in page.parents}

    assert config["strict"] is True
    assert config["site_url"].startswith("https://")
    assert pages == listed


def test_the_site_builds_strictly_and_works_under_a_sub_path(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr

    # Pages link relatively, so a static host may serve the site under any sub-path.
    # Only the 404 page, served at any depth, links from the site_url's path.
    root_relative = re.compile(r"""(?:href|src)=["'](/(?!/)[^"']*)""")
    offenders = [
        str(page.relative_to(site))
        for page in site.rglob("*.html")
        if page.name != "404.html" and root_relative.search(page.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"links from the site root break under a sub-path: {offenders}"
    base = urlsplit(yaml.safe_load((ROOT / "mkdocs.yml").read_text())["site_url"]).path
    links = root_relative.findall((site / "404.html").read_text(encoding="utf-8"))
    assert links
    assert all(link.startswith(base) for link in links)
    assert (site / "contract" / "cursor" / "index.html").is_file()
    assert not (site / "examples").exists()
    assert_served_at_docs(site)


def assert_served_at_docs(site: Path) -> None:
    """A running ledger serves the built guide at /docs to anyone, no login needed."""
    lg = ledger.open(site.parent / "ledger.db", create=True)
    try:
        client = TestClient(create_app(lg, WebConfig(docs_dir=site)))
        tutorial = client.get("/docs/tutorial/", follow_redirects=False)
        missing = client.get("/docs/no-such-page/", follow_redirects=False)
        unbuilt = TestClient(create_app(lg, WebConfig(docs_dir=site / "nowhere")))
        hint = unbuilt.get("/docs/tutorial/", follow_redirects=False)
    finally:
        lg.close()
    assert tutorial.status_code == 200
    assert "Tutorial: your first integration in one file" in tutorial.text
    assert missing.status_code == 404
    assert (hint.status_code, "make docs-build" in hint.text) == (404, True)
