"""`prospects db copy SRC DST`: everything in one database, into another that is empty.

Users, prospects, orders, import batches and views move as the backend stores them:
ids, versions and timestamps included, so a copy lists, sorts and undoes imports
exactly as the original did. Either side may be a file or a PostgreSQL URL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from store.backends.base import TABLES, Repository, Table
from store.backends.open import chosen_target, open_repository
from store.errors import StorageError, StoreError


class NotEmptyError(StoreError):
    """The destination already holds data: a copy never merges into it or replaces it."""


@dataclass(frozen=True)
class CopyResult:
    """What was copied: where from and to (as people see them) and how many of each."""

    source: str
    destination: str
    counts: dict[Table, int]
    created: bool
    """True when the destination was a new file (or a new schema) made for this copy."""


def copy_database(source: str | os.PathLike[str], destination: str | os.PathLike[str]) -> CopyResult:
    """Copy every record of `source` into `destination`, which must be empty.

    A missing source file is refused (opening it would make an empty one); a
    destination with any record raises NotEmptyError and nothing is written to it.
    """
    src_target, dst_target = chosen_target(source), chosen_target(destination)
    if isinstance(src_target, Path) and not src_target.exists():
        raise StorageError(f"{src_target}: no such database file; check the path")
    if isinstance(dst_target, Path) and not dst_target.parent.is_dir():
        raise StorageError(f"{dst_target.parent}: no such folder, so {dst_target} cannot be "
                           "made; create the folder first, or check the path")
    src = open_repository(source)
    try:
        if _same(src_target, dst_target):
            raise StorageError(f"{src.location} is both the source and the destination; "
                               "name another destination")
        dst = open_repository(destination)
        try:
            return _copy(src, dst)
        finally:
            dst.close()
    finally:
        src.close()


def _copy(src: Repository, dst: Repository) -> CopyResult:
    if not dst.is_empty():
        raise NotEmptyError(
            f"{dst.location} already holds data: db copy only fills an empty database "
            "(nothing was written); name a new file or an empty PostgreSQL database")
    tables = src.dump()
    dst.load(tables, src.highest_ids())
    with dst.writing() as session:  # the history too: it outlives deletes, so it is not in `tables`
        session.add_history(src.all_history())
    return CopyResult(source=src.location, destination=dst.location,
                      counts={table: len(tables.get(table, [])) for table in TABLES},
                      created=dst.created_new)


def _same(one: str | Path, other: str | Path) -> bool:
    if isinstance(one, Path) and isinstance(other, Path):
        return one.exists() and other.exists() and one.samefile(other)
    return one == other

