"""Settings as hostile input: --lifetime, PROSPECTS_NAMESERVER, file modes after a chmod."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from store.models import User
from store.rules.store import Store
from tests.cli import run_cli
from tests.terminal import run_in_terminal


def cli(db: Path, *args: str, env: dict[str, str] | None = None,
        timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return run_cli("--db", db, *args, env=env, timeout=timeout)


@pytest.mark.parametrize("lifetime", ["1e308", "inf", "nan", "0", "-1", "61", "soon"])
def test_verify_lifetime_is_bounded(tmp_path: Path, lifetime: str) -> None:
    result = cli(tmp_path / "p.json", "verify", "example.com", "--lifetime", lifetime)
    assert result.returncode == 2
    assert "--lifetime" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "p.json").exists()


def test_a_junk_nameserver_setting_only_stops_verify(tmp_path: Path) -> None:
    db = tmp_path / "p.json"
    junk = {"PROSPECTS_NAMESERVER": "not a server"}
    assert cli(db, "users", "add", "Ada", "--email", "ada@example.com", "--lead",
               env=junk).returncode == 0
    listed = cli(db, "list", env=junk)
    assert listed.returncode == 0, listed.stderr
    assert cli(db, "catalog", env=junk).returncode == 0
    refused = cli(db, "verify", "example.com", env=junk)
    assert refused.returncode == 2
    assert refused.stderr.startswith("PROSPECTS_NAMESERVER: 'not a server' is not a nameserver")
    flag = cli(db, "--nameserver", "nowhere", "verify", "example.com")
    assert flag.returncode == 2 and flag.stderr.startswith("--nameserver: 'nowhere'")


def test_the_tui_starts_with_a_junk_nameserver_setting(tmp_path: Path) -> None:
    code, output = run_in_terminal(["--db", str(tmp_path / "p.json")],
                                   env={"PROSPECTS_NAMESERVER": "not a server"},
                                   keys_when=b"MSP Prospects", keys=b"\x11")  # ctrl+q
    assert b"\x1b[?1049h" in output  # it entered the alternate screen, and quit on ctrl+q
    assert code == 0, output[-500:]


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.mark.parametrize(("folder_mode", "chmod_to", "expected"),
                         [(0o2770, 0o664, 0o660), (0o700, 0o644, 0o600), (0o700, 0o640, 0o600)],
                         ids=["shared 664", "single 644", "single 640"])
def test_every_save_puts_the_mode_back(tmp_path: Path, folder_mode: int, chmod_to: int,
                                       expected: int) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    folder.chmod(folder_mode)
    db = folder / "p.json"
    store = Store(db)
    assert mode(db) == expected
    os.chmod(db, chmod_to)  # a member's chmod, or a careless one
    store.add_user(User(name="Ada", email="ada@example.com"))
    assert mode(db) == expected
    os.chmod(db, chmod_to)
    assert cli(db, "users", "add", "Bob", "--email", "bob@example.com").returncode == 0
    assert mode(db) == expected
