"""One transaction on the server: the Session of store.backends.base over psycopg.

A write session remembers what it changed; before it commits it sends one
NOTIFY with the changed prospect ids (or "everything" when they do not fit a
notification) and which other tables changed, so every session's poll() learns
of it, this one's too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

import orjson
import psycopg
from psycopg import sql

from store.backends.base import BATCHES, ORDERS, PROSPECTS, USERS, VIEWS, IndexedField, Record, Table
from store.backends.postgres import columns

CHANNEL = "prospects_changes"
_PAYLOAD_LIMIT = 7000  # bytes; PostgreSQL refuses a payload of 8000 or more

_INDEXED: dict[IndexedField, Table] = {
    "domain": PROSPECTS, "name_key": PROSPECTS, "implementation_lead": PROSPECTS,
    "secondary_contact": PROSPECTS, "prospect": ORDERS, "sha256": BATCHES, "email_key": USERS,
}
_FLAGS: dict[Table, str] = {USERS: "users", ORDERS: "orders", BATCHES: "batches", VIEWS: "views"}

Connection = psycopg.Connection[tuple[Any, ...]]

_INSERT = {
    table: sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING id").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns.insert_columns(table))),
        sql.SQL(", ").join(sql.Placeholder() * len(columns.insert_columns(table))))
    for table in columns.FIELDS
}

_COPY_HISTORY = "COPY history (prospect, at, who, what, changes) FROM STDIN"
_SELECT_HISTORY = ("SELECT prospect, replace(replace(at::text, ' ', 'T'), '+00', 'Z'), who, what, "
                   "changes::text FROM history")


def payload(prospect_ids: Collection[int], tables: Collection[str]) -> str:
    """A notification's text: the changed prospect ids, or everything when they are too many."""
    text = orjson.dumps({"prospects": sorted(prospect_ids), "tables": sorted(tables)}).decode()
    if len(text) > _PAYLOAD_LIMIT:
        text = orjson.dumps({"everything": True}).decode()
    return text


class PostgresSession:
    """Reads and writes in the transaction the repository opened on `conn`."""

    def __init__(self, conn: Connection, *, writable: bool) -> None:
        self.conn = conn
        self.writable = writable
        self.changed_prospects: set[int] = set()
        self.changed_tables: set[str] = set()
        self.everything = False  # too much changed to name (a load)

    def _rows(self, query: str | sql.Composed, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(query, params).fetchall()

    def _changed(self, table: Table, ids: Collection[int]) -> None:
        if not self.writable:
            raise RuntimeError("a change in a read-only session")
        if table == PROSPECTS:
            self.changed_prospects.update(ids)
        else:
            self.changed_tables.add(_FLAGS[table])

    def get(self, table: Table, record_id: int) -> Record | None:
        found = columns.records(table, self._rows(columns.SELECT[table] + " WHERE id = %s",
                                                  (record_id,)))
        return found[0][1] if found else None

    def find(self, table: Table, field: IndexedField, value: object) -> list[tuple[int, Record]]:
        if _INDEXED[field] != table:
            raise ValueError(f"{table} has no index on {field}")
        query = columns.SELECT[table] + f" WHERE {field} = %s ORDER BY id"
        return columns.records(table, self._rows(query, (value,)))

    def with_domains(self, domains: Collection[str]) -> dict[str, Record]:
        query = columns.SELECT[PROSPECTS] + " WHERE domain = ANY(%s)"
        return {r["domain"]: r for _, r in columns.records(PROSPECTS, self._rows(query, (list(domains),)))}

    def scan(self, table: Table) -> Iterator[tuple[int, Record]]:
        return iter(columns.records(table, self._rows(columns.SELECT[table] + " ORDER BY id")))

    def insert(self, table: Table, record: Record) -> int:
        new_id = int(self._rows(_INSERT[table], columns.to_row(table, record))[0][0])
        self._changed(table, [new_id])
        return new_id

    def insert_many(self, table: Table, records: Sequence[Record]) -> list[int]:
        if not records:
            return []
        ids = [int(row[0]) for row in self._rows(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            (table, len(records)))]
        copy_rows(self.conn, table, zip(ids, records, strict=True))
        self._changed(table, ids)
        return ids

    def update(self, table: Table, record_id: int, fields: Record) -> None:
        if not fields:
            return
        assignments = columns.to_assignments(table, fields)
        query = sql.SQL("UPDATE {} SET {} WHERE id = %s").format(
            sql.Identifier(table),
            sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(name)) for name in assignments))
        self.conn.execute(query, [*assignments.values(), record_id])
        self._changed(table, [record_id])

    def delete(self, table: Table, ids: Sequence[int]) -> None:
        if not ids:
            return
        self.conn.execute(sql.SQL("DELETE FROM {} WHERE id = ANY(%s)").format(sql.Identifier(table)),
                           (list(ids),))
        self._changed(table, ids)
        if table == PROSPECTS:
            self.changed_tables.add("orders")  # a deleted prospect takes its orders along

    def add_history(self, entries: Sequence[Record]) -> None:
        if not self.writable:
            raise RuntimeError("a change in a read-only session")
        if not entries:
            return
        with self.conn.cursor().copy(_COPY_HISTORY) as copy:
            for entry in entries:
                copy.write_row([entry["prospect"], entry["at"], entry["who"], entry["what"],
                                orjson.dumps(entry["changes"]).decode()])

    def history(self, prospect_id: int | None) -> list[Record]:
        """One prospect's entries (every entry when None), oldest first."""
        where = "" if prospect_id is None else " WHERE prospect = %s"
        rows = self._rows(_SELECT_HISTORY + where + " ORDER BY id",
                          () if prospect_id is None else (prospect_id,))
        return [{"prospect": int(prospect), "at": at, "who": who, "what": what,
                 "changes": orjson.loads(changes)} for prospect, at, who, what, changes in rows]

    def commit_statement(self) -> sql.Composed:
        """COMMIT, after a NOTIFY telling every listening session what this one changed."""
        if self.everything:
            said = orjson.dumps({"everything": True}).decode()
        elif self.changed_prospects or self.changed_tables:
            said = payload(self.changed_prospects, self.changed_tables)
        else:
            return sql.Composed([sql.SQL("COMMIT")])
        return sql.SQL("SELECT pg_notify({}, {}); COMMIT").format(sql.Literal(CHANNEL), sql.Literal(said))


def copy_rows(conn: Connection, table: Table, rows: Iterator[tuple[int, Record]]) -> None:
    """COPY (id, record) pairs into a table: one statement, fast at 100k."""
    names = ["id", *columns.insert_columns(table)]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names)))
    to_row = columns.to_row
    with conn.cursor().copy(statement) as copy:
        for record_id, record in rows:
            copy.write_row([record_id, *to_row(table, record)])
