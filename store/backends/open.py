"""Pick the backend for a target: a file path is TinyDB, a postgresql:// URL is PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

from store.backends.base import Repository
from store.locations import data_folder

ENV_DB = "PROSPECTS_DB"
_URL_PREFIXES = ("postgresql://", "postgres://")
_BARE = ("postgresql:", "postgres:")  # libpq's PG* variables and service files say the rest


def is_postgres_target(target: str | os.PathLike[str]) -> bool:
    """Whether `target` names a PostgreSQL database rather than a file."""
    text = os.fspath(target)
    return text.startswith(_URL_PREFIXES) or text in _BARE


def default_db_path() -> Path:
    """prospects.json in the platform's user data directory."""
    return data_folder() / "prospects.json"


def chosen_target(target: str | os.PathLike[str] | None) -> str | Path:
    """`target`, else PROSPECTS_DB, else the default file; a path unless it is a URL."""
    text = os.fspath(target) if target is not None else os.environ.get(ENV_DB, "")
    if not text:
        return default_db_path()
    return text if is_postgres_target(text) else Path(text)


def open_repository(target: str | os.PathLike[str] | None) -> Repository:
    """Open the database `target` names (see chosen_target); StorageError if it cannot be used."""
    chosen = chosen_target(target)
    if isinstance(chosen, str):
        from store.backends.postgres.repository import PostgresRepository  # noqa: PLC0415

        server: Repository = PostgresRepository(chosen)
        return server
    from store.backends.tinydb.repository import TinyDBRepository  # noqa: PLC0415

    # Only the platform's default location may make its folders: a path someone typed
    # (--db, PROSPECTS_DB, a caller's) in a missing folder is most likely a typo.
    return TinyDBRepository(chosen, create_folders=target is None and not os.environ.get(ENV_DB))
