"""The history beside a data file: `<data file>.history.jsonl`, one JSON entry a line.

Append-only, so a change's entries cost one write however big the history grows,
and start-up never reads it. Appended under the data file's lock, after the data
file was written, and fsync'd; a line torn by a crash is skipped when read. Each
line starts with its prospect's id, so one prospect's entries are found by a
byte search instead of parsing every line.
"""

from __future__ import annotations

import mmap
import os
import stat
from collections.abc import Sequence
from pathlib import Path

import orjson

from store.backends.base import Record
from store.backends.tinydb.storage import SafeJSONStorage
from store.errors import StorageError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class HistoryFile:
    """The history entries of the data file `storage` keeps."""

    def __init__(self, storage: SafeJSONStorage) -> None:
        self._storage = storage
        self.path = Path(f"{storage.path}.history.jsonl")

    def append(self, entries: Sequence[Record]) -> None:
        """Add entries (each starting with its "prospect" key); only under the data file's lock."""
        if not entries:
            return
        payload = b"".join([orjson.dumps(entry) + b"\n" for entry in entries])
        self._storage.check_beside(self.path)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _CLOEXEC,
                         self._storage.mode)
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    raise StorageError(f"{self.path} is not a regular file; move it away")
                if st.st_size == 0:
                    os.fchmod(fd, self._storage.mode)  # neither the umask nor a chmod decides
                elif os.pread(fd, 1, st.st_size - 1) != b"\n":
                    payload = b"\n" + payload  # a crash tore the last line: start a new one
                view = memoryview(payload)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise StorageError(f"cannot add to the history {self.path}: "
                               f"{exc.strerror or exc}; the change itself was saved") from exc

    def entries(self, prospect_id: int | None = None) -> list[Record]:
        """The entries of one prospect (every entry when None), oldest first."""
        self._storage.check_beside(self.path)
        try:
            fd = os.open(self.path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StorageError(f"cannot read the history {self.path}: {exc.strerror or exc}") from exc
        try:
            size = os.fstat(fd).st_size
            if size == 0:
                return []
            with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as data:
                return _parsed(_lines(data, prospect_id))
        finally:
            os.close(fd)


def _lines(data: mmap.mmap, prospect_id: int | None) -> list[bytes]:
    if prospect_id is None:
        return data[:].split(b"\n")
    needle = b'\n{"prospect":%d,' % prospect_id
    found: list[bytes] = []
    at = 0 if data[:len(needle) - 1] == needle[1:] else data.find(needle)
    while at >= 0:
        start = at + 1 if data[at:at + 1] == b"\n" else at
        end = data.find(b"\n", start)
        found.append(data[start:end if end >= 0 else len(data)])
        at = data.find(needle, end if end >= 0 else len(data))
    return found


def _parsed(lines: list[bytes]) -> list[Record]:
    entries: list[Record] = []
    for line in lines:
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue  # empty, or torn by a crash while it was written
        if isinstance(entry, dict):
            entries.append(entry)
    return entries
