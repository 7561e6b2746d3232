"""The user's config folder: config.toml (the name the history records) and columns.json,
read from real files; a broken file never stops the app or the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.errors import SettingsError
from store.models import Prospect
from store.rules.store import Store
from store.rules.who import who
from store.user_config import (
    ColumnChoice,
    UserConfig,
    config_path,
    read_columns,
    read_user_config,
    save_columns,
    user_config,
)
from tests.cli import run_cli


def write_config(text: str | bytes) -> Path:
    path = config_path()
    path.parent.mkdir(mode=0o700, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_the_config_name_is_recorded_in_the_history(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config('# a shared account on the jump host\nname = "Ada at Acme [ops]"\n')
    monkeypatch.setenv("LOGNAME", "shared")
    assert who() == "Ada at Acme [ops]"
    made = store.create_prospect(Prospect(company_type="End Customer", company_name="Contoso",
                                          domain="contoso.com", sector="Retail",
                                          implementation_lead=1))
    assert store.history(made.id or 0)[-1]["who"] == "Ada at Acme [ops]"


def test_prospects_user_wins_over_the_config_and_the_login_name_comes_last(
        monkeypatch: pytest.MonkeyPatch) -> None:
    write_config('name = "Ada at Acme"\n')
    monkeypatch.setenv("LOGNAME", "shared")
    monkeypatch.setenv("PROSPECTS_USER", "Grace")
    assert who() == "Grace"
    monkeypatch.setenv("PROSPECTS_USER", "  ")
    assert who() == "Ada at Acme"
    write_config('name = "  "\n')
    user_config.cache_clear()
    assert who() == "shared"


def test_the_config_is_read_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config('name = "First"\n')
    assert who() == "First"
    write_config('name = "Second"\n')
    assert who() == "First"  # cached: the history asks on every change
    user_config.cache_clear()
    assert who() == "Second"


@pytest.mark.parametrize(("text", "expected"), [
    ('name = "Ada', "line 1: not valid TOML, ignored: Unterminated string"),
    ('name = "Ada"\nname = "Bob"\n', "not valid TOML, ignored: Cannot overwrite a value (at line 2"),
    ('\n\nname = 42\n', "line 3: name must be text in quotes"),
    ('name = ["Ada"]\n', "line 1: name must be text in quotes"),
    (b'name = "Ada"\n\xff\xfe\x00\x1b[2J', "not UTF-8 text (line 2, byte 13); the file was ignored"),
    (b'#' * (10 * 1024 * 1024), "the config is 10,485,760 bytes"),
])
def test_a_broken_config_is_ignored_with_one_line_naming_the_file(
        text: str | bytes, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(text)
    monkeypatch.setenv("LOGNAME", "shared")
    config = read_user_config(path)
    assert config.name == ""
    assert config.problem is not None and config.problem.startswith(str(path))
    assert expected in config.problem and "\n" not in config.problem
    assert who() == "shared"


def test_an_unknown_setting_is_said_and_the_name_still_used() -> None:
    path = write_config('nmae = "typo"\nname = "Ada"\n')
    assert read_user_config(path) == UserConfig(
        name="Ada", problem=f"{path}, line 1: unknown setting 'nmae', ignored (known: name)")


def test_no_config_is_no_problem() -> None:
    assert read_user_config(config_path()) == UserConfig()
    assert read_columns() == ColumnChoice()


def test_the_cli_warns_on_stderr_and_runs(tmp_path: Path) -> None:
    path = write_config("name = 'Ada\n")
    result = run_cli("--db", tmp_path / "p.json", "list")
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == (
        f"warning: {path}, line 1: not valid TOML, ignored: Expected \"'\" (at end of document)")
    assert "Traceback" not in result.stderr and result.stderr.count("warning") == 1


def test_columns_are_saved_atomically_and_read_back_without_unknown_keys() -> None:
    save_columns(["domain", "mail"])
    assert read_columns() == ColumnChoice(("company_name", "domain", "mail"))
    path = config_path().with_name("columns.json")
    path.write_text(json.dumps({"columns": ["sector", "gone_in_v9", "sector", "company_name"]}))
    assert read_columns() == ColumnChoice(("sector", "company_name"))


@pytest.mark.parametrize(("content", "expected"), [
    ('{"columns": "domain"}', 'no "columns" list of column keys'),
    ('["domain"]', 'no "columns" list of column keys'),
    ('{"columns": ["domain", 3]}', 'no "columns" list of column keys'),
    ('{\n"columns": [', "line 2: not valid JSON"),
])
def test_a_broken_columns_file_is_the_defaults_with_a_problem(content: str, expected: str) -> None:
    save_columns(["domain"])
    path = config_path().with_name("columns.json")
    path.write_text(content)
    choice = read_columns()
    assert choice.keys is None
    assert choice.problem is not None and choice.problem.startswith(str(path))
    assert expected in choice.problem


def test_columns_that_cannot_be_saved_say_why(tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    with pytest.raises(SettingsError, match=r"cannot save the columns to .*a file/columns.json: "):
        save_columns(["domain"], blocker / "columns.json")
