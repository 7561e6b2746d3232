"""The repository protocol: what a backend offers the rules in store.rules.

The rules (uniqueness, hand-over, conflicts, orders, import batches) are
written once, in store.rules.store, over this protocol; a backend only stores
and finds records. Two implement it: store.backends.tinydb (one JSON file,
the embedded default) and store.backends.postgres (a server, for teams).

A record is a dict shaped as ``Model.model_dump(mode="json")`` without the id:
dates and datetimes are ISO strings, products a list of dicts. Ids are ints,
handed out by the backend and never reused after a delete.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Record = dict[str, Any]
Table = Literal["prospects", "users", "orders", "import_batches", "views"]
PROSPECTS: Table = "prospects"
USERS: Table = "users"
ORDERS: Table = "orders"
BATCHES: Table = "import_batches"
VIEWS: Table = "views"
TABLES: tuple[Table, ...] = (USERS, BATCHES, PROSPECTS, ORDERS, VIEWS)
"""Every table, in an order that loads without breaking a reference."""

IndexedField = Literal[
    "domain",               # prospects: the normalised domain (unique)
    "name_key",             # prospects: store.text.name_key(company_name)
    "implementation_lead",  # prospects
    "secondary_contact",    # prospects
    "prospect",             # orders
    "sha256",               # import_batches (find returns live and undone batches)
    "email_key",            # users: the e-mail, casefolded (unique)
]


@dataclass
class Changes:
    """What changed since the last poll: in this session or another.

    ``prospects`` maps an id to its record now, or None when it was deleted;
    ``everything`` means too much changed to list (re-read it all).
    """

    prospects: dict[int, Record | None] = field(default_factory=dict)
    users: bool = False
    orders: bool = False
    batches: bool = False
    views: bool = False
    everything: bool = False

    def __bool__(self) -> bool:
        return (bool(self.prospects) or self.users or self.orders or self.batches or self.views
                or self.everything)


class Session(Protocol):
    """One transaction: reads see one consistent state; writes land together or not at all.

    A write session holds the backend's write lock from start to end, so what the
    rules check (a domain is free, a version is current) still holds when they write.
    """

    def get(self, table: Table, record_id: int) -> Record | None:
        """One record, or None."""

    def find(self, table: Table, field: IndexedField, value: object) -> list[tuple[int, Record]]:
        """The records whose indexed `field` equals `value`, by id."""

    def with_domains(self, domains: Collection[str]) -> dict[str, Record]:
        """The prospects that have any of these normalised domains, by domain."""

    def scan(self, table: Table) -> Iterator[tuple[int, Record]]:
        """Every record of a table, by id."""

    def insert(self, table: Table, record: Record) -> int:
        """Add a record under a new id and return the id."""

    def insert_many(self, table: Table, records: Sequence[Record]) -> list[int]:
        """Add records (one statement or write for all) and return their ids, in order."""

    def update(self, table: Table, record_id: int, fields: Record) -> None:
        """Change some fields of a record that exists."""

    def delete(self, table: Table, ids: Sequence[int]) -> None:
        """Remove records; ids that are gone already are ignored."""

    def add_history(self, entries: Sequence[Record]) -> None:
        """Append history entries (store.rules.history), kept apart from the prospects and
        never deleted; written with the session's changes, all or nothing."""

    def history(self, prospect_id: int) -> list[Record]:
        """A prospect's history entries, oldest first (a deleted prospect's too)."""


class Repository(Protocol):
    """A database: sessions to read and write, the list's rows, and other sessions' changes."""

    location: str
    """Where the data is, for people: a file path, or a URL with its password masked."""

    created_new: bool
    """True when opening it created an empty database (say so: the path may be a typo)."""

    def reading(self) -> AbstractContextManager[Session]:
        """A read-only session on the latest data."""

    def writing(self) -> AbstractContextManager[Session]:
        """A write session: under the write lock, committed when the block ends without error."""

    def prospect_rows(self) -> list[tuple[int, Record]]:
        """Every prospect, fast at 100k: for the list (no validation)."""

    def poll(self) -> Changes:
        """What changed since the last poll, in this session or another (cheap when nothing did).

        The records in the answer are current; call it from a worker thread.
        """

    def dump(self) -> dict[Table, list[tuple[int, Record]]]:
        """Everything, ids and versions included (for `db copy`)."""

    def all_history(self) -> list[Record]:
        """Every history entry, oldest first (for `db copy`)."""

    def highest_ids(self) -> dict[Table, int]:
        """The highest id each table ever handed out (deleted ones too; for `db copy`)."""

    def load(self, tables: dict[Table, list[tuple[int, Record]]],
             highest: dict[Table, int]) -> None:
        """Fill an empty database with `dump()`'s output exactly, ids included; new ids
        then start after `highest` (an id is never handed out twice, even after a copy)."""

    def is_empty(self) -> bool:
        """True when no table holds a record."""

    def upgrade(self) -> str:
        """Create or upgrade the schema (`prospects db upgrade`); says what it did."""

    def close(self) -> None:
        """Release the file or connection."""
