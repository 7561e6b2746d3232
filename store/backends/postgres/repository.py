"""The PostgreSQL repository: the protocol of store.backends.base on a server, for teams.

One connection serves the sessions (a lock makes threads take turns), a second
one only LISTENs, so poll() is cheap and never waits behind a save. Write
sessions take a transaction-level advisory lock first: writers from every host
take turns, so what the rules check still holds when they write. When the
server goes away the call fails with ConnectionLostError, and the next one
connects again by itself.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import orjson
import psycopg
from psycopg import errors as pg
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import ConnStatus

from store.backends.base import PROSPECTS, TABLES, Changes, Record, Table
from store.backends.postgres import columns, schema
from store.backends.postgres.failures import refusal
from store.backends.postgres.session import CHANNEL, Connection, PostgresSession, copy_rows
from store.backends.postgres.url import BARE_LOCATION, conninfo, masked, scrubbed
from store.bulk import collector_paused
from store.errors import ConnectionLostError, LockTimeoutError, StorageError, StoreError
from store.text import clean_for_display

LOCK_TIMEOUT_S = 30
_BEGIN_READ = b"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
_BEGIN_WRITE = (f"BEGIN; SELECT set_config('lock_timeout', '{LOCK_TIMEOUT_S}s', true), "
                f"pg_advisory_xact_lock({schema.WRITE_LOCK})").encode()


class PostgresRepository:
    """Prospects, users, orders, import batches and views in a PostgreSQL database."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._conninfo = conninfo(url)
        self.location = masked(url) if self._conninfo else BARE_LOCATION
        self._lock = threading.RLock()  # one session at a time on the shared connection
        self._poll_lock = threading.Lock()
        self._conn: Connection | None = None
        self._listener: Connection | None = None
        self._session: PostgresSession | None = None  # the open one: a nested call joins it
        self._outdated: schema.OlderSchemaError | None = None  # until `db upgrade`
        self.created_new = False
        try:
            with self._translated():
                try:
                    self.created_new = schema.check(self._connection())
                except schema.OlderSchemaError as error:
                    self._outdated = error
                self._listener = self._listen()
        except BaseException:
            self.close()  # a refused database (schema, connection) keeps no connection open
            raise

    # -- connections ---------------------------------------------------------

    def _reason(self, error: BaseException) -> str:
        # libpq's first line ends with the cause ("... failed: Connection refused"); the
        # socket path and hints before and after it would fill a small terminal.
        lines = str(error).strip().splitlines()
        why = lines[0].rpartition("failed: ")[2].strip() if lines else ""
        return scrubbed(clean_for_display(why or type(error).__name__, 160), self._url)

    def _connect(self) -> Connection:
        extra: dict[str, Any] = {}
        try:
            given = conninfo_to_dict(self._conninfo)
        except psycopg.Error as error:  # libpq's text quotes the URL, password and all
            raise StorageError(f"{self.location} is not a usable PostgreSQL URL: "
                               f"{self._reason(error)}; check how it is written") from None
        # libpq waits without end on a host that does not answer; a person should not.
        if "connect_timeout" not in given and "PGCONNECT_TIMEOUT" not in os.environ:
            extra["connect_timeout"] = 10
        try:
            conn = psycopg.connect(self._conninfo, autocommit=True, **extra)
        except psycopg.Error as error:
            raise ConnectionLostError(
                f"cannot reach the database server {self.location} ({self._reason(error)}): "
                "is it running? It tries again by itself"
            ) from None
        # The text columns.SELECT asks for: times in UTC, dates as YYYY-MM-DD.
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute("SET DateStyle = 'ISO, YMD'")
        return conn

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = self._connect()
        return self._conn

    def _listen(self) -> Connection:
        conn = self._connect()
        conn.execute(f"LISTEN {CHANNEL}")
        return conn

    def _dropped(self, which: str) -> bool:
        """Whether the connection `which` names is gone (closed here if the server dropped it)."""
        conn: Connection | None = getattr(self, which)
        # libpq marks a connection whose socket died as bad; psycopg may not call it broken.
        if conn is not None and not (conn.closed or conn.broken or conn.info.status != ConnStatus.OK):
            return False
        if conn is not None:
            conn.close()
            setattr(self, which, None)
        return True

    @contextmanager
    def _translated(self, which: str = "_conn") -> Iterator[None]:
        """psycopg's exceptions as StoreError subclasses, for people (never a password).

        `which` is the connection in use: the sessions' or the listener (poll runs in
        another thread, and must not close the connection a session is using).
        """
        try:
            yield
        except pg.LockNotAvailable:
            raise LockTimeoutError(
                f"another session has held the write lock of {self.location} for more than "
                f"{LOCK_TIMEOUT_S} s: nothing was saved; try again"
            ) from None
        except psycopg.OperationalError as error:
            if not self._dropped(which):
                raise self._refusal(error) from None
            raise ConnectionLostError(
                f"lost the connection to {self.location} ({self._reason(error)}): this change "
                "may not be saved; it reconnects by itself, then save again"
            ) from None
        except psycopg.Error as error:
            raise self._refusal(error) from None

    def _refusal(self, error: psycopg.Error) -> StoreError:
        """refusal()'s error, its message without the URL's password (libpq's text may quote it)."""
        refused = refusal(error, self.location)
        clean = scrubbed(str(refused), self._url)
        return refused if clean == str(refused) else type(refused)(clean)

    # -- sessions ------------------------------------------------------------

    @contextmanager
    def _session_in(self, *, writable: bool) -> Iterator[PostgresSession]:
        self._refuse_outdated()
        with self._lock:
            if self._session is not None:  # a nested call on this thread: the same transaction
                if writable and not self._session.writable:
                    raise RuntimeError("a write session inside a read session")
                yield self._session
                return
            with self._translated():
                conn = self._connection()
                # Round trips are most of a save's time: the transaction starts (and a writer
                # takes the lock) in one, and ends with its NOTIFY in one.
                self._session = session = PostgresSession(conn, writable=writable)
                try:
                    conn.execute(_BEGIN_WRITE if writable else _BEGIN_READ)
                    yield session
                    conn.execute(session.commit_statement())
                except BaseException:
                    if not (conn.closed or conn.broken):
                        conn.execute(b"ROLLBACK")
                    raise
                finally:
                    self._session = None

    def reading(self) -> AbstractContextManager[PostgresSession]:
        """A read-only transaction on one snapshot (a nested call joins the open session)."""
        return self._session_in(writable=False)

    def writing(self) -> AbstractContextManager[PostgresSession]:
        """A transaction under the write lock, committed when the block ends without error."""
        return self._session_in(writable=True)

    # -- the list, other sessions' changes ------------------------------------

    def prospect_rows(self) -> list[tuple[int, Record]]:
        """Every prospect, formatted by the server: one query, no validation."""
        self._refuse_outdated()
        with self._lock, self._translated():
            rows = self._connection().execute(columns.SELECT[PROSPECTS]).fetchall()
        with collector_paused():  # 100k new dicts: the collector would rescan them again and again
            return columns.records(PROSPECTS, rows)

    def poll(self) -> Changes:
        """What the notifications since the last poll name; the prospects' records fetched by id.

        A listener the server dropped is replaced at once, and as nothing says what
        was missed meanwhile the answer is `everything` (ConnectionLostError only
        while the server is away).
        """
        self._refuse_outdated()
        with self._poll_lock, self._translated("_listener"):
            if self._listener is not None:
                try:
                    return self._changes(self._listener)
                except psycopg.OperationalError:
                    self._listener.close()  # it only listens: whatever failed, start again
            self._listener = self._listen()
            return Changes(everything=True)

    @staticmethod
    def _changes(listener: Connection) -> Changes:
        """The notifications waiting (without waiting), and the named prospects as they are now."""
        changes = Changes()
        ids: set[int] = set()
        for note in listener.notifies(timeout=0):
            said = orjson.loads(note.payload)
            changes.everything |= bool(said.get("everything"))
            ids.update(said.get("prospects", ()))
            tables = set(said.get("tables", ()))
            changes.users |= "users" in tables
            changes.orders |= "orders" in tables
            changes.batches |= "batches" in tables
            changes.views |= "views" in tables
        if changes.everything or not ids:
            return changes
        rows = listener.execute(columns.SELECT[PROSPECTS] + " WHERE id = ANY(%s)",
                                (sorted(ids),)).fetchall()
        current = dict(columns.records(PROSPECTS, rows))
        changes.prospects = {record_id: current.get(record_id) for record_id in sorted(ids)}
        return changes

    # -- moving between backends ---------------------------------------------

    def dump(self) -> dict[Table, list[tuple[int, Record]]]:
        with self.reading() as session:
            return {table: list(session.scan(table)) for table in TABLES}

    def all_history(self) -> list[Record]:
        with self.reading() as session:
            return session.history(None)

    def highest_ids(self) -> dict[Table, int]:
        with self.reading() as session:
            return {table: int(session.conn.execute(
                f"SELECT greatest(coalesce(max(id), 0), coalesce(pg_sequence_last_value("
                f"pg_get_serial_sequence(%(t)s, 'id')::regclass), 0)) FROM {table}",
                {"t": table}).fetchone()[0]) for table in TABLES}  # type: ignore[index]

    def load(self, tables: dict[Table, list[tuple[int, Record]]],
             highest: dict[Table, int]) -> None:
        """Fill an empty database exactly (ids too); the sequences continue after `highest`."""
        with self.writing() as session:
            if not self._empty(session.conn):
                raise StoreError(f"{self.location} is not empty: copy into an empty database only")
            for table in TABLES:
                copy_rows(session.conn, table, iter(tables.get(table, [])))
                session.conn.execute(
                    "SELECT setval(pg_get_serial_sequence(%(t)s, 'id'), greatest(max(id), %(h)s))"
                    f" FROM {table} HAVING greatest(max(id), %(h)s) > 0",
                    {"t": table, "h": highest.get(table, 0)})
            session.everything = True

    @staticmethod
    def _empty(conn: Connection) -> bool:
        query = " AND ".join(f"NOT EXISTS (SELECT 1 FROM {table})" for table in TABLES)
        row = conn.execute(f"SELECT {query}").fetchone()
        return bool(row and row[0])

    def is_empty(self) -> bool:
        with self.reading() as session:
            return self._empty(session.conn)

    def upgrade(self) -> str:
        """Create the schema or bring it to this app's version (`prospects db upgrade`)."""
        with self._lock, self._translated():
            done = schema.upgrade(self._connection())
        self._outdated = None
        return done

    def _refuse_outdated(self) -> None:
        if self._outdated is not None:
            raise self._outdated

    def close(self) -> None:
        with self._lock, self._poll_lock:
            for conn in (self._conn, self._listener):
                if conn is not None:
                    conn.close()
            self._conn = self._listener = None
