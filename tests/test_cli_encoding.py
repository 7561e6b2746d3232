"""An ASCII-only terminal (PYTHONIOENCODING=ascii, LC_ALL=C) degrades non-ASCII output, never crashes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ASCII_ENVS = {
    "PYTHONIOENCODING=ascii": {"PYTHONIOENCODING": "ascii"},
    "LC_ALL=C without UTF-8 mode": {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
}


def run(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "tui", "--db", str(db), *args], env=full,
                          capture_output=True, text=True, encoding="ascii", errors="replace",
                          timeout=60)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "p.json"
    utf8 = {"PYTHONIOENCODING": "utf-8"}
    assert run(path, "users", "add", "Zo\u00eb \u00c5gren", "--email", "zoe@example.com",
               "--lead", env=utf8).returncode == 0
    assert run(path, "add", "--company-type", "End Customer", "--sector", "Retail", "--lead",
               "zoe@example.com", "--company-name", "Caf\u00e9 \u00dcber \U0001f600",
               "--domain", "cafe.example", env=utf8).returncode == 0
    return path


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text('company_types = ["\u00c9tude"]\nsectors = ["\u00c9nergie"]\n'
                    '[[products]]\nname = "Zo\u00eb Gateway"\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("env", ASCII_ENVS.values(), ids=ASCII_ENVS.keys())
def test_every_output_degrades_to_escapes(db: Path, catalog: Path, env: dict[str, str]) -> None:
    listed = run(db, "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "Caf\\xe9 \\xdcber" in listed.stdout and "1 of 1 prospects" in listed.stderr
    users = run(db, "users", "list", env=env)
    assert users.returncode == 0, users.stderr
    assert "Zo\\xeb \\xc5gren" in users.stdout
    shown = run(db, "--catalog", str(catalog), "catalog", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "Zo\\xeb Gateway" in shown.stdout and "\\xc9nergie" in shown.stdout
    as_json = run(db, "list", "--json", env=env)
    assert json.loads(as_json.stdout)[0]["company_name"] == "Caf\u00e9 \u00dcber \U0001f600"
    users_json = run(db, "users", "list", "--json", env=env)
    assert json.loads(users_json.stdout)[0]["name"] == "Zo\u00eb \u00c5gren"


@pytest.mark.parametrize("env", ASCII_ENVS.values(), ids=ASCII_ENVS.keys())
def test_errors_on_stderr_degrade_too(db: Path, tmp_path: Path, env: dict[str, str]) -> None:
    bad_catalog = tmp_path / "bad.toml"
    bad_catalog.write_text('company_types = "\u00c9tude"\n', encoding="utf-8")
    refused = run(db, "--catalog", str(bad_catalog), "catalog", env=env)
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr and str(bad_catalog) in refused.stderr
    corrupt = tmp_path / "caf\u00e9.json"
    corrupt.write_text("{not json", encoding="utf-8")
    result = run(corrupt, "list", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 2 and "caf\\xe9.json" in result.stderr
    assert "Traceback" not in result.stderr
