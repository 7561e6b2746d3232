"""An uploaded file read and told apart, CSV (any Excel encoding) or XLSX, and what its readers share.

csv_reader and xlsx_reader read its rows; importer.open_table picks one.

The file is read once, into memory (it is at most MAX_BYTES): the SHA-256
that makes a re-submitted file harmless and the rows imported come from the
same bytes, even if someone replaces the file meanwhile. Its kind and text
encoding are told from those bytes before parsing starts.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 256  # header cells read; the template has 10
ENCODINGS_ACCEPTED = ("A CSV file may be UTF-8 (Excel's 'CSV UTF-8', with or without BOM), UTF-16 "
                      "(Excel's 'Unicode Text') or Windows-1252 (Excel's 'CSV' in Western "
                      "Europe and the Americas); other encodings are refused.")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc) container


class TableError(Exception):
    """The file cannot be read as a table; the message names the file and says what to do."""


class Table(Protocol):
    """Rows of cells after a header row, numbered as a spreadsheet shows them."""

    header: list[str]
    header_row: int
    text_only: bool  # True when every cell is a str (CSV); XLSX gives numbers and dates too
    notes: tuple[str, ...]  # what a person should know about how the file was read

    def chunks(self, size: int) -> Iterator[tuple[range, list[list[Any]]]]:
        """Rows after the header in blocks, with their row numbers; blank rows included."""
        ...

    def fraction_done(self) -> float:
        """How far through the file reading has got, 0.0 to 1.0 (for a progress bar)."""
        ...

    def lines_of_row(self, row: int) -> tuple[int, int] | None:
        """The file lines a row spans (CSV), to point at a stray quote; None if one line."""
        ...

    def close(self) -> None:
        """Release the file."""
        ...


@dataclass(frozen=True)
class UploadFile:
    """An uploaded file's bytes, read once, with their SHA-256, kind and text encoding."""

    path: Path
    data: bytes
    sha256: str
    kind: str  # "csv" or "xlsx"
    encoding: str  # for CSV: utf-8, utf-8-sig, utf-16, utf-16-le, utf-16-be or cp1252

    @property
    def size(self) -> int:
        """The file's size in bytes."""
        return len(self.data)


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA': how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def megabytes(size: int) -> str:
    """A size in bytes as a person reads it: '20.0 MB'."""
    return f"{size / 1024 / 1024:.1f} MB"


