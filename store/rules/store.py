"""The Store: the only code that touches TinyDB.

Screens and the CLI call these methods and never see TinyDB, so a server
backend can be added beside this one later. Every change is one transaction:
under the file lock, on the latest data, written once (see storage.py).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from platformdirs import user_data_path
from tinydb.table import Document

from store.backends.tinydb import record_schema
from store.backends.tinydb.storage import SafeJSONStorage, StorageError
from store.backends.tinydb.transaction import BATCHES, ORDERS, PROSPECTS, USERS, Record, Transaction
from store.bulk import collector_paused
from store.catalog import Catalog, load_catalog
from store.models import AS_STORED, ImportBatch, Order, Prospect, User, now
from store.text import name_key, quoted


class StoreError(Exception):
    """A change the Store refused; the message says why and what to do."""


class ConflictError(StoreError):
    """The record was saved by someone else since it was read."""


class NotFoundError(StoreError):
    """The record no longer exists (someone deleted it)."""


class DuplicateError(StoreError):
    """A unique value (a prospect's domain, a user's e-mail) is already taken."""


class AlreadyImportedError(StoreError):
    """The same file (by SHA-256) was imported before and not undone; `batch` says when."""

    def __init__(self, batch: ImportBatch) -> None:
        super().__init__(
            f"{batch.file_name} was already imported at {batch.imported_at:%Y-%m-%d %H:%M} UTC "
            f"(import batch {batch.id}, {batch.created} prospect(s) created): nothing was done"
        )
        self.batch = batch


def default_db_path() -> Path:
    """PROSPECTS_DB, else prospects.json in the platform's user data directory."""
    env = os.environ.get("PROSPECTS_DB")
    if env:
        return Path(env)
    return user_data_path("msp-prospects", appauthor=False) / "prospects.json"


def submit_refusal(order: Order) -> str | None:
    """Why this order cannot be submitted yet, or None; the TUI and the CLI say the same."""
    if not order.products:
        return ("Products: this order has no products; choose at least one on the prospect "
                "before submitting")
    return None


def _dump(model: Prospect | User | Order | ImportBatch) -> Record:
    return model.model_dump(mode="json", exclude={"id"})


