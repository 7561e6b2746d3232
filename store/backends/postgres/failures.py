"""psycopg's exceptions as StoreError subclasses, with messages for people.

The rules check uniqueness and references before they write, so these are
mostly the backstop (a writer that is not this app, a rules bug); the messages
still name the field, the value and what to do. Nothing here shows a password:
libpq's own text goes through url.scrubbed first.
"""

from __future__ import annotations

import re

import psycopg
from psycopg import errors as pg

from store.errors import DuplicateError, NotFoundError, StorageError, StoreError
from store.text import clean_for_display, quoted

_KEY = re.compile(r"Key \((?P<column>.*?)\)=\((?P<value>.*)\)", re.DOTALL)

_UNIQUE = {
    "prospects_domain_unique": "Domain: {value} is already a prospect or customer here; "
                               "open that one instead",
    "users_email_key_unique": "E-mail: {value} already belongs to another user (e-mails are "
                              "compared ignoring case); use another",
    "import_batches_one_live_per_file": "this file (SHA-256 {value}) is already imported and not "
                                        "undone: nothing was done",
    "views_one_name_per_scope": "Name: a view of that name exists already (saved by another "
                                "session?); choose another name, or replace it",
}
_REFERENCE = {
    "prospects_lead_fk": "Implementation lead: user {value} does not exist (removed by another "
                         "session?); choose another",
    "prospects_secondary_fk": "Secondary contact: user {value} does not exist (removed by another "
                              "session?); choose another",
    "prospects_batch_fk": "Import batch {value} does not exist; nothing was done",
    "orders_prospect_fk": "Order: prospect {value} does not exist (deleted by another session?)",
}
_CHECK = {
    "prospects_permitted_users_check": "Permitted users: must be 1 or more",
    "prospects_seats_check": "Products: seats must be 1 or more (or left empty)",
    "orders_seats_check": "Order products: seats must be 1 or more (or left empty)",
    "prospects_status_check": "Status: must be 'prospect' or 'customer'",
    "orders_status_check": "Order status: must be 'draft' or 'submitted'",
}


def _key(error: psycopg.Error) -> tuple[str, str]:
    """The column and the (quoted) value a key violation names."""
    match = _KEY.search(error.diag.message_detail or "")
    if match is None:
        return "this key", "(unknown)"
    return clean_for_display(match["column"], 60), quoted(match["value"])


def refusal(error: psycopg.Error, location: str) -> StoreError:
    """What the database refused (a constraint, a bad value), as a StoreError for people."""
    diag = error.diag
    constraint = diag.constraint_name or ""
    table = diag.table_name or "a table"
    column, value = _key(error)
    if isinstance(error, pg.UniqueViolation):
        template = _UNIQUE.get(constraint, "{table}: a record with {column} {value} exists already")
        return DuplicateError(template.format(value=value, table=table, column=column))
    if isinstance(error, pg.ForeignKeyViolation):
        if "still referenced" in (diag.message_detail or ""):  # a delete, not a dangling insert
            return StoreError(f"record {value} is still named by {table} ({constraint}): hand "
                              "those over first; nothing was done")
        if constraint in _REFERENCE:
            return NotFoundError(_REFERENCE[constraint].format(value=value))
        return StoreError(f"{table}: a record is still referred to ({constraint}); nothing was done")
    if isinstance(error, pg.CheckViolation):
        return StoreError(_CHECK.get(constraint, f"{table}: a value breaks the check {constraint}"))
    if isinstance(error, pg.NotNullViolation):
        return StoreError(f"{table}: {diag.column_name or 'a field'} is missing; nothing was done")
    # Checked in psycopg, before the server: then there is no diag, only the text.
    primary = clean_for_display(diag.message_primary or str(error) or type(error).__name__, 200)
    if isinstance(error, pg.DataError | pg.IntegrityError):
        where = f" ({clean_for_display(diag.context, 200)})" if diag.context else ""
        if "NUL" in primary or "\\u0000" in (diag.message_detail or "") + (diag.context or ""):
            primary = "a text holds a NUL character (U+0000), which PostgreSQL cannot store; remove it"
        return StoreError(f"{diag.table_name or 'A record'}: the database refused a value: "
                          f"{primary}{where}; nothing was done")
    return StorageError(f"{location}: the database failed: {primary}")
