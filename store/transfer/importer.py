"""Upload prospects: read a CSV/XLSX file -> rows -> validate -> a plan -> one write.

Nothing is written until the whole file has been read and every row judged:
each row is a create, a duplicate (its domain is here already, or an earlier
row has it) or an error. By default an error anywhere writes nothing. The write
is one transaction recording an ImportBatch with the file's SHA-256, so a file
submitted twice, even from two sessions at once, lands once.

Rows are judged by the rules the form and the CLI use (store.rules.fields, asked
column by column through one ProspectRules that remembers each distinct value's
verdict), so an error reads the same everywhere; they are read and judged in
chunks, so memory holds the clean values to create, never the whole file's cells.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from pathlib import Path
from typing import Any, Literal

from store.bulk import collector_paused
from store.errors import AlreadyImportedError
from store.models import ImportBatch
from store.rules.store import Store
from store.rules.validation import FIELD_LABELS, FIELDS, ProspectRules
from store.text import quoted
from store.transfer.csv_reader import CsvTable
from store.transfer.export import unescape_cell, write_csv_rows
from store.transfer.planned import PlannedRecords
from store.transfer.table_file import MAX_ROWS, Table, TableError, UploadFile, column_letter, read_upload
from store.transfer.xlsx_reader import XlsxTable, cell_text

Progress = Callable[[float], None]
REQUIRED = ("company_type", "company_name", "domain", "sector", "implementation_lead")
# What a spreadsheet shows (and saves to CSV, and caches in .xlsx) for a formula that failed.
SPREADSHEET_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})
CHUNK = 4096  # rows judged at once: big enough for bulk speed, small for memory
# Rows with errors reported before reading stops: a file of 100,000 wrong rows wants
# fixing, not a 100,000-line report.
MAX_ERROR_ROWS = 1000


class ImportRefused(Exception):
    """The plan has errors (or the file is unreadable) and nothing was written."""


def header_key(text: object) -> str:
    """A column name compared ignoring case, spaces, underscores and a BOM."""
    return re.sub(r"[\s_\ufeff]+", "", str(text)).casefold()


_KNOWN_HEADERS: dict[str, str] = {
    **{header_key(label): name for name, label in FIELD_LABELS.items()},
    **{header_key(name): name for name in FIELD_LABELS},
}
# Columns an export adds that an upload does not set (a prospect becomes a customer by
# an order): read back without a word, so that an export re-imports cleanly.
_EXPORT_ONLY = frozenset({header_key("Status")})


@dataclass(frozen=True)
class RowIssue:
    """A row that will not be created: a duplicate or an error, with why."""

    row: int
    kind: Literal["duplicate", "error"]
    fields: tuple[str, ...]  # the model field of each message; "" for the whole row
    messages: tuple[str, ...]  # "Domain: 'exa mple.com' is not a valid domain name: ..."
    values: tuple[str, ...]  # the row's cells in template order, for the error report

    def lines(self) -> list[str]:
        """One line per message, as the CLI prints them: 'row 7, Domain: ...'."""
        return [f"row {self.row}, {m}" if f else f"row {self.row}: {m}"
                for f, m in zip(self.fields, self.messages, strict=True)]

    @property
    def company_name(self) -> str:
        """The row's company name as written in the file."""
        return self.values[1]

    @property
    def domain(self) -> str:
        """The row's domain as written in the file."""
        return self.values[2]


