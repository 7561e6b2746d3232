"""The Store: the business rules, written once over any backend.

Uniqueness of domains and e-mails, the hand-over of a removed lead's prospects,
stale-save conflicts, orders that turn a prospect into a customer, import
batches and their undo. Each change is one write session of the repository
(store.backends.base): under its write lock, on the latest data, all or nothing.
Screens and the CLI call these methods and see models, typed rows and
store.errors exceptions, never a backend.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from store.backends.base import BATCHES, ORDERS, PROSPECTS, USERS, Changes, Record
from store.backends.open import chosen_target, open_repository
from store.catalog import Catalog, load_catalog
from store.errors import (
    AlreadyImportedError,
    ConflictError,
    NotFoundError,
    StoreError,
)
from store.models import (
    AS_STORED,
    DomainCheck,
    ImportBatch,
    Order,
    Prospect,
    ProspectRow,
    User,
    now,
    stored_time,
)
from store.rules.checks import (
    check_domain_free,
    check_email_free,
    current_record,
    live_batch,
    prospects_naming,
    replace_user,
)
from store.rules.history import entry, field_changes, public
from store.rules.verify_all import check_to_store
from store.rules.views import ViewRules
from store.rules.who import who
from store.text import name_key, quoted


def submit_refusal(order: Order) -> str | None:
    """Why this order cannot be submitted yet, or None; the TUI and the CLI say the same."""
    if not order.products:
        return ("Products: this order has no products; choose at least one on the prospect "
                "before submitting")
    return None


def _dump(model: Prospect | User | Order | ImportBatch) -> Record:
    return model.model_dump(mode="json", exclude={"id"})


def _prospect(prospect_id: int, record: Record) -> Prospect:
    return Prospect.model_validate({**record, "id": prospect_id})


class Store(ViewRules):
    """Prospects, users, orders, import batches and saved views (store.rules.views), in a file
    or a PostgreSQL database."""

    def __init__(self, target: str | os.PathLike[str] | None = None, *,
                 catalog: Catalog | None = None) -> None:
        """Open `target` (a file path or postgresql:// URL; default PROSPECTS_DB or the
        user data file). Raises StorageError when it cannot be used."""
        chosen = chosen_target(target)
        self.path: Path | None = chosen if isinstance(chosen, Path) else None
        self.catalog = catalog if catalog is not None else load_catalog()
        self._repo = open_repository(target)
        self.location = self._repo.location  # for people: a URL's password is masked
        # True when this Store began a new, empty database (say so: the path may be a typo).
        self.created_new = self._repo.created_new
        # Goes up with every change seen by poll(): a screen that remembers it knows
        # whether its copy is still current.
        self.revision = 0

    def close(self) -> None:
        """Release the file or connection."""
        self._repo.close()

    def poll(self) -> Changes:
        """What changed since the last poll, here or in another session (from a worker)."""
        changes = self._repo.poll()
        if changes:
            self.revision += 1
        return changes

    def upgrade(self) -> str:
        """Create or upgrade the database's schema; says what was done."""
        return self._repo.upgrade()

    # -- reading -------------------------------------------------------------

    def prospect_rows(self) -> list[tuple[int, ProspectRow]]:
        """Every prospect as (id, row), cheap at 100k: no validation, for the list."""
        return self._repo.prospect_rows()  # type: ignore[return-value]

    def get_prospect(self, prospect_id: int) -> Prospect:
        """The prospect with that id, or NotFoundError."""
        with self._repo.reading() as session:
            record = session.get(PROSPECTS, prospect_id)
        if record is None:
            raise NotFoundError(f"prospect {prospect_id} no longer exists (someone deleted it)")
        return _prospect(prospect_id, record)

    def prospect_with_domain(self, domain: str, *, exclude: int | None = None) -> Prospect | None:
        """The prospect or customer that already has this normalised domain."""
        with self._repo.reading() as session:
            found = session.find(PROSPECTS, "domain", domain)
        return next((_prospect(i, r) for i, r in found if i != exclude), None)

    def prospects_with_domains(self, domains: Collection[str]) -> dict[str, ProspectRow]:
        """The prospects and customers that have any of these normalised domains, by domain."""
        with self._repo.reading() as session:
            return session.with_domains(domains)  # type: ignore[return-value]

    def same_name_prospects(self, name: str, *, exclude: int | None = None) -> list[Prospect]:
        """Prospects whose company name equals `name`, blind to case, accents and spacing.

        For a warning, never a block: two companies may share a name (a typo'd duplicate
        usually has another domain, so the domain check alone misses it).
        """
        wanted = name_key(name)
        if not wanted:
            return []
        with self._repo.reading() as session:
            found = session.find(PROSPECTS, "name_key", wanted)
        return [_prospect(i, r) for i, r in found if i != exclude]

    def users(self) -> list[User]:
        """All users, by name."""
        with self._repo.reading() as session:
            users = [User.model_validate({**r, "id": i}, context=AS_STORED)
                     for i, r in session.scan(USERS)]
        return sorted(users, key=lambda u: u.name.casefold())

    def leads(self) -> list[User]:
        """The users flagged as implementation leads, by name."""
        return [user for user in self.users() if user.implementation_lead]

    def named_counts(self) -> Counter[int]:
        """How many prospects name each user as lead or secondary contact."""
        named: Counter[int] = Counter()
        for _, row in self._repo.prospect_rows():
            for key in ("implementation_lead", "secondary_contact"):
                if isinstance(row.get(key), int):
                    named[row[key]] += 1
        return named

    def orders_for(self, prospect_id: int) -> list[Order]:
        """The orders of one prospect, oldest first."""
        with self._repo.reading() as session:
            found = session.find(ORDERS, "prospect", prospect_id)
        return sorted((Order.model_validate({**r, "id": i}) for i, r in found),
                      key=lambda order: order.id or 0)

    def import_batches(self) -> list[ImportBatch]:
        """Every import batch, oldest first."""
        with self._repo.reading() as session:
            batches = [ImportBatch.model_validate({**r, "id": i}) for i, r in session.scan(BATCHES)]
        return sorted(batches, key=lambda batch: batch.id or 0)

    def history(self, prospect_id: int) -> list[Record]:
        """What happened to a prospect, oldest first: {"at", "who", "what", "changes"} each;
        a deleted prospect's history too."""
        with self._repo.reading() as session:
            return [public(e) for e in session.history(prospect_id)]

    def batch_with_sha256(self, sha256: str) -> ImportBatch | None:
        """The import batch of the file with this SHA-256, unless it was undone."""
        with self._repo.reading() as session:
            return live_batch(session, sha256)

    # -- users ---------------------------------------------------------------

    def add_user(self, user: User) -> User:
        """Add a user; the e-mail must be new (any case)."""
        with self._repo.writing() as session:
            check_email_free(session, user.email, None)
            new_id = session.insert(USERS, _dump(user))
        return user.model_copy(update={"id": new_id})

    def update_user(self, user: User) -> User:
        """Save a user's name, e-mail or lead flag.

        A user still named on a prospect cannot stop being a lead: replace them
        there first (see replace_lead).
        """
        assert user.id is not None
        with self._repo.writing() as session:
            if session.get(USERS, user.id) is None:
                raise NotFoundError(f"user {quoted(user.name)} no longer exists")
            check_email_free(session, user.email, user.id)
            named = prospects_naming(session, user.id)
            if not user.implementation_lead and named:
                raise StoreError(
                    f"{quoted(user.name)} is the lead or secondary contact of {len(named)} "
                    "prospect(s): choose a replacement before unflagging them"
                )
            session.update(USERS, user.id, _dump(user))
        return user

    def remove_user(self, user_id: int, replacement: int | None = None) -> int:
        """Remove a user, handing their prospects to `replacement`; returns prospects changed."""
        with self._repo.writing() as session:
            changed = replace_user(session, user_id, replacement)
            session.delete(USERS, [user_id])
        return changed

    def replace_lead(self, user_id: int, replacement: int) -> int:
        """Name `replacement` wherever `user_id` is lead or secondary; returns prospects changed."""
        with self._repo.writing() as session:
            return replace_user(session, user_id, replacement)

    # -- prospects -----------------------------------------------------------

    def create_prospect(self, prospect: Prospect, *, via: str = "form") -> Prospect:
        """Add a new prospect; its domain must not be here yet. The history says it was
        created `via` the form, the CLI ("cli") or some other way."""
        stamp = now()
        fresh = prospect.model_copy(update={"created_at": stamp, "updated_at": stamp, "version": 1})
        with self._repo.writing() as session:
            check_domain_free(session, fresh.domain, None)
            new_id = session.insert(PROSPECTS, _dump(fresh))
            session.add_history([entry(new_id, f"created via {via}", at=stored_time(stamp))])
        return fresh.model_copy(update={"id": new_id})

    def update_prospect(self, prospect: Prospect) -> Prospect:
        """Save an edited prospect.

        `prospect.version` must be the version that was read; if someone saved
        it since, ConflictError keeps their change and tells the user.
        """
        assert prospect.id is not None
        with self._repo.writing() as session:
            current = current_record(session, PROSPECTS, prospect.id, prospect.version)
            check_domain_free(session, prospect.domain, prospect.id)
            saved = prospect.model_copy(
                update={"updated_at": now(), "version": prospect.version + 1,
                        "status": current.get("status", prospect.status)}
            )
            record = _dump(saved)
            session.update(PROSPECTS, prospect.id, record)
            session.add_history([entry(prospect.id, "edited", field_changes(current, record),
                                       at=record["updated_at"])])
        return saved

    def record_checks(self, results: Mapping[int, DomainCheck]) -> int:
        """Store Verify answers (Verify all) in one write session; returns how many were stored.

        "Could not check" never replaces an earlier answer (check_to_store), a prospect
        deleted meanwhile is skipped, and neither version nor updated_at change: they
        stamp what the person edits, and an open form must save without a conflict.
        """
        entries: list[Record] = []
        by = who()
        with self._repo.writing() as session:
            for prospect_id, check in results.items():
                record = session.get(PROSPECTS, prospect_id)
                value = None if record is None else check_to_store(record.get("domain_check"), check)
                if value is not None and record is not None:
                    session.update(PROSPECTS, prospect_id, {"domain_check": value})
                    before = (record.get("domain_check") or {}).get("verdict")
                    entries.append(entry(prospect_id, f"verified: {check.verdict}",
                                         {"verdict": [before, check.verdict]}, by=by))
            session.add_history(entries)
        return len(entries)

    def delete_prospect(self, prospect_id: int, version: int) -> None:
        """Delete a prospect and its orders, unless someone saved it since `version`."""
        with self._repo.writing() as session:
            current_record(session, PROSPECTS, prospect_id, version)
            orders = [i for i, _ in session.find(ORDERS, "prospect", prospect_id)]
            if orders:
                session.delete(ORDERS, orders)
            session.delete(PROSPECTS, [prospect_id])
            session.add_history([entry(prospect_id, "deleted")])

    def import_prospects(
        self, records: Iterable[Record], batch: ImportBatch
    ) -> tuple[ImportBatch, list[int]]:
        """Add validated prospect records and their import batch in one write session.

        `records` are fresh dicts shaped as `Prospect.model_dump(mode="json")`
        without id, timestamps, version and batch (the importer built each by
        store.rules.validation's rules); the store takes them over and adds those
        fields, which saves re-validating and copying 100k models here. Inside
        the write lock, so that two sessions cannot both win: AlreadyImportedError
        if a live batch has this file's SHA-256; records whose domain someone else
        added meanwhile are skipped and returned as their indexes.
        """
        records = list(records)
        stamp = now()
        with self._repo.writing() as session:
            earlier = live_batch(session, batch.sha256)
            if earlier is not None:
                raise AlreadyImportedError(earlier)
            taken = session.with_domains([record["domain"] for record in records])
            batch_id = session.insert(BATCHES, _dump(batch.model_copy(update={"imported_at": stamp})))
            stamped = _dump(batch.model_copy(update={"imported_at": stamp}))["imported_at"]
            common = {"created_at": stamped, "updated_at": stamped, "version": 1,
                      "import_batch": batch_id}
            fresh: list[Record] = []
            skipped: list[int] = []
            seen: set[str] = set()
            for i, record in enumerate(records):
                if record["domain"] in taken or record["domain"] in seen:
                    skipped.append(i)
                    continue
                seen.add(record["domain"])
                record.update(common)
                fresh.append(record)
            ids = session.insert_many(PROSPECTS, fresh)
            by, what = who(), f"created via import {batch_id}"
            session.add_history([entry(i, what, at=stamped, by=by) for i in ids])
            saved = batch.model_copy(update={
                "id": batch_id, "imported_at": stamp, "created": len(ids),
                "duplicates": batch.duplicates + len(skipped), "prospect_ids": ids,
            })
            session.update(BATCHES, batch_id, _dump(saved))
        return saved, skipped

    def undo_batch(self, batch_id: int) -> tuple[list[int], list[int]]:
        """Remove what an import batch created, except records edited since.

        Returns (removed ids, kept ids: edited since the import or already customers).
        """
        with self._repo.writing() as session:
            batch = session.get(BATCHES, batch_id)
            if batch is None:
                raise NotFoundError(f"there is no import batch {batch_id}")
            if batch.get("undone_at"):
                raise StoreError(f"import batch {batch_id} was already undone at {batch['undone_at']}")
            removed: list[int] = []
            kept: list[int] = []
            for prospect_id in batch.get("prospect_ids", []):
                record = session.get(PROSPECTS, prospect_id)
                if record is None:
                    continue
                edited = int(record.get("version", 1)) != 1 or record.get("status") != "prospect"
                (kept if edited else removed).append(prospect_id)
            stamp, by = stored_time(now()), who()
            if removed:
                session.delete(PROSPECTS, removed)
                session.add_history([entry(i, f"import {batch_id} undone", at=stamp, by=by)
                                     for i in removed])
            session.update(BATCHES, batch_id, {"undone_at": stamp})
        return removed, kept

    # -- orders --------------------------------------------------------------

    def save_order(self, order: Order, *, submit: bool = False) -> Order:
        """Save a draft order; with submit=True submit it and make its prospect a customer.

        A submit without products is refused (StoreError, see submit_refusal).
        """
        refusal = submit_refusal(order) if submit else None
        if refusal is not None:
            raise StoreError(refusal)
        with self._repo.writing() as session:
            owner = session.get(PROSPECTS, order.prospect)
            if owner is None:
                raise NotFoundError("its prospect was deleted by someone else")
            if order.id is not None:
                current = current_record(session, ORDERS, order.id, order.version)
                if current.get("status") == "submitted":
                    raise ConflictError("this order was already submitted; it is read-only")
            stamp = now()
            update: Record = {"updated_at": stamp, "version": order.version + 1}
            if submit:
                update.update(status="submitted", submitted_at=stamp)
            saved = order.model_copy(update=update)
            if order.id is None:
                saved = saved.model_copy(update={"id": session.insert(ORDERS, _dump(saved))})
            else:
                session.update(ORDERS, order.id, _dump(saved))
            changes: dict[str, list[object]] = {}
            if submit:
                changes = field_changes({"status": owner.get("status")}, {"status": "customer"})
                session.update(PROSPECTS, order.prospect,
                               {"status": "customer", "updated_at": stored_time(stamp)})
            what = f"order {saved.id} {'submitted' if submit else 'saved'}"
            session.add_history([entry(order.prospect, what, changes, at=stored_time(stamp))])
        return saved
