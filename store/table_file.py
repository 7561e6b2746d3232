"""Open an uploaded file as a table of rows: CSV (any Excel encoding) or XLSX.

One pass over the bytes first: it refuses files that are too big, computes the
SHA-256 that makes a re-submitted file harmless, and tells UTF-8 from
Windows-1252 before parsing starts, so that parsing can stream.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
_CHUNK = 1 << 20
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc) container


class TableError(Exception):
    """The file cannot be read as a table; the message names the file and says what to do."""


class Table(Protocol):
    """Rows of cells after a header row, numbered as a spreadsheet shows them."""

    header: list[str]
    header_row: int
    text_only: bool  # True when every cell is a str (CSV); XLSX gives numbers and dates too

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
class FileFacts:
    """What one pass over the bytes tells: size, SHA-256, kind and text encoding."""

    path: Path
    size: int
    sha256: str
    kind: str  # "csv" or "xlsx"
    encoding: str  # for CSV: utf-8, utf-8-sig, utf-16, utf-16-le, utf-16-be or cp1252


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA': how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def scan_file(path: Path) -> FileFacts:
    """Check the file's size and kind and hash it, or raise TableError saying why not."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise TableError(f"{path}: there is no such file") from None
    except OSError as error:
        raise TableError(f"{path}: cannot read it ({error.strerror})") from None
    if not stat.S_ISREG(st.st_mode):
        raise TableError(f"{path}: this is not a regular file")
    if st.st_size > MAX_BYTES:
        raise TableError(
            f"{path}: the file is {st.st_size:,} bytes ({_megabytes(st.st_size)}), over the "
            f"limit of {MAX_BYTES // 1024 // 1024} MB: split it into smaller files"
        )
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    head = b""
    size = 0
    try:
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                if not head:
                    head = chunk[:4096]
                size += len(chunk)
                if size > MAX_BYTES:  # it grew since the stat
                    raise TableError(f"{path}: the file is over {MAX_BYTES // 1024 // 1024} MB")
                digest.update(chunk)
                if utf8_ok:
                    try:
                        utf8.decode(chunk)
                    except UnicodeDecodeError:
                        utf8_ok = False
            if utf8_ok:
                try:
                    utf8.decode(b"", final=True)
                except UnicodeDecodeError:
                    utf8_ok = False
    except OSError as error:
        raise TableError(f"{path}: cannot read it ({error.strerror})") from None
    kind, encoding = _kind_of(path, head, utf8_ok)
    return FileFacts(path, size, digest.hexdigest(), kind, encoding)


def _kind_of(path: Path, head: bytes, utf8_ok: bool) -> tuple[str, str]:
    if not head.strip(b" \t\r\n\xef\xbb\xbf\xff\xfe\x00"):
        raise TableError(f"{path}: the file is empty; it needs a header row and prospects")
    if head.startswith(_ZIP):
        return "xlsx", ""
    if head.startswith(_OLE):
        raise TableError(f"{path}: this is an old Excel .xls workbook; save it as .xlsx or CSV")
    if path.suffix.lower() == ".xlsx":
        raise TableError(f"{path}: this is not an Excel .xlsx workbook (is it a renamed file?)")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv", "utf-16"  # Excel's "Unicode Text": the codec reads and drops the BOM
    if b"\x00" in head:
        # UTF-16 without a BOM shows as every other byte NUL.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even == 0:
            return "csv", "utf-16-le"
        if even > len(head) // 4 and odd == 0:
            return "csv", "utf-16-be"
        raise TableError(f"{path}: this is not a text (CSV) file: it holds binary data")
    if head.startswith(codecs.BOM_UTF8):
        if not utf8_ok:
            raise TableError(f"{path}: it claims to be UTF-8 but is not valid UTF-8; "
                             "save it again as 'CSV UTF-8'")
        return "csv", "utf-8-sig"
    return "csv", "utf-8" if utf8_ok else "cp1252"  # not UTF-8: Excel's "CSV" on Windows


def open_table(facts: FileFacts) -> Table:
    """Open a scanned file as a Table (CSV or XLSX); raises TableError on a bad header."""
    if facts.kind == "xlsx":
        from store.xlsx_reader import XlsxTable

        return XlsxTable(facts)
    from store.csv_reader import CsvTable

    return CsvTable(facts)