@dataclass
class ImportPlan:
    """What importing a file would do; nothing has been written yet."""

    path: Path
    sha256: str
    header_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: int = 0  # non-blank rows after the header
    records: PlannedRecords = field(default_factory=PlannedRecords)  # the creates
    create_rows: list[int] = field(default_factory=list)  # their row numbers
    issues: list[RowIssue] = field(default_factory=list)  # duplicates and errors, by row
    already: ImportBatch | None = None  # this very file was imported before
    blank_rows: int = 0  # rows of spaces only, skipped like blank ones
    stopped: str = ""  # why reading stopped before the end (too many errors): a block
    explained: int = 0  # rows reported as errors by validation

    @property
    def file_name(self) -> str:
        """The file's name without its folder (recorded on the batch)."""
        return self.path.name

    @property
    def errors(self) -> list[RowIssue]:
        """The rows with errors."""
        return [issue for issue in self.issues if issue.kind == "error"]

    @property
    def duplicates(self) -> list[RowIssue]:
        """The rows whose domain is here already or on an earlier row."""
        return [issue for issue in self.issues if issue.kind == "duplicate"]

    @property
    def blocked(self) -> bool:
        """True when nothing can be written: a bad header, or reading stopped early."""
        return bool(self.header_errors or self.stopped)

    def error_lines(self) -> list[str]:
        """Every error, one a line: header problems, 'row 7, Domain: ...', why it stopped."""
        lines = list(self.header_errors)
        for issue in self.errors:
            lines.extend(issue.lines())
        if self.stopped:
            lines.append(self.stopped)
        return lines

    def summary(self) -> str:
        """One line: rows, creates, duplicates, errors (or when it was imported)."""
        if self.already is not None:
            return already_message(self.already)
        if self.header_errors:
            return f"{self.file_name}: the header has errors; no row was read"
        if self.stopped:
            return f"{self.file_name}: {self.stopped}"
        errors = len(self.errors)
        return (f"{self.file_name}: {self.rows} row(s): {len(self.records)} to create, "
                f"{len(self.issues) - errors} duplicate(s), {errors} with errors")


def already_message(batch: ImportBatch) -> str:
    """'x.csv was already imported at ... (import batch 3, ...)': a re-submit is harmless."""
    return str(AlreadyImportedError(batch))


@dataclass(frozen=True)
class ImportOutcome:
    """What a commit did: the batch written (or the earlier one) and what was skipped."""

    batch: ImportBatch
    already: bool  # True: the file was imported before, nothing was written now
    late_duplicates: list[str]  # domains another session added between plan and write


def _map_header(header: Sequence[str], plan: ImportPlan, row: int) -> list[int] | None:
    """Each field's column index (-1 when absent), or None after recording header errors."""
    where: dict[str, list[int]] = {}
    for index, text in enumerate(header):
        key = header_key(text)
        if not key or key in _EXPORT_ONLY:
            continue
        name = _KNOWN_HEADERS.get(key)
        if name is None:
            plan.warnings.append(
                f"row {row}: column {column_letter(index)} {quoted(text)} is not one of the "
                f"template's columns; its values were ignored")
            continue
        where.setdefault(name, []).append(index)
    for name, found in where.items():
        if len(found) > 1:
            letters = " and ".join(column_letter(i) for i in found)
            plan.header_errors.append(
                f"row {row}, {FIELD_LABELS[name]}: the column appears twice "
                f"(columns {letters}); keep one")
    for name in REQUIRED:
        if name not in where:
            plan.header_errors.append(f"row {row}, {FIELD_LABELS[name]}: the column is "
                                      "missing (it is required; download the template)")
    if plan.header_errors:
        return None
    return [where[name][0] if name in where else -1 for name in FIELDS]


def open_table(upload: UploadFile) -> Table:
    """Open an uploaded file as a Table (CSV or XLSX); raises TableError on a bad header."""
    return XlsxTable(upload) if upload.kind == "xlsx" else CsvTable(upload)


def make_plan(path: Path | str, store: Store, *, progress: Progress | None = None) -> ImportPlan:
    """Read and judge the whole file; raises TableError when it cannot be read at all.

    `progress` is called now and then with the fraction read; it may raise to stop.
    """
    upload = read_upload(Path(path))  # hashed and parsed from the same bytes
    plan = ImportPlan(path=Path(path), sha256=upload.sha256)
    plan.already = store.batch_with_sha256(upload.sha256)
    if plan.already is not None:
        return plan
    table = open_table(upload)
    try:
        plan.warnings.extend(table.notes)
        columns = _map_header(table.header, plan, table.header_row)
        if columns is None:
            return plan
        existing = {str(r.get("domain")): r for _, r in store.prospect_rows()}
        rules = ProspectRules(store.catalog, store.users())
        # Bulk work allocates 100k records: the collector would rescan them again
        # and again (2-3x slower) while nothing here becomes garbage in a cycle.
        with collector_paused():
            _judge_rows(table, columns, rules, existing, plan, progress)
    finally:
        table.close()
    if progress is not None:
        progress(1.0)
    return plan


