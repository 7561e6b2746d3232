"""The catalog file is input like any other: every bad file refused with the file and the entry."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from store.catalog import CatalogError, load_catalog
from tests.cli import run_cli
from tests.terminal import run_in_terminal

GOOD = 'company_types = ["End Customer"]\nsectors = ["Retail"]\n'


def cli(tmp_path: Path, catalog: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("--db", tmp_path / "p.json", "--catalog", catalog, *(args or ("catalog",)))


BAD = {
    "needs_seats a string": (GOOD + '[[products]]\nname = "Mac"\nneeds_seats = "no"\n',
                             "products entry 1 ('Mac'): needs_seats must be true or false"),
    "needs_seats a number": (GOOD + '[[products]]\nname = "Mac"\nneeds_seats = 1\n',
                             "products entry 1 ('Mac'): needs_seats must be true or false"),
    "keys collide": (GOOD + '[[products]]\nname = "Mimecast for Mac"\n'
                            '[[products]]\nname = "mimecast-for-mac!"\n',
                     "products entry 2 ('mimecast-for-mac!'): too like 'Mimecast for Mac'"),
    "duplicate names": (GOOD + '[[products]]\nname = "Archive"\n[[products]]\nname = "ARCHIVE"\n',
                        "products entry 2 ('ARCHIVE'): too like 'Archive'"),
    "empty product name": (GOOD + '[[products]]\nname = "  "\n', "products entry 1: name is empty"),
    "product name a number": (GOOD + "[[products]]\nname = 7\n",
                              "products entry 1: name must be a quoted name, not 7"),
    "no letter in the name": (GOOD + '[[products]]\nname = "!!!"\n',
                              "products entry 1 ('!!!'): the name needs at least one letter"),
    "escape in a name": (GOOD + '[[products]]\nname = "Ma\\u001bc"\n',
                         "products entry 1: name contains U+001B (escape)"),
    "bidi in a sector": ('company_types = ["A"]\nsectors = ["Re\\u202etail"]\n'
                         '[[products]]\nname = "X"\n', "sectors entry 1 contains U+202E"),
    "sector not a string": ('company_types = ["A"]\nsectors = ["Retail", true]\n'
                            '[[products]]\nname = "X"\n', "sectors entry 2 must be a quoted name"),
    "duplicate company type": ('company_types = ["Reseller", " reseller"]\nsectors = ["R"]\n'
                               '[[products]]\nname = "X"\n',
                               "company_types entry 2 ('reseller') is the same as 'Reseller'"),
    "types not a list": ('company_types = "A"\nsectors = ["R"]\n[[products]]\nname = "X"\n',
                         "company_types must be a list of one or more names"),
    "unknown product key": (GOOD + '[[products]]\nname = "Mac"\nneed_seats = true\n',
                            "products entry 1 ('Mac'): unknown key 'need_seats'"),
    "separator in a name": (GOOD + '[[products]]\nname = "Mac: Pro"\n',
                            "products entry 1 ('Mac: Pro'): a product name cannot hold"),
}


@pytest.mark.parametrize("case", BAD, ids=BAD.keys())
def test_bad_catalog_refused_naming_file_and_entry(tmp_path: Path, case: str) -> None:
    text, expected = BAD[case]
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    assert str(err.value).startswith(f"{path}: ") and expected in str(err.value)
    result = cli(tmp_path, path)
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_named_pipe_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "catalog.toml"
    os.mkfifo(fifo)
    result = cli(tmp_path, fifo)
    assert result.returncode == 2
    assert f"{fifo}: the catalog must be a regular file" in result.stderr


def test_a_folder_is_refused_with_a_message(tmp_path: Path) -> None:
    folder = tmp_path / "catalog.toml"
    folder.mkdir()
    result = cli(tmp_path, folder)
    assert result.returncode == 2
    assert f"{folder}: the catalog must be a regular file" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_device_is_refused_without_reading_it(tmp_path: Path) -> None:
    result = cli(tmp_path, "/dev/zero")
    assert result.returncode == 2
    assert "/dev/zero: the catalog must be a regular file" in result.stderr
    assert "MemoryError" not in result.stderr and "Traceback" not in result.stderr


def test_a_huge_file_is_refused_by_size(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    with open(path, "wb") as f:
        f.truncate(2 * 1024 * 1024)
    result = cli(tmp_path, path)
    assert result.returncode == 2 and "a catalog is at most" in result.stderr


def test_the_built_in_catalog_is_valid() -> None:
    catalog = load_catalog()
    assert len({p.key for p in catalog.products}) == len(catalog.products)


def test_the_tui_refuses_a_bad_catalog_before_taking_the_screen(tmp_path: Path) -> None:
    path = tmp_path / "catalog.toml"
    path.write_text(BAD["needs_seats a string"][0], encoding="utf-8")
    code, output = run_in_terminal(["--db", str(tmp_path / "p.json"), "--catalog", str(path)])
    assert code == 2
    assert b"needs_seats must be true or false" in output
    assert b"\x1b[?1049h" not in output  # the alternate screen was never entered
