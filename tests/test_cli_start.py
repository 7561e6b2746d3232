"""Starting the CLI or the TUI: no terminal, a mistyped path, a new file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Static

from store.errors import StorageError
from store.rules.store import Store
from tui.app import ProspectsApp

NO_TERMINAL = "needs a terminal: use ssh -t, or a subcommand such as `list`"


def test_the_tui_without_a_terminal_exits_2_at_once(tmp_path: Path) -> None:
    # As `ssh host prospects` without -t, or `python -m tui </dev/null | cat`.
    result = subprocess.run([sys.executable, "-m", "tui", "--db", str(tmp_path / "p.json")],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2
    assert result.stderr.strip() == NO_TERMINAL
    assert result.stdout == ""
    assert not (tmp_path / "p.json").exists()


def test_a_subcommand_needs_no_terminal(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "tui", "--db", str(tmp_path / "p.json"),
                             "list", "--json"], stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0 and result.stdout.strip() == "[]"


@pytest.mark.parametrize("via", ["--db", "PROSPECTS_DB"])
def test_a_chosen_path_in_a_missing_folder_is_refused(tmp_path: Path, via: str) -> None:
    db = tmp_path / "nonexistent" / "dir" / "db.json"
    args, env = (["--db", str(db)], {}) if via == "--db" else ([], {"PROSPECTS_DB": str(db)})
    result = subprocess.run([sys.executable, "-m", "tui", *args, "list"],
                            env={**os.environ, **env}, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert f"the folder {db.parent} does not exist" in result.stderr
    assert "0 of 0" not in result.stderr
    assert not (tmp_path / "nonexistent").exists()


def test_a_new_file_in_an_existing_folder_is_created_and_announced(tmp_path: Path) -> None:
    db = tmp_path / "new.json"
    first = subprocess.run([sys.executable, "-m", "tui", "--db", str(db), "list"],
                           capture_output=True, text=True, timeout=30)
    assert first.returncode == 0
    assert first.stderr.splitlines()[0] == f"created a new empty database at {db}"
    assert db.exists()
    again = subprocess.run([sys.executable, "-m", "tui", "--db", str(db), "list"],
                           capture_output=True, text=True, timeout=30)
    assert "created" not in again.stderr


def test_only_the_default_location_makes_its_folders(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROSPECTS_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    store = Store()
    assert store.path == tmp_path / "xdg" / "msp-prospects" / "prospects.json"
    assert store.created_new and store.path.exists()
    assert not Store().created_new


def test_the_app_refuses_a_path_in_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        ProspectsApp(db_path=tmp_path / "typo" / "p.json")
    assert not (tmp_path / "typo").exists()


async def test_the_first_run_hint_names_a_file_just_created(tmp_path: Path) -> None:
    db = tmp_path / "p.json"
    for created in (True, False):
        app = ProspectsApp(db_path=db)
        async with app.run_test(size=(80, 24)):
            hint = str(app.screen.query_one("#first-run", Static).render())
            assert ("Started a new, empty database at" in hint) is created
            assert (str(db) in hint.replace("\n", "")) is created
            assert "Press n to create one" in hint