def _judge_rows(table: Table, columns: list[int], rules: ProspectRules,
                existing: Mapping[str, Mapping[str, Any]], plan: ImportPlan,
                progress: Progress | None) -> None:
    width = len(table.header)
    date_column = columns[FIELDS.index("expected_provision_date")]
    seen: dict[str, int] = {}
    for numbers, block in table.chunks(CHUNK):
        if numbers and numbers[-1] - table.header_row > MAX_ROWS:
            raise TableError(f"{plan.path}: more than {MAX_ROWS:,} rows after the header "
                             f"(blank rows count too); the limit is {MAX_ROWS:,}: split it "
                             "into smaller files, and delete any rows below the data")
        if not table.text_only:
            # Real date cells stay dates for the date column; every other cell becomes text.
            block = [[("" if v is None else v) if k == date_column else cell_text(v)
                      for k, v in enumerate(cells)] for cells in block]
        rows: Sequence[int] = numbers
        if not all(map(any, block)):  # blank rows: spreadsheets save them as ",,,,"
            kept = [(n, cells) for n, cells in zip(numbers, block, strict=True) if any(cells)]
            rows, block = [n for n, _ in kept], [cells for _, cells in kept]
        if {width} != set(map(len, block)):
            rows, block = _even_up(table, rows, block, columns, width, plan)
        plan.rows += len(block)
        if not SPREADSHEET_ERRORS.isdisjoint(chain.from_iterable(block)):
            rows, block = _without_error_cells(rows, block, columns, plan)
        _judge_chunk(rows, block, columns, table.text_only, rules, existing, seen, plan)
        if plan.stopped:
            break
        if progress is not None:
            progress(table.fraction_done())
    plan.issues.sort(key=lambda issue: issue.row)
    plan.rows -= plan.blank_rows


def _even_up(table: Table, rows: Sequence[int], block: list[list[Any]], columns: list[int],
             width: int, plan: ImportPlan) -> tuple[list[int], list[list[Any]]]:
    """Pad short rows; drop empty trailing cells; report rows with too many cells."""
    kept_rows, kept = [], []
    for row, cells in zip(rows, block, strict=True):
        n = len(cells)
        if n < width:
            cells.extend(repeat("", width - n))
        elif n > width:
            if "".join(map(str, cells[width:])).strip():
                plan.issues.append(_too_many_cells(table, row, cells, columns, width))
                continue
            del cells[width:]
        kept_rows.append(row)
        kept.append(cells)
    return kept_rows, kept


def _without_error_cells(rows: Sequence[int], block: list[list[Any]], columns: list[int],
                         plan: ImportPlan) -> tuple[list[int], list[list[Any]]]:
    """Report the rows where a read column holds a spreadsheet error such as #REF!."""
    kept_rows, kept = [], []
    for row, cells in zip(rows, block, strict=True):
        bad = [(name, i) for name, i in zip(FIELDS, columns, strict=True)
               if i >= 0 and cells[i] in SPREADSHEET_ERRORS]
        if not bad:
            kept_rows.append(row)
            kept.append(cells)
            continue
        plan.issues.append(RowIssue(row, "error", tuple(name for name, _ in bad), tuple(
            f"{FIELD_LABELS[name]}: cell {column_letter(i)}{row} holds the spreadsheet error "
            f"{cells[i]}; fix the formula or type the value" for name, i in bad),
            _template_values(cells[i] if i >= 0 else "" for i in columns)))
    return kept_rows, kept


