"""Read a CSV the way Excel and LibreOffice write them, streaming, with strict quoting.

The delimiter (comma, semicolon, tab or bar) is taken from the header line,
which holds only known column names, so it is never a guess over data. A stray
quote that would swallow the rest of the file is an error naming the line where
the quoted cell began.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import chain, islice
from typing import Any

from store.table_file import FileFacts, TableError

DELIMITERS = (",", ";", "\t", "|")
_CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "cp1252": "Windows-1252",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
}


def sniff_delimiter(line: str) -> str:
    """The candidate delimiter used most often outside quotes in the header line."""
    outside = "".join(line.split('"')[0::2])
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=counts.__getitem__)
    return best if counts[best] else ","


def _explain(error: csv.Error) -> str:
    text = str(error)
    if "expected after" in text:
        return ("a quote in the middle of a cell: enclose the whole cell in double quotes "
                'and double any quote inside it ("")')
    if "unexpected end of data" in text or "field larger than field limit" in text:
        return "a quoted cell that starts here is never closed (a stray double quote?)"
    return text


class CsvTable:
    """A CSV file as a header and streamed rows (see store.table_file.Table)."""

    text_only = True

    def __init__(self, facts: FileFacts) -> None:
        self.facts = facts
        self.encoding_name = _ENCODING_NAMES.get(facts.encoding, facts.encoding)
        try:
            self._raw = open(facts.path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as error:
            raise TableError(f"{facts.path}: cannot read it ({error.strerror})") from None
        self._text = io.TextIOWrapper(self._raw, encoding=facts.encoding, newline="")
        self._spans: dict[int, tuple[int, int]] | None = None
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        skipped = 0
        try:
            first = self._text.readline()
            while first and not first.strip():  # blank lines above the header
                skipped += 1
                first = self._text.readline()
        except UnicodeDecodeError as error:
            raise self._decode_error(error) from None
        if not first:
            raise TableError(f"{self.facts.path}: the file has no header row")
        self.delimiter = sniff_delimiter(first)
        self._reader = csv.reader(chain([first], self._text), delimiter=self.delimiter,
                                  quotechar='"', doublequote=True, strict=True)
        self.header_row = skipped + 1
        self._line_offset = skipped
        self.header = [str(cell) for cell in self._next(self.header_row) or []]

    def _decode_error(self, error: UnicodeDecodeError) -> TableError:
        bad = error.object[error.start]
        where = ""
        if self.facts.encoding == "cp1252":
            # The few bytes Windows-1252 leaves undefined: find the first in the file.
            with open(self.facts.path, "rb") as f:
                data = f.read()
            offsets = [i for i in (data.find(bytes([b])) for b in _CP1252_UNDEFINED) if i >= 0]
            if offsets:
                line = data.count(b"\n", 0, min(offsets)) + 1
                where = f"line {line}: "
        return TableError(
            f"{self.facts.path}: {where}the file is neither UTF-8 nor {self.encoding_name} "
            f"text (byte 0x{bad:02x}); save it again as 'CSV UTF-8'"
        )

    def _next(self, row: int) -> list[str] | None:
        reader = self._reader
        start = reader.line_num + 1 + self._line_offset
        try:
            cells = next(reader)
        except StopIteration:
            return None
        except csv.Error as error:
            raise TableError(
                f"{self.facts.path}: row {row} (line {start} of the file): {_explain(error)}"
            ) from None
        except UnicodeDecodeError as error:
            raise self._decode_error(error) from None
        return cells

    def chunks(self, size: int) -> Iterator[tuple[range, list[list[Any]]]]:
        """Rows after the header in blocks of `size`, with their row numbers.

        Blank rows come too, as [] or empty cells. Blocks are read by islice in C:
        a Python step per row would cost a third of the parse again.
        """
        row = self.header_row
        reader = self._reader
        try:
            while block := list(islice(reader, size)):
                yield range(row + 1, row + 1 + len(block)), block
                row += len(block)
        except csv.Error as error:
            raise self._locate(error) from None
        except UnicodeDecodeError as error:
            raise self._decode_error(error) from None

    def _records(self) -> Iterator[tuple[int, int]]:
        """Parse the file again from the top: (first line, last line) of each record,
        which is each row as a spreadsheet numbers them. Only when something is
        wrong, to say exactly where."""
        with open(self.facts.path, encoding=self.facts.encoding, newline="") as f:
            reader = csv.reader(f, delimiter=self.delimiter, quotechar='"', doublequote=True,
                                strict=True)
            end = 0
            for _cells in reader:
                yield end + 1, reader.line_num
                end = reader.line_num

    def _locate(self, error: csv.Error) -> TableError:
        row, end = 0, 0
        try:
            for row, (_first, end) in enumerate(self._records(), start=1):  # noqa: B007
                pass
        except csv.Error:
            pass
        return TableError(f"{self.facts.path}: row {row + 1} (line {end + 1} of the file): "
                          f"{_explain(error)}")

    def lines_of_row(self, row: int) -> tuple[int, int] | None:
        """The first and last file line of a row (quoted newlines make a row span lines)."""
        if self._spans is None:
            spans: dict[int, tuple[int, int]] = {}
            try:
                for number, (first, last) in enumerate(self._records(), start=1):
                    if last > first:
                        spans[number] = (first, last)
            except (csv.Error, UnicodeDecodeError):
                pass
            self._spans = spans
        return self._spans.get(row)

    def fraction_done(self) -> float:
        """Bytes consumed so far over the file's size."""
        try:
            return min(self._raw.tell() / max(self.facts.size, 1), 1.0)
        except (OSError, ValueError):
            return 1.0

    def close(self) -> None:
        """Close the file (safe to call twice)."""
        self._text.close()
