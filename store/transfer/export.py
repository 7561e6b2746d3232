"""Export prospects as CSV, XLSX or JSON; CSV and XLSX re-import to the same prospects.

CSV and XLSX use the upload template's columns plus Status, leads by e-mail and
domains in their readable (Unicode) form. A spreadsheet must never run a cell:
in CSV a cell that starts like a formula gets a ' in front (the importer
removes exactly that ' again); in XLSX text is always a string cell, never a
formula, and numbers and dates are real numbers and dates.

Every file this app writes (export, template, error report) goes through
write_atomically: never onto the database, its lock or its temporary files,
never over an existing file unless asked, always to a temporary name that is
then renamed, so a failed write never leaves half a file.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from store.listing import ProspectList, display_domain
from store.listing.filter import Filter
from store.rules.store import Store
from store.rules.validation import FIELD_LABELS

Record = Mapping[str, Any]
FORMATS = (".csv", ".xlsx", ".json")
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold: openpyxl refuses them in a cell.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ExportError(Exception):
    """The export could not be written; the message names the file."""


class TargetExistsError(ExportError):
    """The file exists and replacing it was not asked for."""


EXPORT_HEADER = (*FIELD_LABELS.values(), "Status")


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


def export_rows(store: Store, records: Iterable[Record]) -> Iterator[tuple[Any, ...]]:
    """Each record as EXPORT_HEADER's cells, the way a person would fill in the template.

    Text cells are str; Expected Provision Date is a date and Permitted Users an
    int (None when empty), so that an .xlsx holds a real date and a real number.
    """
    emails = {u.id: u.email for u in store.users()}
    for record in records:
        lead, second = record.get("implementation_lead"), record.get("secondary_contact")
        provision = record.get("expected_provision_date")
        yield (
            str(record.get("company_type") or ""),
            str(record.get("company_name") or ""),
            display_domain(str(record.get("domain") or "")),
            str(record.get("website") or ""),
            str(record.get("sector") or ""),
            emails.get(lead, "") if isinstance(lead, int) else "",
            emails.get(second, "") if isinstance(second, int) else "",
            date.fromisoformat(provision) if isinstance(provision, str) and provision else None,
            record.get("permitted_users"),
            _products_cell(record.get("products") or []),
            str(record.get("status") or "prospect"),
        )


def _text_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def selected_records(store: Store, search: str | Filter = "", letter: str = "all",
                     sort: str = "company_name", descending: bool = False
                     ) -> list[tuple[int, Record]]:
    """The prospects the list shows for this search (or filter) and letter, in its order."""
    users = {u.id: u.name for u in store.users() if u.id is not None}
    listing = ProspectList(store.prospect_rows(), users)
    listing.sort(sort, descending)
    return [(listing.ids[i], listing.records[i]) for i in listing.matching(search, letter)]


def _same_file(a: Path, b: Path) -> bool:
    """Whether a and b name one file: same inode (hard or symbolic links), else same real path."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they would be
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def free_name(path: Path) -> Path:
    """path, or 'name-2.ext', 'name-3.ext'... so that nothing is overwritten."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def check_target(path: Path, database: Path | None, *, replace: bool) -> None:
    """Refuse to write path when it is the database, its lock file or one of its temporary
    files (even with replace), or when it exists and replace is False. `database` is
    None for a server database (nothing on this disk to protect).

    Raises ExportError (TargetExistsError for an existing file) naming the file.
    """
    real = Path(os.path.realpath(path))
    if database is not None:
        _check_not_database(path, real, database)
    if not replace and os.path.lexists(path):
        raise TargetExistsError(f"{path} already exists: choose another name")


def _check_not_database(path: Path, real: Path, database: Path) -> None:
    if _same_file(path, database):
        raise ExportError(f"{path} is the prospects database itself: choose another file name")
    changes = database.with_name(f".{database.name}.changes")  # see SafeJSONStorage
    if _same_file(path, changes) or (path.name == changes.name
                                     and _same_file(real.parent, database.parent)):
        raise ExportError(f"{path} is the prospects database's change file: choose another "
                          "file name")
    if _same_file(path, Path(f"{database}.lock")):
        raise ExportError(f"{path} is the prospects database's lock file: choose another "
                          "file name")
    if (real.name.startswith(f".{database.name}.tmp-") or path.name.startswith(
            f".{database.name}.tmp-")) and _same_file(real.parent, database.parent):
        raise ExportError(f"{path} is a temporary file of the prospects database: choose "
                          "another file name")


def _place(tmp: str, path: Path, replace: bool) -> None:
    """Rename tmp to path; without replace, never over a file that appeared meanwhile."""
    if replace:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if path exists, unlike a rename
    except FileExistsError:
        raise TargetExistsError(f"{path} already exists: choose another name") from None
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(path):
            raise TargetExistsError(f"{path} already exists: choose another name") from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def write_atomically(path: Path, write: Callable[[Any], None], *, binary: bool,
                     database: Path | None, replace: bool = False) -> None:
    """Write through `write(file)` to a temporary file beside path, then rename it in place.

    check_target guards path first: never the database (`database`), its lock or
    temporary files; never an existing file unless replace.
    """
    check_target(path, database, replace=replace)
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
        _place(tmp, path, replace)
    except BaseException as error:
        with suppress(OSError):
            os.unlink(tmp)
        if isinstance(error, OSError):
            raise ExportError(f"cannot write {path}: {error.strerror or error}") from None
        raise


def write_csv_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
                   database: Path | None, replace: bool = False) -> None:
    """A CSV for Excel (UTF-8 with BOM, CRLF), each cell escaped against formulas."""

    def write(f: io.TextIOWrapper) -> None:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerow(header)
        out.writerows([escape_cell(_text_cell(cell)) for cell in row] for row in rows)

    write_atomically(path, write, binary=False, database=database, replace=replace)


def _xlsx_text(text: str, notes: set[str]) -> str:
    if _XML_ILLEGAL.search(text):
        notes.add("control characters were removed from some cells (.xlsx cannot hold them)")
        return _XML_ILLEGAL.sub("", text)
    return text


def write_xlsx_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
                    database: Path | None, replace: bool = False,
                    sheet: str = "Prospects") -> tuple[str, ...]:
    """An .xlsx of string cells (never a formula), real numbers and real dates;
    returns notes on cells that had to change."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    notes: set[str] = set()

    def cell(value: Any) -> WriteOnlyCell | None:
        if value is None:
            return None
        if isinstance(value, date):
            c = WriteOnlyCell(ws, value=value)
            c.number_format = "yyyy-mm-dd"
            return c
        if isinstance(value, int):
            return WriteOnlyCell(ws, value=value)
        c = WriteOnlyCell(ws, value=_xlsx_text(str(value), notes))
        c.data_type = "s"  # openpyxl would make '=...' a formula: force a string
        return c

    ws.append([cell(h) for h in header])
    for row in rows:
        ws.append([cell(value) for value in row])
    write_atomically(path, book.save, binary=True, database=database, replace=replace)
    return tuple(sorted(notes))


def export_prospects(store: Store, path: Path | str, *, search: str | Filter = "", letter: str = "all",
                     sort: str = "company_name", descending: bool = False,
                     replace: bool = False) -> ExportResult:
    """Export the prospects matching search and letter (all by default) by path's suffix.

    Never over the database; over an existing file only with replace.
    """
    out = Path(path)
    check_target(out, store.path, replace=replace)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{out}: the file name must end in .csv, .xlsx or .json")
    chosen = selected_records(store, search, letter, sort, descending)
    notes: tuple[str, ...] = ()
    rows = export_rows(store, (r for _, r in chosen))
    if suffix == ".json":
        data = [{"id": prospect_id, **record} for prospect_id, record in chosen]
        payload = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
        write_atomically(out, lambda f: f.write(payload), binary=True, database=store.path,
                         replace=replace)
    elif suffix == ".csv":
        write_csv_rows(out, EXPORT_HEADER, rows, database=store.path, replace=replace)
    else:
        notes = write_xlsx_rows(out, EXPORT_HEADER, rows, database=store.path, replace=replace)
    return ExportResult(out, len(chosen), notes)
