"""One session on the data file: the parsed tables, read and changed in place.

The file is TinyDB's JSON format (tables of records by id string). A write
session runs under the file lock on the latest data and is written once, so
a change of many records is still a single atomic write of the file.
Records are replaced, never edited in place: a poll tells what changed by
comparing record objects (see repository.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any

from store.backends.base import BATCHES, ORDERS, PROSPECTS, USERS, VIEWS, IndexedField, Record, Table
from store.text import name_key

SEQUENCES = "sequences"
MAX_CHANGED = 1000  # records in a change file; more are read from the data file itself
Tables = dict[str, dict[str, Record]]

_COMPUTED = {
    "email_key": lambda record: str(record.get("email", "")).casefold(),
    "name_key": lambda record: name_key(str(record.get("company_name", ""))),
}

__all__ = ["BATCHES", "ORDERS", "PROSPECTS", "SEQUENCES", "USERS", "VIEWS", "FileSession", "Tables"]


class FileSession:
    """The Session protocol over the parsed tables; writes only when `writable`."""

    def __init__(self, data: Tables, *, writable: bool,
                 history: Callable[[int], list[Record]]) -> None:
        self.data = data
        self.writable = writable
        self.dirty = False
        # The ids each write touched, by table; None when the whole data was replaced.
        self.touched: dict[str, set[str]] | None = {}
        self.new_history: list[Record] = []  # appended to the history file after the write
        self._history = history

    def _table(self, table: str) -> dict[str, Record]:
        return self.data.get(table, {})

    def get(self, table: Table, record_id: int) -> Record | None:
        return self._table(table).get(str(record_id))

    def find(self, table: Table, field: IndexedField, value: object) -> list[tuple[int, Record]]:
        computed = _COMPUTED.get(field)
        if computed is not None:
            return [(int(k), r) for k, r in self._table(table).items() if computed(r) == value]
        return [(int(k), r) for k, r in self._table(table).items() if r.get(field) == value]

    def with_domains(self, domains: Collection[str]) -> dict[str, Record]:
        wanted = set(domains)
        return {r["domain"]: r for r in self._table(PROSPECTS).values() if r.get("domain") in wanted}

    def scan(self, table: Table) -> Iterator[tuple[int, Record]]:
        return ((int(k), r) for k, r in self._table(table).items())

    def next_id(self, table: str) -> int:
        """One more than the highest id ever given out in this table.

        Read under the lock, never cached (another process may have added), and
        never reused after a delete: an import batch or an open form may still
        name the deleted id, and must not find someone else's record under it.
        """
        highest = self._table(SEQUENCES).get("1", {}).get(table, 0)
        return max(max(map(int, self._table(table)), default=0), int(highest)) + 1

    def _writable_table(self, table: str, keys: Iterable[str]) -> dict[str, Record]:
        if not self.writable:
            raise RuntimeError("a reading session cannot write; use Repository.writing()")
        self.dirty = True
        if self.touched is not None:
            self.touched.setdefault(table, set()).update(keys)
        return self.data.setdefault(table, {})

    def changes(self) -> dict[str, dict[str, Record | None]] | None:
        """What this session changed (records now, None when deleted), for the change file."""
        if self.touched is None or sum(map(len, self.touched.values())) > MAX_CHANGED:
            return None  # an import: readers parse the file, as fast as reading its records
        changed: dict[str, dict[str, Record | None]] = {
            table: {key: self.data.get(table, {}).get(key) for key in keys}
            for table, keys in self.touched.items()}
        changed[SEQUENCES] = dict(self.data.get(SEQUENCES, {}))
        return changed

    def insert(self, table: Table, record: Record) -> int:
        return self.insert_many(table, [record])[0]

    def insert_many(self, table: Table, records: Sequence[Record]) -> list[int]:
        first = self.next_id(table)
        keys = [str(i) for i in range(first, first + len(records))]
        self._writable_table(table, keys).update(zip(keys, records, strict=True))
        return list(range(first, first + len(records)))

    def update(self, table: Table, record_id: int, fields: Record) -> None:
        key = str(record_id)
        rows = self._writable_table(table, [key])
        rows[key] = {**rows[key], **fields}

    def delete(self, table: Table, ids: Sequence[int]) -> None:
        keys = [str(record_id) for record_id in ids]
        rows = self._writable_table(table, keys)
        for key in keys:
            rows.pop(key, None)

    def add_history(self, entries: Sequence[Record]) -> None:
        if not self.writable:
            raise RuntimeError("a reading session cannot write; use Repository.writing()")
        self.new_history.extend(entries)

    def history(self, prospect_id: int) -> list[Record]:
        return self._history(prospect_id)

    def remember_highest_ids(self) -> None:
        """Keep each table's highest id in the sequences table, before the write."""
        highest = {name: max(map(int, table), default=0)
                   for name, table in self.data.items() if name != SEQUENCES}
        sequences: dict[str, Any] = dict(self.data.get(SEQUENCES, {}).get("1", {}))
        for name, top in highest.items():
            sequences[name] = max(int(sequences.get(name, 0)), top)
        self.data[SEQUENCES] = {"1": sequences}