class Store:
    """Prospects, users, orders and import batches in one JSON file."""

    def __init__(self, path: Path | str | None = None, *, catalog: Catalog | None = None) -> None:
        # Only the platform's default location may make its folders: a path someone typed
        # (--db, PROSPECTS_DB, a caller's) in a missing folder is most likely a typo.
        chosen = path is not None or bool(os.environ.get("PROSPECTS_DB"))
        self.path = Path(path) if path is not None else default_db_path()
        self.catalog = catalog if catalog is not None else load_catalog()
        self._storage = SafeJSONStorage(self.path, schema=record_schema,
                                        create_folders=not chosen)
        # True when this Store began a new, empty file (say so: the path may be a typo).
        self.created_new = self._storage.created_new
        # The UI reads from worker threads while the event loop saves: TinyDB edits
        # the cached tables in place, so readers and writers take turns.
        self._lock = threading.RLock()
        # Goes up with every write from this Store and every reload of another's:
        # a screen that remembers it knows whether its copy is still current.
        self.revision = 0

    # -- reading -------------------------------------------------------------

    def _table(self, name: str) -> dict[str, Record]:
        with self._lock:
            return dict(self._storage.read().get(name, {}))

    def changed_on_disk(self) -> bool:
        """True when another session has written the file since we last read it."""
        return self._storage.changed_on_disk()

    def refresh(self) -> bool:
        """Re-read the file if another session changed it; True if it did."""
        with self._lock:
            changed = self._storage.reload()
            if changed:
                self.revision += 1
            return changed

    def close(self) -> None:
        """Release the file."""
        self._storage.close()

    def prospect_records(self) -> list[tuple[int, Record]]:
        """Every prospect as (id, raw JSON record), cheap at 100k: no validation."""
        return [(int(key), record) for key, record in self._table(PROSPECTS).items()]

    def get_prospect(self, prospect_id: int) -> Prospect:
        """The prospect with that id, or NotFoundError."""
        with self._lock:  # one record: read it in place rather than copy the table
            record = self._storage.read().get(PROSPECTS, {}).get(str(prospect_id))
            if record is None:
                raise NotFoundError(f"prospect {prospect_id} no longer exists (someone deleted it)")
            return Prospect.model_validate({**record, "id": prospect_id})

    def prospect_with_domain(self, domain: str, *, exclude: int | None = None) -> Prospect | None:
        """The prospect or customer that already has this normalised domain."""
        for key, record in self._table(PROSPECTS).items():
            if record.get("domain") == domain and int(key) != exclude:
                return Prospect.model_validate({**record, "id": int(key)})
        return None

    def same_name_prospects(self, name: str, *, exclude: int | None = None) -> list[Prospect]:
        """Prospects whose company name equals `name`, blind to case, accents and spacing.

        For a warning, never a block: two companies may share a name (a typo'd duplicate
        usually has another domain, so the domain check alone misses it).
        """
        wanted = name_key(name)
        if not wanted:
            return []
        return [
            Prospect.model_validate({**record, "id": int(key)})
            for key, record in self._table(PROSPECTS).items()
            if name_key(record["company_name"]) == wanted and int(key) != exclude
        ]

    def users(self) -> list[User]:
        """All users, by name."""
        users = [User.model_validate({**r, "id": int(k)}, context=AS_STORED)
                 for k, r in self._table(USERS).items()]
        return sorted(users, key=lambda u: u.name.casefold())

    def leads(self) -> list[User]:
        """The users flagged as implementation leads, by name."""
        return [user for user in self.users() if user.implementation_lead]

    def orders_for(self, prospect_id: int) -> list[Order]:
        """The orders of one prospect, oldest first."""
        return [
            Order.model_validate({**r, "id": int(k)})
            for k, r in self._table(ORDERS).items()
            if r.get("prospect") == prospect_id
        ]

    def import_batches(self) -> list[ImportBatch]:
        """Every import batch, oldest first."""
        return [
            ImportBatch.model_validate({**r, "id": int(k)})
            for k, r in self._table(BATCHES).items()
        ]

    def batch_with_sha256(self, sha256: str) -> ImportBatch | None:
        """The import batch of the file with this SHA-256, unless it was undone."""
        return self._live_batch(self._table(BATCHES), sha256)

    @staticmethod
    def _live_batch(batches: dict[str, Record], sha256: str) -> ImportBatch | None:
        for key, record in batches.items():
            if record.get("sha256") == sha256 and not record.get("undone_at"):
                return ImportBatch.model_validate({**record, "id": int(key)})
        return None

    # -- writing -------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        """TinyDB over the latest data under the lock, written once at the end.

        If the body raises, the storage drops its cached copy (TinyDB may have
        edited it in place), so nothing half-done is ever seen or written.
        """
        # TinyDB rebuilds a table's dict on every change: at 100k records the
        # collector would rescan them mid-write for nothing.
        with self._lock, collector_paused(), self._storage.locked():
            txn = Transaction(self._storage.read())
            yield txn
            if txn.dirty:
                txn.remember_highest_ids()
                self._storage.write(txn.data)
                self.revision += 1

    def add_user(self, user: User) -> User:
        """Add a user; the e-mail must be new (any case)."""
        with self._transaction() as txn:
            self._check_email_free(txn, user.email, None)
            new_id = txn.insert(USERS, _dump(user))
        return user.model_copy(update={"id": new_id})

    def update_user(self, user: User) -> User:
        """Save a user's name, e-mail or lead flag.

        A user still named on a prospect cannot stop being a lead: replace them
        there first (see replace_lead).
        """
        assert user.id is not None
        with self._transaction() as txn:
            if str(user.id) not in txn.raw(USERS):
                raise NotFoundError(f"user {quoted(user.name)} no longer exists")
            self._check_email_free(txn, user.email, user.id)
            named = self._prospects_naming(txn, user.id)
            if not user.implementation_lead and named:
                raise StoreError(
                    f"{quoted(user.name)} is the lead or secondary contact of {len(named)} "
                    "prospect(s): choose a replacement before unflagging them"
                )
            txn.table(USERS).update(_dump(user), doc_ids=[user.id])
        return user

    def remove_user(self, user_id: int, replacement: int | None = None) -> int:
        """Remove a user, handing their prospects to `replacement`; returns prospects changed."""
        with self._transaction() as txn:
            changed = self._replace_user(txn, user_id, replacement)
            txn.table(USERS).remove(doc_ids=[user_id])
        return changed

    def replace_lead(self, user_id: int, replacement: int) -> int:
        """Name `replacement` wherever `user_id` is lead or secondary; returns prospects changed."""
        with self._transaction() as txn:
            return self._replace_user(txn, user_id, replacement)

    def _replace_user(self, txn: Transaction, user_id: int, replacement: int | None) -> int:
        named = self._prospects_naming(txn, user_id)
        if named and replacement is None:
            raise StoreError(
                f"this user is named on {len(named)} prospect(s): choose a replacement lead first"
            )
        raw = txn.raw(PROSPECTS)
        stamp = now().isoformat()
        for doc_id in named:
            record = raw[str(doc_id)]
            fields: Record = {"updated_at": stamp, "version": int(record.get("version", 1)) + 1}
            if record.get("implementation_lead") == user_id:
                fields["implementation_lead"] = replacement
                if record.get("secondary_contact") == replacement:
                    fields["secondary_contact"] = None
            else:
                fields["secondary_contact"] = None
            txn.table(PROSPECTS).update(fields, doc_ids=[doc_id])
        return len(named)

    @staticmethod
    def _prospects_naming(txn: Transaction, user_id: int) -> list[int]:
        return [
            int(key)
            for key, record in txn.raw(PROSPECTS).items()
            if user_id in (record.get("implementation_lead"), record.get("secondary_contact"))
        ]

    @staticmethod
    def _check_email_free(txn: Transaction, email: str, own_id: int | None) -> None:
        folded = email.casefold()
        for key, record in txn.raw(USERS).items():
            if str(record.get("email", "")).casefold() == folded and int(key) != own_id:
                raise DuplicateError(
                    f"E-mail: {quoted(email)} already belongs to {quoted(record.get('name', ''))}"
                )

    @staticmethod
    def _check_domain_free(txn: Transaction, domain: str, own_id: int | None) -> None:
        for key, record in txn.raw(PROSPECTS).items():
            if record.get("domain") == domain and int(key) != own_id:
                raise DuplicateError(
                    f"Domain: {domain} is already {record.get('status', 'prospect')} "
                    f"{quoted(record.get('company_name', ''))}"
                )

    def create_prospect(self, prospect: Prospect) -> Prospect:
        """Add a new prospect; its domain must not be here yet."""
        stamp = now()
        fresh = prospect.model_copy(update={"created_at": stamp, "updated_at": stamp, "version": 1})
        with self._transaction() as txn:
            self._check_domain_free(txn, fresh.domain, None)
            new_id = txn.insert(PROSPECTS, _dump(fresh))
        return fresh.model_copy(update={"id": new_id})

    def import_prospects(
        self, records: Iterable[Record], batch: ImportBatch
    ) -> tuple[ImportBatch, list[int]]:
        """Add validated prospect records and their import batch in one write under one lock.

        `records` are fresh dicts shaped as `Prospect.model_dump(mode="json")`
        without id, timestamps, version and batch (the importer built each by
        store.rules.validation's rules); the store takes them over and adds those
        fields, which saves re-validating and copying 100k models here. Inside
        the lock, so that two sessions cannot both win: AlreadyImportedError if
        a live batch has this file's SHA-256; records whose domain someone else
        added meanwhile are skipped and returned as their indexes.
        """
        stamp = now()
        stamped = _dump(batch.model_copy(update={"imported_at": stamp}))["imported_at"]
        with self._transaction() as txn:
            earlier = self._live_batch(txn.raw(BATCHES), batch.sha256)
            if earlier is not None:
                raise AlreadyImportedError(earlier)
            existing = txn.raw(PROSPECTS)
            taken = {record.get("domain") for record in existing.values()}
            batch_id = txn.next_id(BATCHES)
            first = doc_id = txn.next_id(PROSPECTS)
            common = {"created_at": stamped, "updated_at": stamped, "version": 1,
                      "import_batch": batch_id}
            fresh: dict[str, Record] = {}
            skipped: list[int] = []
            for i, record in enumerate(records):
                if record["domain"] in taken:
                    skipped.append(i)
                    continue
                record.update(common)
                fresh[str(doc_id)] = record
                doc_id += 1
            # Straight into the table: TinyDB's insert_multiple copies every record twice.
            txn.insert_raw(PROSPECTS, fresh)
            saved = batch.model_copy(update={
                "id": batch_id, "imported_at": stamp, "created": len(fresh),
                "duplicates": batch.duplicates + len(skipped),
                "prospect_ids": list(range(first, doc_id)),
            })
            txn.table(BATCHES).insert(Document(_dump(saved), doc_id=batch_id))
        return saved, skipped

    def _current(self, txn: Transaction, table: str, doc_id: int, version: int) -> Record:
        record = txn.raw(table).get(str(doc_id))
        if record is None:
            raise NotFoundError("it was deleted by someone else meanwhile")
        if int(record.get("version", 1)) != version:
            raise ConflictError(
                f"{quoted(record.get('company_name', 'this record'))} was changed by someone "
                "else since you opened it: your changes are still in the form; "
                "reopen it to see theirs"
            )
        return record

    def update_prospect(self, prospect: Prospect) -> Prospect:
        """Save an edited prospect.

        `prospect.version` must be the version that was read; if someone saved
        it since, ConflictError keeps their change and tells the user.
        """
        assert prospect.id is not None
        with self._transaction() as txn:
            current = self._current(txn, PROSPECTS, prospect.id, prospect.version)
            self._check_domain_free(txn, prospect.domain, prospect.id)
            saved = prospect.model_copy(
                update={"updated_at": now(), "version": prospect.version + 1,
                        "status": current.get("status", prospect.status)}
            )
            txn.table(PROSPECTS).update(_dump(saved), doc_ids=[prospect.id])
        return saved

    def delete_prospect(self, prospect_id: int, version: int) -> None:
        """Delete a prospect and its orders, unless someone saved it since `version`."""
        with self._transaction() as txn:
            self._current(txn, PROSPECTS, prospect_id, version)
            txn.table(PROSPECTS).remove(doc_ids=[prospect_id])
            orders = [int(k) for k, r in txn.raw(ORDERS).items() if r.get("prospect") == prospect_id]
            if orders:
                txn.table(ORDERS).remove(doc_ids=orders)

    def save_order(self, order: Order, *, submit: bool = False) -> Order:
        """Save a draft order; with submit=True submit it and make its prospect a customer.

        A submit without products is refused (StoreError, see submit_refusal).
        """
        refusal = submit_refusal(order) if submit else None
        if refusal is not None:
            raise StoreError(refusal)
        with self._transaction() as txn:
            if str(order.prospect) not in txn.raw(PROSPECTS):
                raise NotFoundError("its prospect was deleted by someone else")
            if order.id is not None:
                current = self._current(txn, ORDERS, order.id, order.version)
                if current.get("status") == "submitted":
                    raise ConflictError("this order was already submitted; it is read-only")
            stamp = now()
            update: Record = {"updated_at": stamp, "version": order.version + 1}
            if submit:
                update.update(status="submitted", submitted_at=stamp)
            saved = order.model_copy(update=update)
            if order.id is None:
                saved = saved.model_copy(update={"id": txn.insert(ORDERS, _dump(saved))})
            else:
                txn.table(ORDERS).update(_dump(saved), doc_ids=[order.id])
            if submit:
                txn.table(PROSPECTS).update(
                    {"status": "customer", "updated_at": stamp.isoformat()},
                    doc_ids=[order.prospect],
                )
        return saved

    def undo_batch(self, batch_id: int) -> tuple[list[int], list[int]]:
        """Remove what an import batch created, except records edited since.

        Returns (removed ids, kept ids: edited since the import or already customers).
        """
        with self._transaction() as txn:
            batch = txn.raw(BATCHES).get(str(batch_id))
            if batch is None:
                raise NotFoundError(f"there is no import batch {batch_id}")
            if batch.get("undone_at"):
                raise StoreError(f"import batch {batch_id} was already undone at {batch['undone_at']}")
            raw = txn.raw(PROSPECTS)
            removed: list[int] = []
            kept: list[int] = []
            for doc_id in batch.get("prospect_ids", []):
                record = raw.get(str(doc_id))
                if record is None:
                    continue
                edited = int(record.get("version", 1)) != 1 or record.get("status") != "prospect"
                (kept if edited else removed).append(doc_id)
            if removed:
                txn.table(PROSPECTS).remove(doc_ids=removed)
            txn.table(BATCHES).update({"undone_at": now().isoformat()}, doc_ids=[batch_id])
        return removed, kept


__all__ = [
    "AlreadyImportedError",
    "ConflictError",
    "DuplicateError",
    "NotFoundError",
    "Store",
    "StoreError",
    "StorageError",
    "default_db_path",
    "submit_refusal",
]
