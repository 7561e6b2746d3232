"""Read an .xlsx workbook's prospects sheet: cell values (never formulas), streamed.

A workbook is a zip of XML parts, and a small file can hide a huge or hostile
one: a zip bomb (4 MB unpacking to 4 GB), a 1.5 GB cell, millions of rows or
shared strings, an XML DTD with entities (billion laughs, external files).
check_workbook reads the zip's directory and streams every XML part once,
before anything parses it, and refuses such a file with a clear message
(a DTD included, so no parser ever sees an entity). openpyxl then reads the
workbook's small parts (with defusedxml, which it uses whenever it is
installed) and store.transfer.xlsx_rows the chosen sheet's rows, up to the row limit
and only the header's columns.

openpyxl is imported here, on first use only: it costs a third of a second to
import, which the CLI's other commands and the app's start-up should not pay.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from typing import IO, Any

from store.transfer.table_file import MAX_COLUMNS, MAX_ROWS, TableError, UploadFile, megabytes
from store.transfer.xlsx_rows import SheetRows

SHEET_NAME = "Prospects"
MAX_UNPACKED = 256 * 1024 * 1024  # all parts together; a 100,000-row sheet unpacks to ~60 MB
MAX_RATIO = 200  # unpacked / packed, for parts over 1 MB: real sheets pack 10-20 to 1
MAX_PARTS = 10_000
MAX_ELEMENTS = 8_000_000  # XML tags in all parts: 100,000 rows of 10 cells need ~6 million
MAX_SHARED_STRINGS = 1_000_000  # distinct texts: at most one a cell of 100,000 rows x 10
MAX_CELL = 32_767  # characters in a cell, as in Excel
_TEXT_RUN = MAX_CELL * 8  # bytes of XML text without a tag: a cell's text, escaped
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY")
_LONG_TEXT = re.compile(rb"[^<]{%d,}" % _TEXT_RUN)
_STRING_ITEM = (b"<si>", b"<si ")


def check_workbook(facts: UploadFile) -> None:
    """Refuse a workbook that would unpack too big or hold hostile XML, before it is parsed."""
    path = facts.path
    try:
        book = zipfile.ZipFile(io.BytesIO(facts.data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise TableError(f"{path}: cannot open it as an .xlsx workbook: the file is damaged "
                         f"({error})") from None
    with book:
        parts = book.infolist()
        if len(parts) > MAX_PARTS:
            raise TableError(f"{path}: the workbook has {len(parts):,} parts; a workbook to "
                             f"upload has far fewer (at most {MAX_PARTS:,})")
        total = sum(part.file_size for part in parts)
        if total > MAX_UNPACKED:
            raise TableError(f"{path}: the workbook would unpack to {megabytes(total)}, over "
                             f"the limit of {megabytes(MAX_UNPACKED)}: save only the prospects "
                             "(or split them) in a new workbook or as CSV")
        for part in parts:
            if part.flag_bits & 0x1:
                raise TableError(f"{path}: this workbook is password-protected (encrypted): "
                                 "remove the password in Excel and save it again")
            if part.file_size > 1024 * 1024 and part.file_size > MAX_RATIO * max(
                    part.compress_size, 1):
                raise TableError(f"{path}: part {part.filename[:80]} would unpack from "
                                 f"{part.compress_size:,} to {part.file_size:,} bytes: this is "
                                 "not a workbook a spreadsheet writes (a zip bomb?)")
        elements = 0
        for part in parts:
            if part.filename.endswith((".xml", ".rels")):
                elements += _check_xml(book, part, path)
                if elements > MAX_ELEMENTS:
                    raise TableError(f"{path}: the workbook holds more than {MAX_ELEMENTS:,} "
                                     "XML elements, more than 100,000 rows of prospects need: "
                                     "save only the prospects in a new workbook or as CSV")


def _check_xml(book: zipfile.ZipFile, part: zipfile.ZipInfo, path: object) -> int:
    """Stream one XML part: refuse a DTD, UTF-16, a text over a cell's size, too many
    shared strings. Returns how many tags it holds."""
    name = part.filename[:80]
    strings = name.endswith("sharedStrings.xml")
    tags = count = run = 0
    tail = b""
    try:
        with book.open(part) as f:
            while block := f.read(1 << 20):
                window = tail + block
                if not tail and window[:2] in (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<"):
                    raise TableError(f"{path}: part {name} is UTF-16 XML, which spreadsheets "
                                     "never write; save the workbook again from Excel")
                if _DTD.search(window):
                    raise TableError(f"{path}: part {name} declares an XML DTD or entities, "
                                     "which spreadsheets never write (an XML attack?): refused")
                tags += block.count(b"<")
                if strings:
                    count += sum(window.count(item) for item in _STRING_ITEM)
                    count -= sum(tail.count(item) for item in _STRING_ITEM)
                    if count > MAX_SHARED_STRINGS:
                        raise TableError(f"{path}: the workbook holds more than "
                                         f"{MAX_SHARED_STRINGS:,} different texts, more than "
                                         "100,000 rows of prospects need")
                first = block.find(b"<")  # the text running on from the last block ends here
                run += len(block) if first < 0 else first
                if run > _TEXT_RUN or _LONG_TEXT.search(block):
                    raise TableError(f"{path}: part {name} holds a text longer than "
                                     f"{MAX_CELL:,} characters, the most a cell may hold")
                if first >= 0:
                    run = len(block) - block.rfind(b"<") - 1
                tail = window[-16:]
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as error:
        raise TableError(f"{path}: cannot read part {name} of the workbook: it is damaged "
                         f"({error})") from None
    return tags


def _damaged(facts: UploadFile, error: BaseException, where: str = "") -> TableError:
    """What openpyxl's failure means for a person, naming the damaged part when it can."""
    part, detail = _damaged_part(facts.data)
    if part is None:
        cause = error.__cause__ or error  # openpyxl wraps the parser's error in a ValueError
        detail = str(cause).splitlines()[0][:200] if str(cause) else type(cause).__name__
    what = f"part {part} is damaged" if part else "it is damaged"
    return TableError(f"{facts.path}: cannot read it as an .xlsx workbook{where}: {what} "
                      f"({detail})")


