"""The user's settings on this machine, in the platform's config folder.

config.toml is for people to edit (`name = "Ada at Acme"`: the name the history records);
columns.json is the app's own (the list's columns, in order). Neither may stop the app or
the CLI: a file that cannot be used is ignored, and the reader says why in one line for the
app to show.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from store.catalog import CatalogError, read_data_file
from store.errors import SettingsError
from store.listing.keys import column_choice
from store.locations import config_folder
from store.text import quoted

CONFIG_FILE = "config.toml"
COLUMNS_FILE = "columns.json"
SETTINGS = ("name",)  # what config.toml may set


@dataclass(frozen=True)
class UserConfig:
    """What config.toml says; `problem` is why it was (partly) ignored, for a warning."""

    name: str = ""
    problem: str | None = None


@dataclass(frozen=True)
class ColumnChoice:
    """The list's columns the user chose, in order (None: none saved, the defaults);
    `problem` is why a saved file was ignored, for a warning."""

    keys: tuple[str, ...] | None = None
    problem: str | None = None


def config_path() -> Path:
    """config.toml in the user's config folder."""
    return config_folder() / CONFIG_FILE


def columns_path() -> Path:
    """columns.json in the user's config folder."""
    return config_folder() / COLUMNS_FILE


@cache
def user_config() -> UserConfig:
    """config.toml as read once by this process (the history asks on every change)."""
    return read_user_config(config_path())


def read_user_config(path: Path) -> UserConfig:
    """Read a config.toml; a missing file is the defaults, a broken one the defaults and a problem."""
    text, problem = _read(path, "config")
    if text is None:
        return UserConfig(problem=problem and f"{problem}; the file was ignored")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib names the line and column, except for a file cut short: then it is the last line.
        where = f"{path}, line {max(len(text.splitlines()), 1)}" if "end of document" in str(error) \
            else str(path)
        return UserConfig(problem=f"{where}: not valid TOML, ignored: {error}")
    name = data.get("name", "")
    if not isinstance(name, str):
        return UserConfig(problem=f"{_where(path, text, 'name')}: name must be text in quotes, "
                          'like name = "Ada at Acme"; the file was ignored')
    problem, unknown = None, [key for key in data if key not in SETTINGS]
    if unknown:
        problem = (f"{_where(path, text, unknown[0])}: unknown setting {quoted(unknown[0])}, "
                   f"ignored (known: {', '.join(SETTINGS)})")
    return UserConfig(name=name, problem=problem)


def read_columns(path: Path | None = None) -> ColumnChoice:
    """The saved column choice: known keys only, always with the company name (see column_choice)."""
    path = path or columns_path()
    text, problem = _read(path, "columns file")
    if text is None:
        return ColumnChoice(problem=problem and f"{problem}; the default columns are shown")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return ColumnChoice(problem=f"{path}, line {error.lineno}: not valid JSON ({error.msg}); "
                            "the default columns are shown")
    keys = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        return ColumnChoice(problem=f'{path}: no "columns" list of column keys; the default '
                            "columns are shown")
    return ColumnChoice(keys=tuple(column_choice(keys)))


def save_columns(keys: Sequence[str], path: Path | None = None) -> None:
    """Save the list's columns, in order, atomically; SettingsError says why they were not."""
    path = path or columns_path()
    text = json.dumps({"columns": column_choice(keys)}, indent=2) + "\n"
    tmp = ""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as error:
        if tmp:
            with suppress(OSError):
                os.unlink(tmp)
        raise SettingsError(f"cannot save the columns to {path}: {error.strerror or error}; "
                            "they are kept until the app is closed") from None


def _read(path: Path, what: str) -> tuple[str | None, str | None]:
    """The file's text; (None, None) when there is none, (None, problem) when it cannot be read."""
    if not path.exists():
        return None, None
    try:
        return read_data_file(path, what), None
    except CatalogError as error:
        return None, str(error)


def _where(path: Path, text: str, key: str) -> str:
    """The file and the line where `key` is set, as far as a plain search finds it."""
    pattern = re.compile(rf"^\s*(\[\s*)?[\"']?{re.escape(key)}[\"']?\s*[=.\]]")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return f"{path}, line {number}"
    return str(path)