def _judge_chunk(numbers: Sequence[int], block: list[list[Any]], wanted: list[int],
                 text_only: bool, rules: ProspectRules, existing: Mapping[str, Mapping[str, Any]],
                 seen: dict[str, int], plan: ImportPlan) -> None:
    if not block:
        return
    every = list(zip(*block, strict=False))  # every row was evened up to one width
    blank = ("",) * len(block)
    columns = [every[i] if i >= 0 else blank for i in wanted]
    if text_only:
        for k, column in enumerate(columns):
            if "'" in "".join(column) and any(c[:1] == "'" for c in column):
                columns[k] = tuple(map(unescape_cell, column))
    values, errors = rules.judge(columns)
    domains = values[FIELDS.index("domain")]
    if (not errors and not any(map(existing.__contains__, domains))
            and seen.keys().isdisjoint(domains) and len(set(domains)) == len(domains)):
        plan.records.extend_columns(values)
        plan.create_rows.extend(numbers)
        seen.update(zip(domains, numbers, strict=True))
        return
    for i, row in enumerate(numbers):
        wrong = errors.get(i)
        if wrong is not None:
            if plan.explained >= MAX_ERROR_ROWS:
                plan.stopped = (f"reading stopped at row {row}: more than {MAX_ERROR_ROWS:,} "
                                "rows have errors; fix the ones listed and upload the file again")
                return
            cells = tuple(column[i] for column in columns)
            if not "".join(map(str, cells)).strip():
                plan.blank_rows += 1  # only spaces: blank to a person
                continue
            plan.explained += 1
            plan.issues.append(RowIssue(row, "error", tuple(e.field for e in wrong),
                                        tuple(map(str, wrong)), _template_values(cells)))
            continue
        domain = domains[i]
        here = existing.get(domain)
        if here is not None:
            plan.issues.append(RowIssue(row, "duplicate", ("domain",), (
                f"Domain: {domain} is already {here.get('status', 'prospect')} "
                f"{quoted(here.get('company_name', ''))}",),
                _template_values(column[i] for column in columns)))
        elif domain in seen:
            plan.issues.append(RowIssue(row, "duplicate", ("domain",), (
                f"Domain: {domain} is also on row {seen[domain]}",),
                _template_values(column[i] for column in columns)))
        else:
            seen[domain] = row
            plan.records.add_row(values, i)
            plan.create_rows.append(row)


def _too_many_cells(table: Table, row: int, cells: list[Any], columns: list[int],
                    width: int) -> RowIssue:
    spread = table.lines_of_row(row)
    hint = (f" (it spans lines {spread[0]}-{spread[1]} of the file: check for a stray "
            "double quote)" if spread and spread[1] > spread[0] else "")
    values = _template_values(cells[i] if i >= 0 else "" for i in columns)
    return RowIssue(row, "error", ("",), (
        f"it has {len(cells)} cells but the header has {width} columns{hint}",), values)


def _template_values(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(cell_text(v) for v in values)


def commit_plan(plan: ImportPlan, store: Store, *, skip_invalid: bool = False) -> ImportOutcome:
    """Write the plan's creates as one import batch; ImportRefused if it must not be written.

    Errors refuse the whole file unless skip_invalid. A file imported before (checked
    again inside the write lock) writes nothing and returns that earlier batch.
    """
    if plan.already is not None:
        return ImportOutcome(plan.already, True, [])
    if plan.blocked:
        raise ImportRefused(f"{plan.summary()}; nothing was written")
    errors = len(plan.errors)
    if errors and not skip_invalid:
        raise ImportRefused(
            f"{plan.file_name}: {errors} row(s) have errors; nothing was written. Fix them and "
            "upload the file again, or skip the rows with errors")
    batch = ImportBatch(file_name=plan.file_name, sha256=plan.sha256, rows=plan.rows,
                        duplicates=len(plan.issues) - errors, errors=errors)
    try:
        with collector_paused():
            saved, skipped = store.import_prospects(plan.records, batch)
    except AlreadyImportedError as error:
        return ImportOutcome(error.batch, True, [])
    return ImportOutcome(saved, False, [plan.records.domains[i] for i in skipped])


def import_file(path: Path | str, store: Store, *, skip_invalid: bool = False,
                progress: Progress | None = None) -> tuple[ImportPlan, ImportOutcome]:
    """Plan and commit in one call (see make_plan and commit_plan)."""
    plan = make_plan(path, store, progress=progress)
    return plan, commit_plan(plan, store, skip_invalid=skip_invalid)


ERROR_REPORT_HEADER = ("Row", "Column", "Message", *FIELD_LABELS.values())


def write_error_report(plan: ImportPlan, out: Path | str, store: Store) -> int:
    """Save the rows with errors as a CSV to fix and upload again; returns rows written.

    Never over store's database nor over an existing file.

    One line per row: its number, the columns and messages, then the row's values
    under the template's headers (the importer ignores the first three columns).
    """
    rows: list[Sequence[str]] = []
    for issue in plan.errors:
        labels = "; ".join(dict.fromkeys(FIELD_LABELS.get(f, "") for f in issue.fields if f))
        messages = "; ".join(m.split(": ", 1)[-1] if f else m
                             for f, m in zip(issue.fields, issue.messages, strict=True))
        rows.append((str(issue.row), labels, messages, *issue.values))
    write_csv_rows(Path(out), ERROR_REPORT_HEADER, rows, database=store.path)
    return len(rows)
