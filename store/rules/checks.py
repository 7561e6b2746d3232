"""The rules' checks and shared steps, over any write session (store.backends.base).

Used by store.rules.store; each raises a store.errors exception naming the record
and the fix.
"""

from __future__ import annotations

from store.backends.base import BATCHES, PROSPECTS, USERS, Record, Session
from store.errors import ConflictError, DuplicateError, NotFoundError, StoreError
from store.models import ImportBatch, now, stored_time
from store.rules.history import entry, field_changes
from store.rules.who import who
from store.text import quoted


def live_batch(session: Session, sha256: str) -> ImportBatch | None:
    """The import batch of the file with this SHA-256, unless it was undone."""
    for batch_id, record in session.find(BATCHES, "sha256", sha256):
        if not record.get("undone_at"):
            return ImportBatch.model_validate({**record, "id": batch_id})
    return None


def current_record(session: Session, table: str, record_id: int, version: int) -> Record:
    """The record, if still at `version`; else NotFoundError or ConflictError (naming who saved
    it last and when, when the history knows)."""
    record = session.get(table, record_id)  # type: ignore[arg-type]
    if record is None:
        raise NotFoundError("it was deleted by someone else meanwhile")
    if int(record.get("version", 1)) != version:
        latest = session.history(record_id)[-1:] if table == PROSPECTS else []
        by = (f"{quoted(latest[0]['who'])} at {latest[0]['at']}" if latest
              else "someone else")
        raise ConflictError(
            f"{quoted(record.get('company_name', 'this record'))} was changed by {by} "
            "since you opened it: your changes are still in the form; "
            "reopen it to see theirs"
        )
    return record


def prospects_naming(session: Session, user_id: int) -> dict[int, Record]:
    """The prospects naming a user as lead or secondary contact, by id."""
    named = dict(session.find(PROSPECTS, "implementation_lead", user_id))
    named.update(session.find(PROSPECTS, "secondary_contact", user_id))
    return named


def replace_user(session: Session, user_id: int, replacement: int | None) -> int:
    """Name `replacement` wherever `user_id` is lead or secondary (in the history
    too); returns how many prospects changed."""
    named = prospects_naming(session, user_id)
    if named and replacement is None:
        raise StoreError(
            f"this user is named on {len(named)} prospect(s): choose a replacement lead first"
        )
    stamp, by = stored_time(now()), who()
    entries: list[Record] = []
    for prospect_id, record in sorted(named.items()):
        fields: Record = {"updated_at": stamp, "version": int(record.get("version", 1)) + 1}
        if record.get("implementation_lead") == user_id:
            fields["implementation_lead"] = replacement
            if record.get("secondary_contact") == replacement:
                fields["secondary_contact"] = None
        else:
            fields["secondary_contact"] = None
        session.update(PROSPECTS, prospect_id, fields)
        entries.append(entry(prospect_id, "lead handed over",
                             field_changes(record, {**record, **fields}), at=stamp, by=by))
    session.add_history(entries)
    return len(named)


def check_email_free(session: Session, email: str, own_id: int | None) -> None:
    """DuplicateError when another user has this e-mail (any case)."""
    for user_id, record in session.find(USERS, "email_key", email.casefold()):
        if user_id != own_id:
            raise DuplicateError(
                f"E-mail: {quoted(email)} already belongs to {quoted(record.get('name', ''))}"
            )


def check_domain_free(session: Session, domain: str, own_id: int | None) -> None:
    """DuplicateError when another prospect has this normalised domain."""
    for prospect_id, record in session.find(PROSPECTS, "domain", domain):
        if prospect_id != own_id:
            raise DuplicateError(
                f"Domain: {domain} is already {record.get('status', 'prospect')} "
                f"{quoted(record.get('company_name', ''))}"
            )