def _damaged_part(data: bytes) -> tuple[str | None, str]:
    """The first XML part that does not parse (or a styles part openpyxl refuses), and why.

    Only after openpyxl failed: its exceptions do not say which part it was reading.
    Parts are checked streaming (expat, no tree), so a big sheet costs no memory.
    """
    from xml.parsers import expat

    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for part in book.infolist():
            if not part.filename.endswith((".xml", ".rels")):
                continue
            parser = expat.ParserCreate()
            try:
                with book.open(part) as f:
                    while block := f.read(1 << 20):
                        parser.Parse(block, False)
                parser.Parse(b"", True)
            except expat.ExpatError as error:
                return part.filename[:80], f"not well-formed XML: {error}"
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
                return part.filename[:80], f"cannot unpack it: {error}"
            if part.filename.endswith("styles.xml") and part.file_size < 10 * 1024 * 1024:
                from defusedxml.ElementTree import fromstring
                from openpyxl.styles.stylesheet import Stylesheet

                try:
                    Stylesheet.from_tree(fromstring(book.read(part)))
                except Exception as error:  # openpyxl's own check of the values
                    return part.filename[:80], str(error)[:200] or type(error).__name__
    return None, ""


@dataclass(frozen=True)
class _Sheet:
    name: str
    state: str  # visible, hidden or veryHidden
    part: str  # the sheet's XML in the zip


