"""The embedded default backend: the Repository protocol over one JSON file.

SafeJSONStorage keeps the file safe for many sessions (atomic, locked, checked);
this adds sessions over its parsed tables and tells what changed since the last
poll by comparing the records it saw then with the records now.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import compress
from operator import is_not
from pathlib import Path

from store.backends.base import TABLES, Changes, Record, Table
from store.backends.tinydb import record_schema
from store.backends.tinydb.history_file import HistoryFile
from store.backends.tinydb.storage import SafeJSONStorage
from store.backends.tinydb.transaction import (
    BATCHES,
    ORDERS,
    PROSPECTS,
    SEQUENCES,
    USERS,
    VIEWS,
    FileSession,
    Tables,
)
from store.bulk import collector_paused


class TinyDBRepository:
    """Prospects, users, orders, import batches and views in one JSON file (TinyDB's format)."""

    def __init__(self, path: Path, *, create_folders: bool) -> None:
        self.path = path
        self.location = str(path)
        self._storage = SafeJSONStorage(path, schema=record_schema, create_folders=create_folders)
        self.created_new = self._storage.created_new
        self._history = HistoryFile(self._storage)
        # The UI reads from worker threads while the event loop saves: a write changes
        # the cached tables in place, so readers and writers take turns.
        self._lock = threading.RLock()
        self._seen_data = self._storage.read()
        self._seen = self._snapshot(self._seen_data)
        self._wrote = False  # since the last poll

    @staticmethod
    def _snapshot(data: Tables) -> dict[str, dict[str, Record]]:
        # Shallow copies: a write replaces record objects, so `is` tells what changed.
        return {name: dict(data.get(name, {})) for name in TABLES}

    @contextmanager
    def reading(self) -> Iterator[FileSession]:
        with self._lock:
            yield FileSession(self._storage.read(), writable=False, history=self._history.entries)

    @contextmanager
    def writing(self) -> Iterator[FileSession]:
        # Rebuilding 100k records' worth of dicts: the collector would rescan them for nothing.
        with self._lock, collector_paused(), self._storage.locked():
            session = FileSession(self._storage.read(), writable=True, history=self._history.entries)
            yield session
            if session.dirty:
                session.remember_highest_ids()
                self._wrote = True
                self._storage.write(session.data, session.changes())
            self._history.append(session.new_history)

    def prospect_rows(self) -> list[tuple[int, Record]]:
        with self._lock:
            return [(int(k), r) for k, r in self._storage.read().get(PROSPECTS, {}).items()]

    def poll(self) -> Changes:
        with self._lock:
            data = self._storage.read()  # re-reads the file if another session wrote it
            if data is self._seen_data and not self._wrote:
                return Changes()  # one stat: nothing was written here or there
            seen, self._seen = self._seen, self._snapshot(data)
            self._seen_data, self._wrote = data, False
        now = self._seen
        changes = Changes(
            users=_changed(seen[USERS], now[USERS]),
            orders=_changed(seen[ORDERS], now[ORDERS]),
            batches=_changed(seen[BATCHES], now[BATCHES]),
            views=_changed(seen[VIEWS], now[VIEWS]),
        )
        before, after = seen[PROSPECTS], now[PROSPECTS]
        # Which records are new objects, in C loops (a record is replaced, never edited):
        # after the change file only a save's few are; after a re-read, every one is.
        keys = list(after)
        replaced = compress(keys, map(is_not, map(before.get, keys), after.values()))
        added = 0
        for key in replaced:
            old, record = before.get(key), after[key]
            added += old is None
            if old is None or _stamp(old) != _stamp(record):
                changes.prospects[int(key)] = record
        if len(before) + added != len(after):  # some were deleted: find which
            for key in before.keys() - after.keys():
                changes.prospects[int(key)] = None
        return changes

    def dump(self) -> dict[Table, list[tuple[int, Record]]]:
        with self.reading() as session:
            return {table: list(session.scan(table)) for table in TABLES}

    def all_history(self) -> list[Record]:
        with self._lock:
            return self._history.entries()

    def highest_ids(self) -> dict[Table, int]:
        with self.reading() as session:
            return {table: session.next_id(table) - 1 for table in TABLES}

    def load(self, tables: dict[Table, list[tuple[int, Record]]],
             highest: dict[Table, int]) -> None:
        with self.writing() as session:
            for table, rows in tables.items():
                session.data.setdefault(table, {}).update((str(i), dict(r)) for i, r in rows)
            session.data[SEQUENCES] = {"1": {str(t): n for t, n in highest.items()}}  # raised on write
            session.dirty, session.touched = True, None

    def is_empty(self) -> bool:
        with self.reading() as session:
            return not any(session.data.get(table) for table in TABLES)

    def upgrade(self) -> str:
        return f"{self.location} needs no upgrade: a data file has no schema to change"

    def close(self) -> None:
        self._storage.close()


def _stamp(record: Record) -> tuple[object, object, object]:
    # A Verify answer (Verify all) changes neither version nor updated_at.
    check = record.get("domain_check")
    return (record.get("version"), record.get("updated_at"),
            check.get("checked_at") if isinstance(check, dict) else None)


def _changed(before: dict[str, Record], after: dict[str, Record]) -> bool:
    return before.keys() != after.keys() or any(
        after[k] is not r and after[k] != r for k, r in before.items())
