"""One change to the data file: TinyDB over the locked data, written once.

The Store opens a Transaction under the file lock; TinyDB's tables make the
changes, and every TinyDB write lands here, so a change of many records is
still a single atomic write of the file.
"""

from __future__ import annotations

from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

PROSPECTS, USERS, ORDERS, BATCHES = "prospects", "users", "orders", "import_batches"
SEQUENCES = "sequences"
Record = dict[str, Any]


class Transaction(Storage):
    """Hands TinyDB the locked data and collects its writes into one."""

    def __init__(self, data: dict[str, dict[str, Record]]) -> None:
        self.data = data
        self.dirty = False
        self.db = TinyDB(storage=lambda: self)

    def table(self, name: str) -> Table:
        """TinyDB's table, for changes."""
        return self.db.table(name)

    def raw(self, name: str) -> dict[str, Record]:
        """The table's records by id string, for scans: TinyDB's all() copies every record."""
        return self.data.get(name, {})

    def next_id(self, name: str) -> int:
        """One more than the highest id ever given out in this table.

        Read under the lock, never cached (another process may have added), and
        never reused after a delete: an import batch or an open form may still
        name the deleted id, and must not find someone else's record under it.
        """
        highest = self.raw(SEQUENCES).get("1", {}).get(name, 0)
        return max(max(map(int, self.raw(name)), default=0), int(highest)) + 1

    def remember_highest_ids(self) -> None:
        """Keep each table's highest id in the sequences table, before the write."""
        highest = {name: max(map(int, table), default=0)
                   for name, table in self.data.items() if name != SEQUENCES}
        sequences = self.data.setdefault(SEQUENCES, {}).setdefault("1", {})
        for name, top in highest.items():
            sequences[name] = max(int(sequences.get(name, 0)), top)

    def insert(self, name: str, record: Record) -> int:
        """Insert a record under a fresh id and return it."""
        doc_id = self.next_id(name)
        self.table(name).insert(Document(record, doc_id=doc_id))
        return doc_id

    def insert_raw(self, name: str, records: dict[str, Record]) -> None:
        """Add records under ids (as strings) that next_id handed out; no copies."""
        self.data.setdefault(name, {}).update(records)
        self.dirty = True

    def read(self) -> dict[str, dict[str, Record]]:
        return self.data

    def write(self, data: dict[str, dict[str, Record]]) -> None:
        self.data = data
        self.dirty = True
