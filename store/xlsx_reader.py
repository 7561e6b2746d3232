"""Read an .xlsx workbook's prospects sheet: cell values (never formulas), streamed.

openpyxl is imported here, on first use only: it costs a third of a second to
import, which the CLI's other commands and the app's start-up should not pay.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from itertools import islice
from typing import Any

from store.table_file import FileFacts, TableError

SHEET_NAME = "Prospects"


class XlsxTable:
    """The sheet named Prospects (any case), else the first, as a Table.

    Cells keep their types: text, numbers, and real dates as datetime.
    """

    text_only = False

    def __init__(self, facts: FileFacts) -> None:
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        self.facts = facts
        try:
            # A file object: openpyxl would refuse a workbook named .csv by its name.
            self._file = open(facts.path, "rb")  # noqa: SIM115 - closed by close()
        except OSError as error:
            raise TableError(f"{facts.path}: cannot read it ({error.strerror})") from None
        try:
            # read_only streams the sheet's XML; data_only gives cached values, not formulas.
            self._book = load_workbook(self._file, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
            self._file.close()
            raise TableError(f"{facts.path}: cannot open it as an .xlsx workbook ({error})") from None
        try:
            names = {name.casefold(): name for name in self._book.sheetnames}
            wanted = names.get(SHEET_NAME.casefold())
            sheet = self._book[wanted] if wanted else self._book.worksheets[0]
            self.sheet_name = sheet.title
            self._expected = sheet.max_row or 0  # from the sheet's dimension; only a hint
            self._rows = sheet.iter_rows(values_only=True)
            self._done = 0
            self.header_row, self.header = self._find_header()
        except TableError:
            self.close()
            raise
        except Exception as error:  # openpyxl raises many kinds on a damaged sheet
            self.close()
            raise TableError(f"{facts.path}: cannot read the workbook ({error})") from None

    def _find_header(self) -> tuple[int, list[str]]:
        for number, values in enumerate(self._rows, start=1):
            self._done = number
            if any(v is not None and str(v).strip() for v in values):
                return number, ["" if v is None else str(v) for v in values]
        raise TableError(f"{self.facts.path}: sheet {self.sheet_name!r} is empty; "
                         "it needs a header row and prospects")

    def chunks(self, size: int) -> Iterator[tuple[range, list[list[Any]]]]:
        """Rows after the header in blocks of `size`, with their row numbers."""
        number = self.header_row
        try:
            while block := [list(values) for values in islice(self._rows, size)]:
                self._done = number + len(block)
                yield range(number + 1, number + 1 + len(block)), block
                number += len(block)
        except (zipfile.BadZipFile, ValueError, KeyError, OSError) as error:
            raise TableError(f"{self.facts.path}: after row {number}: the workbook is damaged "
                             f"({error})") from None

    def fraction_done(self) -> float:
        """Rows read over the sheet's stated size (the dimension can be missing)."""
        if self._expected <= 0:
            return 0.0
        return min(self._done / self._expected, 1.0)

    def lines_of_row(self, row: int) -> tuple[int, int] | None:
        """A workbook has no file lines."""
        return None

    def close(self) -> None:
        """Close the workbook and its file."""
        self._book.close()
        self._file.close()


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