class XlsxTable:
    """The visible sheet named Prospects (any case), else the first visible sheet, as a
    Table. Cells keep their types: text, numbers, and real dates as datetime."""

    text_only = False

    def __init__(self, facts: UploadFile) -> None:
        check_workbook(facts)
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet

        self.facts = facts
        self.notes: tuple[str, ...] = ()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about what it skips
                # The workbook around the sheets: its parts list, shared strings, sheet names
                # and styles (which number formats are dates). Not load_workbook: it would
                # parse every sheet in full when a sheet does not state its size.
                reader = ExcelReader(io.BytesIO(facts.data), read_only=True, data_only=True)
                reader.read_manifest()
                reader.read_strings()
                reader.read_workbook()
                apply_stylesheet(reader.archive, reader.wb)
                sheets = [_Sheet(sheet.name, sheet.state or "visible", rel.target)
                          for sheet, rel in reader.parser.find_sheets()
                          if rel.target in reader.valid_files and "worksheet" in rel.Type]
        except Exception as error:  # openpyxl raises many kinds on a damaged part
            raise _damaged(facts, error) from None
        self._archive = reader.archive
        try:
            sheet = self._choose_sheet(sheets)
            self.sheet_name = sheet.name
            self._source: IO[bytes] = self._archive.open(sheet.part)
            self._size: int = self._archive.getinfo(sheet.part).file_size
            self._sheet = SheetRows(self._source, _values(reader.wb, reader.shared_strings),
                                    MAX_COLUMNS, MAX_ROWS)
            self._rows = iter(self._sheet)
            self.header_row, self.header = self._find_header()
            # Up to one row past the limit, so that a longer sheet is refused, not cut.
            self._sheet.width = len(self.header)
            self._sheet.last = self.header_row + MAX_ROWS + 1
        except TableError:
            self.close()
            raise
        except Exception as error:
            self.close()
            raise _damaged(facts, error) from None

    def _choose_sheet(self, sheets: list[_Sheet]) -> _Sheet:
        if not sheets:
            raise TableError(f"{self.facts.path}: the workbook has no worksheet (a part is "
                             "missing?); save it again from the spreadsheet")
        visible = [s for s in sheets if s.state == "visible"]
        named = [s for s in sheets if s.name.casefold() == SHEET_NAME.casefold()]
        if named and named[0] in visible:
            return named[0]
        if not visible:
            raise TableError(f"{self.facts.path}: every sheet of the workbook is hidden; "
                             "unhide the sheet with the prospects")
        chosen = visible[0]
        if named:
            self.notes = (f"read sheet {chosen.name!r}: the sheet named {named[0].name!r} "
                          "is hidden; unhide it (and hide or delete the other) to read it "
                          "instead",)
        elif len(sheets) > 1:
            self.notes = (f"read sheet {chosen.name!r}, the first visible of {len(sheets)} "
                          f"sheets; name the sheet to read {SHEET_NAME!r} to choose another",)
        return chosen

    def _find_header(self) -> tuple[int, list[str]]:
        for number, values in self._rows:
            cells = ["" if v is None else str(v) for v in values]
            filled = [i for i, text in enumerate(cells) if text.strip()]
            if filled:
                return number, cells[:filled[-1] + 1]
        raise TableError(f"{self.facts.path}: sheet {self.sheet_name!r} is empty; "
                         "it needs a header row and prospects")

    def chunks(self, size: int) -> Iterator[tuple[range, list[list[Any]]]]:
        """Rows after the header in blocks of `size`, with their row numbers."""
        number = self.header_row
        try:
            while block := [values for _, values in islice(self._rows, size)]:
                yield range(number + 1, number + 1 + len(block)), block
                number += len(block)
        except Exception as error:  # a damaged sheet: malformed XML, a bad string index...
            raise _damaged(self.facts, error, f" (after row {number})") from None

    def fraction_done(self) -> float:
        """How much of the sheet's XML has been read."""
        try:
            return min(self._source.tell() / max(self._size, 1), 1.0)
        except (OSError, ValueError):
            return 1.0

    def lines_of_row(self, row: int) -> tuple[int, int] | None:
        """A workbook has no file lines."""
        return None

    def close(self) -> None:
        """Close the sheet and the workbook."""
        source = getattr(self, "_source", None)
        if source is not None:
            source.close()
        self._archive.close()


def _values(book: Any, strings: list[str]) -> Callable[[str, str, int], Any]:
    """A cell's value from its type, text and style, as openpyxl's reader gives it."""
    from openpyxl.utils.datetime import from_excel, from_ISO8601

    dates, durations, epoch = book._date_formats, book._timedelta_formats, book.epoch

    def value_of(kind: str, text: str, style: int) -> Any:
        if kind == "s":
            return strings[int(text)]
        if kind in ("inlineStr", "str", "e"):
            return text
        if not text:
            return None
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        number = float(text) if "." in text or "e" in text or "E" in text else int(text)
        if style in dates:
            try:
                return from_excel(number, epoch, timedelta=style in durations)
            except (OverflowError, ValueError):
                return "#VALUE!"  # a date cell out of range: what Excel itself shows
        return number

    return value_of


def cell_text(value: Any) -> str:
    """A cell value as the text a person sees: 250.0 -> '250', a midnight datetime -> a date."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
