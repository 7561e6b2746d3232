"""Export prospects as CSV, XLSX or JSON; CSV and XLSX re-import to the same prospects.

CSV and XLSX use the upload template's columns, leads by e-mail and domains in
their readable (Unicode) form. A spreadsheet must never run a cell: in CSV a
cell that starts like a formula gets a ' in front (the importer removes exactly
that ' again); in XLSX every cell is written as a string, never a formula.
Every file is written to a temporary name and renamed, so a failed export never
leaves half a file, and is readable by its owner only, like the data file.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from store.db import Store
from store.listing import ProspectList, display_domain
from store.validation import FIELD_LABELS

Record = dict[str, Any]
FORMATS = (".csv", ".xlsx", ".json")
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold: openpyxl refuses them in a cell.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ExportError(Exception):
    """The export could not be written; the message names the file."""


@dataclass(frozen=True)
class ExportResult:
    """What was written: where, how many prospects, and any note for the person."""

    path: Path
    count: int
    notes: tuple[str, ...] = ()


def escape_cell(text: str) -> str:
    """Put ' before a CSV cell a spreadsheet would read as a formula.

    A cell already made of quotes then such a character gets one more, so that
    the importer's removal of one ' gives back exactly the original.
    """
    if text and text.lstrip("'")[:1] in FORMULA_STARTS and text.lstrip("'"):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """Remove exactly the ' that escape_cell put before a formula-like cell (on import)."""
    if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_STARTS and text.lstrip("'"):
        return text[1:]
    return text


def _products_cell(products: Sequence[Record]) -> str:
    return "; ".join(
        f"{p.get('product', '')}:{p['seats']}" if p.get("seats") else str(p.get("product", ""))
        for p in products
    )


def template_rows(store: Store, records: Iterable[Record]) -> Iterator[tuple[str, ...]]:
    """Each record as the template's ten cells, the way a person would fill them in."""
    emails = {u.id: u.email for u in store.users()}
    for record in records:
        lead, second = record.get("implementation_lead"), record.get("secondary_contact")
        permitted = record.get("permitted_users")
        yield (
            str(record.get("company_type") or ""),
            str(record.get("company_name") or ""),
            display_domain(str(record.get("domain") or "")),
            str(record.get("website") or ""),
            str(record.get("sector") or ""),
            emails.get(lead, "") if isinstance(lead, int) else "",
            emails.get(second, "") if isinstance(second, int) else "",
            str(record.get("expected_provision_date") or ""),
            "" if permitted is None else str(permitted),
            _products_cell(record.get("products") or []),
        )


def selected_records(store: Store, search: str = "", letter: str = "all",
                     sort: str = "company_name", descending: bool = False
                     ) -> list[tuple[int, Record]]:
    """The prospects the list shows for this search and letter, in its order."""
    users = {u.id: u.name for u in store.users() if u.id is not None}
    listing = ProspectList(store.prospect_records(), users)
    listing.sort(sort, descending)
    return [(listing.ids[i], listing.records[i]) for i in listing.matching(search, letter)]


def write_atomically(path: Path, write: Callable[[Any], None], *, binary: bool) -> None:
    """Write through `write(file)` to a temporary file beside path, then rename it in place."""
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise ExportError(f"cannot write in {folder}: {error.strerror}") from None
    try:
        if binary:
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
        else:
            # utf-8-sig: Excel opens the file as UTF-8 only when it starts with a BOM.
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as error:
        with suppress(OSError):
            os.unlink(tmp)
        if isinstance(error, OSError):
            raise ExportError(f"cannot write {path}: {error.strerror or error}") from None
        raise


def write_csv_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """A CSV for Excel (UTF-8 with BOM, CRLF), each cell escaped against formulas."""

    def write(f: io.TextIOWrapper) -> None:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerow(header)
        out.writerows([escape_cell(cell) for cell in row] for row in rows)

    write_atomically(path, write, binary=False)


def _xlsx_text(text: str, notes: set[str]) -> str:
    if _XML_ILLEGAL.search(text):
        notes.add("control characters were removed from some cells (.xlsx cannot hold them)")
        return _XML_ILLEGAL.sub("", text)
    return text


def write_xlsx_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]],
                    sheet: str = "Prospects") -> tuple[str, ...]:
    """An .xlsx whose every cell is a string; returns notes on cells that had to change."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    notes: set[str] = set()

    def cell(text: str) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=_xlsx_text(text, notes))
        c.data_type = "s"  # openpyxl would make '=...' a formula: force a string
        return c

    ws.append([cell(h) for h in header])
    for row in rows:
        ws.append([cell(text) for text in row])
    write_atomically(path, book.save, binary=True)
    return tuple(sorted(notes))


def export_prospects(store: Store, path: Path | str, *, search: str = "", letter: str = "all",
                     sort: str = "company_name", descending: bool = False) -> ExportResult:
    """Export the prospects matching search and letter (all by default) by path's suffix."""
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{out}: the file name must end in .csv, .xlsx or .json")
    chosen = selected_records(store, search, letter, sort, descending)
    header = tuple(FIELD_LABELS.values())
    notes: tuple[str, ...] = ()
    if suffix == ".json":
        data = [{"id": prospect_id, **record} for prospect_id, record in chosen]
        payload = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
        write_atomically(out, lambda f: f.write(payload), binary=True)
    elif suffix == ".csv":
        write_csv_rows(out, header, template_rows(store, (r for _, r in chosen)))
    else:
        notes = write_xlsx_rows(out, header, template_rows(store, (r for _, r in chosen)))
    return ExportResult(out, len(chosen), notes)
