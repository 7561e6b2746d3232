"""Where each prospect's lines start in the history file: `.<data file>.history.idx`.

One 16-byte record per history line, in file order: the prospect id and the line's
offset, big-endian. A prospect's lines are then found by searching 16 bytes a line
instead of the whole file (at a million entries: a 16 MB search instead of 160 MB).

The index is only a shortcut, the history file stays the truth: lines past the
index's last record (a crash between the two appends, a history older than the
index) are found by the byte search, and the next append indexes them. A reader
ignores an index whose records for the prospect do not point at its lines, in
order, before the last record's line; a writer rebuilds one whose last record
does not point at its prospect's line.
"""

from __future__ import annotations

import mmap
import os
import re
import struct
from collections.abc import Sequence

RECORD = struct.Struct(">QQ")
_LINE_START = re.compile(rb'^\{"prospect":([0-9]{1,19}),', re.MULTILINE)


def prefix(prospect_id: int) -> bytes:
    """How each of a prospect's lines starts (the rules put the id first)."""
    return b'{"prospect":%d,' % prospect_id


def _starts_line(history: mmap.mmap | bytes, prospect_id: int, offset: int) -> bool:
    start = prefix(prospect_id)
    return (offset < len(history) and (offset == 0 or history[offset - 1:offset] == b"\n")
            and history[offset:offset + len(start)] == start)


def covered(index: bytes, history: mmap.mmap | bytes) -> int | None:
    """Where the first line the index (or its last record) does not cover starts; None if it
    does not fit the file."""
    if not index:
        return 0
    prospect_id, offset = RECORD.unpack_from(index, len(index) - RECORD.size)
    if not _starts_line(history, prospect_id, offset):
        return None
    end = history.find(b"\n", offset)
    return len(history) if end < 0 else end + 1


def offsets(index: bytes, history: mmap.mmap | bytes, prospect_id: int, end: int
            ) -> list[int] | None:
    """The offsets of a prospect's lines the index holds, all before `end` (where the lines
    it covers end); None if one does not fit the file or they are out of order."""
    if prospect_id < 0 or prospect_id >= 1 << 64:
        return []
    needle = prospect_id.to_bytes(8, "big")
    found: list[int] = []
    at = index.find(needle)
    while at >= 0:
        if at % RECORD.size == 0:  # not the tail of one record and the head of the next
            offset = int.from_bytes(index[at + 8:at + RECORD.size], "big")
            if offset >= end or (found and offset <= found[-1]) or \
                    not _starts_line(history, prospect_id, offset):
                return None
            found.append(offset)
            at = index.find(needle, at + RECORD.size)
        else:
            at = index.find(needle, at + 1)
    return found


def records(history: mmap.mmap | bytes, start: int, end: int) -> bytes:
    """Index records of every line starting in history[start:end] (a line whose id cannot be
    read is left out: the byte search finds none there either)."""
    return b"".join(RECORD.pack(int(m.group(1)), m.start())
                    for m in _LINE_START.finditer(history, start, end)
                    if int(m.group(1)) < 1 << 64)


def new_records(lines: Sequence[bytes], ids: Sequence[object], at: int) -> bytes:
    """Index records of lines appended at offset `at`, one per entry's prospect id."""
    out = []
    for line, prospect_id in zip(lines, ids, strict=True):
        if isinstance(prospect_id, int) and 0 <= prospect_id < 1 << 64:
            out.append(RECORD.pack(prospect_id, at))
        at += len(line)
    return b"".join(out)


def whole(data: bytes) -> bytes:
    """The index's complete records (a record torn by a crash is left out)."""
    return data[:len(data) - len(data) % RECORD.size]


def last(fd: int) -> bytes:
    """The open index file's last whole record, b"" when it has none."""
    size = os.fstat(fd).st_size
    size -= size % RECORD.size
    return os.pread(fd, RECORD.size, size - RECORD.size) if size else b""


def read(fd: int) -> bytes:
    """The whole records of the open index file (read, not mapped: a writer may shorten it)."""
    with open(fd, "rb", closefd=False) as file:
        return whole(file.read())
