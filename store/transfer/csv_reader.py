"""Read a CSV the way Excel and LibreOffice write them, streaming, with strict quoting.

The delimiter (comma, semicolon, tab or bar) is taken from the header line,
which holds only known column names, so it is never a guess over data. A stray
quote that would swallow the rest of the file is an error naming the line where
the quoted cell began; a cell over FIELD_LIMIT characters, or bytes that are
not text in the file's encoding, is an error naming its row and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from itertools import chain, islice
from typing import Any

from store.transfer.table_file import MAX_COLUMNS, TableError, UploadFile, column_letter

DELIMITERS = (",", ";", "\t", "|")
FIELD_LIMIT = csv.field_size_limit()  # the csv module's (process-wide) limit: 131,072
_SPREADSHEET_COLUMNS = 16_384  # Excel's last column, XFD: a longer header is no spreadsheet's
_UNDECODED = re.compile("[\udc80-\udcff]")  # a byte that did not decode (surrogateescape)
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
    if "unexpected end of data" in text:
        return "a quoted cell that starts here is never closed (a stray double quote?)"
    return text


def _long_cell(text: str, start: int, delimiter: str) -> tuple[int, bool]:
    """The index of the first cell over FIELD_LIMIT characters in the record that starts at
    text[start], and whether that cell began with a quote."""
    column, length, quoted, inside, fresh = 0, 0, False, False, True
    for ch in islice(text, start, None):
        if fresh:
            quoted, fresh = ch == '"', False
        if ch == '"':
            inside = not inside
        elif ch == delimiter and not inside:
            column, length, fresh = column + 1, 0, True
            continue
        length += 1
        if length > FIELD_LIMIT:
            break
    return column, quoted


class CsvTable:
    """A CSV file as a header and streamed rows (see store.transfer.table_file.Table)."""

    text_only = True
    notes: tuple[str, ...] = ()

    def __init__(self, facts: UploadFile) -> None:
        self.facts = facts
        self.encoding_name = _ENCODING_NAMES.get(facts.encoding, facts.encoding)
        self._raw = io.BytesIO(facts.data)
        self._text = io.TextIOWrapper(self._raw, encoding=facts.encoding, newline="")
        self._spans: dict[int, tuple[int, int]] | None = None
        self.delimiter = ","
        self.header: list[str] = []
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
        self.header_row = skipped + 1
        if first.count(self.delimiter) >= _SPREADSHEET_COLUMNS:  # before parsing it
            raise self._too_wide(first.count(self.delimiter) + 1)
        self._reader = csv.reader(chain([first], self._text), delimiter=self.delimiter,
                                  quotechar='"', doublequote=True, strict=True)
        self._line_offset = skipped
        header = [str(cell) for cell in self._next(self.header_row) or []]
        while header and not header[-1].strip():  # empty cells after the last column name
            header.pop()
        if len(header) > MAX_COLUMNS:
            raise self._too_wide(len(header))
        self.header = header

    def _too_wide(self, columns: int) -> TableError:
        return TableError(f"{self.facts.path}: row {self.header_row}: the header has "
                          f"{columns:,} columns; an upload has at most {MAX_COLUMNS} (the "
                          "template has 10): delete the extra columns")

    def _where(self, row: int, column: int, header: list[str] | None = None) -> str:
        """'row 7, Company Name (column B)': a cell as a person finds it."""
        header = self.header if header is None else header
        name = header[column].strip() if column < len(header) else ""
        letter = column_letter(column)
        return f"row {row}, {name[:60]} (column {letter})" if name else f"row {row}, column {letter}"

    def _decode_error(self, error: UnicodeDecodeError) -> TableError:
        """Bytes that are not text in the file's encoding: find the row and cell that hold them."""
        data = self.facts.data
        try:  # the reader decodes in chunks: find the first bad byte's place in the file
            data.decode(self.facts.encoding)
        except UnicodeDecodeError as whole:
            error = whole
        what = (f"holds bytes that are not {self.encoding_name} text "
                f"(0x{error.object[error.start]:02x}) while the rest of the file is; retype "
                "that cell, or save the file again as 'CSV UTF-8'")
        try:
            text = data.decode(self.facts.encoding, "surrogateescape")
        except UnicodeDecodeError:  # UTF-16 cannot mark a bad byte in the text: say the line
            text = ""
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter,
                            quotechar='"', doublequote=True)
        header: list[str] = []
        try:
            for row, cells in enumerate(reader, start=1):
                for column, cell in enumerate(cells):
                    if _UNDECODED.search(cell):
                        return TableError(f"{self.facts.path}: {self._where(row, column, header)}"
                                          f": {what}")
                if not header and any(cells):
                    header = cells
        except csv.Error:
            pass
        line = data[:error.start].decode(self.facts.encoding, "replace").count("\n") + 1
        return TableError(f"{self.facts.path}: line {line} {what}")

    def _next(self, row: int) -> list[str] | None:
        reader = self._reader
        start = reader.line_num + 1 + self._line_offset
        try:
            cells = next(reader)
        except StopIteration:
            return None
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise self._too_long(row, start - 1) from None
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
        with io.TextIOWrapper(io.BytesIO(self.facts.data), encoding=self.facts.encoding,
                              newline="") as f:
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
        if "field larger than field limit" in str(error):
            return self._too_long(row + 1, end)
        return TableError(f"{self.facts.path}: row {row + 1} (line {end + 1} of the file): "
                          f"{_explain(error)}")

    def _too_long(self, row: int, lines_before: int) -> TableError:
        """A cell over the limit: name its row and column, and the stray quote it may hide."""
        text = self.facts.data.decode(self.facts.encoding)
        # Lines as the csv module counts them: ended by \n, \r\n or \r.
        start = sum(map(len, islice(io.StringIO(text, newline=""), lines_before)))
        column, quoted = _long_cell(text, start, self.delimiter)
        hint = (" (if it should be short, a closing double quote is missing: the cell starts "
                f"with one on line {lines_before + 1})" if quoted else "")
        return TableError(f"{self.facts.path}: {self._where(row, column)}: the cell is longer "
                          f"than {FIELD_LIMIT:,} characters, the most a cell may hold; shorten "
                          f"it{hint}")

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
        """Release the text stream (safe to call twice)."""
        self._text.close()
