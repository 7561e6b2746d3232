"""The history beside a data file: `<data file>.history.jsonl`, one JSON entry a line.

Append-only, so a change's entries cost one write however big the history grows,
and start-up never reads it. Appended under the data file's lock, after the data
file was written, and fsync'd; a line torn by a crash is skipped when read. Each
line starts with its prospect's id; an offset index (history_index) says where a
prospect's lines are, and a byte search finds those the index does not cover yet,
so one prospect's entries are read without parsing, or even searching, every line.
"""

from __future__ import annotations

import mmap
import os
import stat
from collections.abc import Sequence
from pathlib import Path

import orjson

from store.backends.base import Record
from store.backends.tinydb import history_index
from store.backends.tinydb.storage import SafeJSONStorage
from store.errors import StorageError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class HistoryFile:
    """The history entries of the data file `storage` keeps."""

    def __init__(self, storage: SafeJSONStorage) -> None:
        self._storage = storage
        self.path = Path(f"{storage.path}.history.jsonl")
        self.index_path = storage.path.with_name(f".{storage.path.name}.history.idx")

    def append(self, entries: Sequence[Record]) -> None:
        """Add entries (each starting with its "prospect" key); only under the data file's lock."""
        if not entries:
            return
        lines = [orjson.dumps(entry) + b"\n" for entry in entries]
        payload = b"".join(lines)
        self._storage.check_beside(self.path)
        try:
            fd = self._open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
            try:
                before = os.fstat(fd).st_size
                torn = before > 0 and os.pread(fd, 1, before - 1) != b"\n"
                if torn:
                    payload = b"\n" + payload  # a crash tore the last line: start a new one
                view = memoryview(payload)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
                self._index(fd, before, lines, [entry.get("prospect") for entry in entries],
                            before + torn)
            finally:
                os.close(fd)
        except OSError as exc:
            raise StorageError(f"cannot add to the history {self.path}: "
                               f"{exc.strerror or exc}; the change itself was saved") from exc

    def _open(self, path: Path, flags: int) -> int:
        fd = os.open(path, flags | _NOFOLLOW | _CLOEXEC, self._storage.mode)
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            raise StorageError(f"{path} is not a regular file; move it away")
        if st.st_size == 0 and flags & os.O_CREAT:
            os.fchmod(fd, self._storage.mode)  # neither the umask nor a chmod decides
        return fd

    def _index(self, history_fd: int, before: int, lines: Sequence[bytes],
               ids: Sequence[object], at: int) -> None:
        """Index the lines just appended at `at`, and any the index missed before them.

        Not fsync'd: an index a crash leaves short is completed by the next append."""
        self._storage.check_beside(self.index_path)
        fd = self._open(self.index_path, os.O_RDWR | os.O_CREAT)
        try:
            size = os.fstat(fd).st_size
            kept = size - size % history_index.RECORD.size  # a record torn by a crash goes
            last = history_index.last(fd)
            start: int | None = 0
            missed = b""
            if before:
                with mmap.mmap(history_fd, before, access=mmap.ACCESS_READ) as old:
                    start = history_index.covered(last, old)
                    if start is None:  # not this file's index (restored, or edited by hand)
                        kept, start = 0, 0
                    missed = history_index.records(old, start, before)
            else:
                kept = 0
            if kept != size:
                os.ftruncate(fd, kept)
            payload = missed + history_index.new_records(lines, ids, at)
            view = memoryview(payload)
            os.lseek(fd, 0, os.SEEK_END)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)

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
                if prospect_id is None:
                    return _parsed(data[:].split(b"\n"))
                return _parsed(self._lines(data, prospect_id))
        finally:
            os.close(fd)

    def _lines(self, data: mmap.mmap, prospect_id: int) -> list[bytes]:
        """A prospect's lines: those the index points at, then a byte search past it."""
        index = self._read_index()
        start = history_index.covered(index, data)
        found = None if start is None else history_index.offsets(index, data, prospect_id, start)
        if start is None or found is None:  # an index that does not fit: search everything
            start, found = 0, []
        lines = [data[at:_line_end(data, at)] for at in found]
        return lines + _searched(data, prospect_id, start)

    def _read_index(self) -> bytes:
        """The index's whole records; none when it is missing or cannot be read (the byte
        search then finds every line)."""
        self._storage.check_beside(self.index_path)
        try:
            fd = os.open(self.index_path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
        except OSError:
            return b""
        try:
            return history_index.read(fd) if stat.S_ISREG(os.fstat(fd).st_mode) else b""
        except OSError:
            return b""
        finally:
            os.close(fd)


def _line_end(data: mmap.mmap, at: int) -> int:
    end = data.find(b"\n", at)
    return len(data) if end < 0 else end


def _searched(data: mmap.mmap, prospect_id: int, start: int) -> list[bytes]:
    """The prospect's lines starting at or after `start` (a line start), by a byte search."""
    needle = b"\n" + history_index.prefix(prospect_id)
    found: list[bytes] = []
    at = _first(data, needle, start)
    while at >= 0:
        end = _line_end(data, at)
        found.append(data[at:end])
        at = data.find(needle, end)
        at = at + 1 if at >= 0 else at
    return found


def _first(data: mmap.mmap, needle: bytes, start: int) -> int:
    """Where the first line at or after `start` beginning with needle[1:] starts, or -1."""
    if start == 0 and data[:len(needle) - 1] == needle[1:]:
        return 0
    at = data.find(needle, max(start - 1, 0))
    return at + 1 if at >= 0 else -1


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
