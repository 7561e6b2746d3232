"""What the store can refuse or fail at: the only exceptions screens and the CLI catch.

Every message is for a person: it says what happened and what to do. Backends
translate their own exceptions (OSError, psycopg's) into these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.models import ImportBatch


class StoreError(Exception):
    """A change the Store refused, or a database it cannot use; the message says why."""


class FilterError(StoreError):
    """A list filter that cannot be read (store.listing.filter); the message says what to fix."""


class ViewError(StoreError):
    """A saved view that cannot be kept as given; the message names the field and the fix."""


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


class SettingsError(StoreError):
    """A setting of this machine's user config folder could not be saved; the message says why."""


class StorageError(StoreError):
    """The database cannot be reached, read or saved; the message names it and says what to do."""


class UnsafePathError(StorageError):
    """The path is a symlink, not a regular file, in a world-writable folder or someone else's."""


class CorruptFileError(StorageError):
    """The file is not a database this app wrote: bad JSON or UTF-8, a BOM, or the wrong shape."""


class LockTimeoutError(StorageError):
    """Another session held the lock for longer than the timeout."""


class ConnectionLostError(StorageError):
    """The database server stopped answering; the next call tries to reconnect."""


class SchemaError(StorageError):
    """The database's schema is missing, older (run `db upgrade`) or newer than this app knows."""