def read_upload(path: Path) -> UploadFile:
    """Read the file once (refusing one over MAX_BYTES), hash it and tell its kind and
    encoding; or raise TableError saying why it cannot be a table."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # before open(): a FIFO would block it
            raise TableError(f"{path}: this is not a regular file")
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())  # the file opened, not whatever the name means later
            if not stat.S_ISREG(st.st_mode):
                raise TableError(f"{path}: this is not a regular file")
            if st.st_size > MAX_BYTES:
                raise _too_big(path, st.st_size)
            data = f.read(st.st_size + 1)  # one byte more tells whether it grew meanwhile
            if len(data) > st.st_size:
                data += f.read(MAX_BYTES + 1 - len(data))
    except FileNotFoundError:
        raise TableError(f"{path}: there is no such file") from None
    except OSError as error:
        raise TableError(f"{path}: cannot read it ({error.strerror})") from None
    if len(data) > MAX_BYTES:  # it grew since the fstat
        raise _too_big(path, len(data))
    kind, encoding = _kind_of(path, data)
    return UploadFile(path, data, hashlib.sha256(data).hexdigest(), kind, encoding)


def _too_big(path: Path, size: int) -> TableError:
    return TableError(f"{path}: the file is {size:,} bytes ({megabytes(size)}), over the "
                      f"limit of {MAX_BYTES // 1024 // 1024} MB: split it into smaller files")


def _kind_of(path: Path, data: bytes) -> tuple[str, str]:
    head = data[:4096]
    if head.startswith(_ZIP):
        return "xlsx", ""
    if head.startswith(_OLE):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise TableError(f"{path}: this workbook is password-protected (encrypted): open "
                             "it in Excel, remove the password (File > Info > Protect Workbook "
                             "> Encrypt with Password) and save it again")
        raise TableError(f"{path}: this is an old Excel .xls workbook; save it as .xlsx or CSV")
    if path.suffix.lower() == ".xlsx":
        raise TableError(f"{path}: this is not an Excel .xlsx workbook (is it a renamed file?)")
    encoding = _text_encoding(path, data)
    text = codecs.decode(head[:4000], encoding, "ignore")
    if not text.strip(" \t\r\n\ufeff"):
        raise TableError(f"{path}: the file is empty; it needs a header row and prospects")
    return "csv", encoding


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_ASCII = bytes(range(128))
_NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*\n?")
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")  # the bytes it leaves out


def _text_encoding(path: Path, data: bytes) -> str:
    """The encoding of a CSV's bytes: UTF-8, UTF-16 or Windows-1252; anything else is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode Text": the codec reads and drops the BOM
    head = data[:4096]
    if b"\x00" in data:
        # UTF-16 without a BOM shows as every other byte NUL.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even == 0:
            return "utf-16-le"
        if even > len(head) // 4 and odd == 0:
            return "utf-16-be"
        raise TableError(f"{path}: this is not a CSV or XLSX file: it holds binary data "
                         "(NUL bytes), not text; save it from Excel as 'CSV UTF-8' or .xlsx")
    bom = data.startswith(codecs.BOM_UTF8)
    if _is_utf8(data):
        return "utf-8-sig" if bom else "utf-8"
    high = data.translate(None, _ASCII)
    stray = _UTF8_SEQUENCE.sub(b"", high)
    if bom or len(stray) * 10 < len(high):
        # UTF-8 but for a few bytes: decoding stops there and names the row and column.
        return "utf-8-sig" if bom else "utf-8"
    return _legacy_encoding(path, data, high)


def _is_utf8(data: bytes) -> bool:
    """Whether data is valid UTF-8, checked a megabyte at a time (no copy of the whole text)."""
    if data.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(view[start:start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _legacy_encoding(path: Path, data: bytes, high: bytes) -> str:
    """Windows-1252 when the bytes read as Western text; else TableError saying what they look like.

    Bytes that are not UTF-8 nearly always decode as Windows-1252 too, just wrongly:
    Shift-JIS, GB18030, EUC-KR and KOI8-R become accented gibberish. So the
    detector (charset-normalizer) judges which reading makes sense, and only a
    Windows-1252-identical reading among its best is taken.
    """
    from charset_normalizer import from_bytes

    # The lines that hold non-ASCII bytes are what tells encodings apart; a sample of them
    # keeps the detector's time small on a 20 MB file.
    sample = b"".join(m.group() for m in islice(_NON_ASCII_LINE.finditer(data), 4000))
    matches = from_bytes(sample)
    best = matches.best()
    distinct = b" ".join(bytes([b]) for b in sorted(set(high)))
    try:
        western: str | None = distinct.decode("cp1252")
    except UnicodeDecodeError:
        western = None

    def reads_as_cp1252(encoding: str) -> bool:
        try:
            return distinct.decode(encoding) == western
        except (UnicodeDecodeError, LookupError):
            return False

    if western is not None and best is not None and any(
            m.chaos <= best.chaos and reads_as_cp1252(m.encoding) for m in matches):
        return "cp1252"
    looks = []
    if western is None:
        start = min(i for i in map(data.find, _CP1252_UNDEFINED) if i >= 0)
        line = data.count(b"\n", 0, start) + 1
        looks.append(f"line {line} holds byte 0x{data[start]:02x}, which is not "
                     "Windows-1252 either")
    if best is not None and best.language and best.language != "Unknown":
        looks.append(f"it looks like {best.language} text ({best.encoding})")
    if not looks:
        looks.append("its text reads as no encoding for certain")
    raise TableError(f"{path}: the file is not UTF-8: {', and '.join(looks)}; save it again as "
                     "'CSV UTF-8' (Excel: File > Save As > CSV UTF-8)")
