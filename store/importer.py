"""Upload prospects: read a CSV/XLSX file -> rows -> validate -> a plan -> one write.

Nothing is written until the whole file has been read and every row judged:
each row is a create, a duplicate (its domain is here already, or an earlier
row has it) or an error. By default an error anywhere writes nothing. The write
is one transaction recording an ImportBatch with the file's SHA-256, so a file
submitted twice, even from two sessions at once, lands once.

Every row is judged by store.validation's rules, so an error reads as it does
in the form and the CLI. Validating 100k rows one by one through pydantic and
IDNA costs 60x a plain CSV pass, so RowJudge remembers each column's verdict
per distinct value (company types, leads, dates, product lists repeat) and
takes plain ASCII domains through a short path; a row that is not plainly
valid goes through build_prospect itself, which writes the error messages.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

from store import domain as domain_rules
from store.catalog import Catalog
from store.db import AlreadyImportedError, Store
from store.models import ImportBatch, User
from store.table_file import MAX_ROWS, TableError, column_letter, open_table, scan_file
from store.validation import (
    FIELD_LABELS,
    MAX_NAME,
    MAX_WEBSITE,
    ProspectInvalid,
    build_prospect,
    parse_products,
    quoted,
)
from store.xlsx_reader import cell_text

Record = dict[str, Any]
Progress = Callable[[float], None]
FIELDS: tuple[str, ...] = tuple(FIELD_LABELS)
REQUIRED = ("company_type", "company_name", "domain", "sector", "implementation_lead")
# CSV export puts ' before these so a spreadsheet never runs a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FLAT = ("company_type", "sector", "expected_provision_date", "permitted_users", "products")
_PLAIN_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")
_UNSET = object()
_INVALID = object()


class ImportRefused(Exception):
    """The plan has errors (or the file is unreadable) and nothing was written."""


def header_key(text: object) -> str:
    """A column name compared ignoring case, spaces, underscores and a BOM."""
    return re.sub(r"[\s_\ufeff]+", "", str(text)).casefold()


_KNOWN_HEADERS: dict[str, str] = {
    **{header_key(label): name for name, label in FIELD_LABELS.items()},
    **{header_key(name): name for name in FIELD_LABELS},
}


def unescape_cell(text: str) -> str:
    """Remove exactly the ' that export_csv put before a formula-like cell."""
    if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_STARTS and text.lstrip("'"):
        return text[1:]
    return text


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
    records: list[Record] = field(default_factory=list)  # the prospects to create
    create_rows: list[int] = field(default_factory=list)  # their row numbers
    issues: list[RowIssue] = field(default_factory=list)  # duplicates and errors, by row
    already: ImportBatch | None = None  # this very file was imported before

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
        """True when the file itself is unusable (bad header)."""
        return bool(self.header_errors)

    def error_lines(self) -> list[str]:
        """Every error, one a line: header problems, then 'row 7, Domain: ...'."""
        lines = list(self.header_errors)
        for issue in self.errors:
            lines.extend(issue.lines())
        return lines

    def summary(self) -> str:
        """One line: rows, creates, duplicates, errors (or when it was imported)."""
        if self.already is not None:
            return already_message(self.already)
        if self.header_errors:
            return f"{self.file_name}: the header has errors; no row was read"
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


class RowJudge:
    """Judges rows: a record to create, or None when build_prospect must explain why not.

    Column verdicts are learnt per distinct value by asking build_prospect itself
    with a probe row that is valid in every other column, so they are the
    validation's own rules, not a copy of them.
    """

    def __init__(self, catalog: Catalog, users: Sequence[User]) -> None:
        self.catalog = catalog
        self.users = users
        lead = next((u for u in users if u.implementation_lead), None)
        self.probe: Record | None = None
        if lead is not None:
            self.probe = {"company_type": catalog.company_types[0], "company_name": "Probe",
                          "domain": "example.com", "sector": catalog.sectors[0],
                          "implementation_lead": lead.email}
        self.memo: dict[str, dict[Any, Any]] = {name: {} for name in _FLAT}
        self.people: dict[tuple[Any, Any], Any] = {}
        self.items: dict[str, Any] = {}
        self._psl = domain_rules._psl()
        self._parents = _rule_parents(self._psl)

    def _learn(self, name: str, value: Any) -> Any:
        verdict: Any = _plain_verdict(name, value)
        if verdict is _UNSET and name == "products" and isinstance(value, str):
            verdict = self._learn_products(value)
        if verdict is _UNSET:
            verdict = self._probe(name, value)
        self.memo[name][value] = verdict
        return verdict

    def _probe(self, name: str, value: Any) -> Any:
        """build_prospect's canonical value for one column, or _INVALID."""
        if self.probe is None:
            return _INVALID
        try:
            prospect = build_prospect({**self.probe, name: value},
                                      catalog=self.catalog, users=self.users)
        except ProspectInvalid:
            return _INVALID
        verdict = getattr(prospect, name)
        if name == "expected_provision_date" and verdict is not None:
            return verdict.isoformat()
        if name == "products":
            return tuple((line.product, line.seats) for line in verdict)
        return verdict

    def _learn_products(self, cell: str) -> Any:
        """A product list judged item by item (seat counts make many distinct lists)."""
        lines = []
        for name, seats in parse_products(cell):
            item = f"{name}:{seats}" if seats else name
            got = self.items.get(item, _UNSET)
            if got is _UNSET:
                got = self.items[item] = self._probe("products", item)
            if got is _INVALID or len(got) != 1:
                return _UNSET  # let the probe of the whole list say what is wrong
            lines.append(got[0])
        if len({product for product, _ in lines}) != len(lines):
            return _UNSET  # listed twice
        return tuple(lines)

    def _learn_people(self, lead: Any, secondary: Any) -> Any:
        verdict: Any = _INVALID
        if self.probe is not None:
            try:
                prospect = build_prospect(
                    {**self.probe, "implementation_lead": lead, "secondary_contact": secondary},
                    catalog=self.catalog, users=self.users)
            except ProspectInvalid:
                pass
            else:
                verdict = (prospect.implementation_lead, prospect.secondary_contact)
        self.people[(lead, secondary)] = verdict
        return verdict

    def plain_domain(self, raw: str) -> str | None:
        """The normalised domain when raw is plainly valid ASCII; None: ask normalise_domain.

        Only names that normalise_domain would return unchanged (lower-case
        letters, digits, inner hyphens, no 'www.', no '--' such as punycode)
        take this path; tests compare it with normalise_domain.
        """
        name = raw.strip()
        if not name.isascii():
            return None
        name = name.lower()
        if (len(name) > 253 or "--" in name or name.startswith("www.")
                or _PLAIN_DOMAIN.fullmatch(name) is None):
            return None
        # Only a name under a suffix that has rules below it can itself be public.
        if (self._parents is None or name.partition(".")[2] in self._parents) and \
                self._psl.is_public(name):
            return None
        return name

    def record(self, values: Sequence[Any]) -> Record | None:
        """The record to create from values in FIELDS order, or None if not plainly valid."""
        (company_type, name, domain, website, sector, lead, secondary, provision,
         permitted, products) = values
        memo = self.memo
        got = memo["company_type"].get(company_type, _UNSET)
        if got is _UNSET:
            got = self._learn("company_type", company_type)
        if got is _INVALID:
            return None
        company_type = got
        got = memo["sector"].get(sector, _UNSET)
        if got is _UNSET:
            got = self._learn("sector", sector)
        if got is _INVALID:
            return None
        sector = got
        got = memo["expected_provision_date"].get(provision, _UNSET)
        if got is _UNSET:
            got = self._learn("expected_provision_date", provision)
        if got is _INVALID:
            return None
        provision = got
        got = memo["permitted_users"].get(permitted, _UNSET)
        if got is _UNSET:
            got = self._learn("permitted_users", permitted)
        if got is _INVALID:
            return None
        permitted = got
        got = memo["products"].get(products, _UNSET)
        if got is _UNSET:
            got = self._learn("products", products)
        if got is _INVALID:
            return None
        lines = [{"product": p, "seats": s} for p, s in got] if got else []
        people = self.people.get((lead, secondary), _UNSET)
        if people is _UNSET:
            people = self._learn_people(lead, secondary)
        if people is _INVALID:
            return None
        if not isinstance(name, str) or not isinstance(website, str):
            return None
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            return None
        website = website.strip()
        if website and (len(website) > MAX_WEBSITE or "." not in website or " " in website
                        or not website.isascii() or not website.isprintable()):
            return None
        if not isinstance(domain, str):
            return None
        plain = self.plain_domain(domain)
        if plain is None:
            return None
        return {"company_type": company_type, "company_name": name, "domain": plain,
                "website": website, "sector": sector, "implementation_lead": people[0],
                "secondary_contact": people[1], "expected_provision_date": provision,
                "permitted_users": permitted, "products": lines, "domain_check": None,
                "status": "prospect"}

    def explain(self, values: Sequence[Any]) -> Record | ProspectInvalid:
        """build_prospect's verdict on a row: its record, or the errors."""
        try:
            prospect = build_prospect(dict(zip(FIELDS, values, strict=True)),
                                      catalog=self.catalog, users=self.users)
        except ProspectInvalid as invalid:
            return invalid
        return prospect.model_dump(
            mode="json", exclude={"id", "created_at", "updated_at", "version", "import_batch"})


@lru_cache(maxsize=1)
def _rule_parents(psl: Any) -> frozenset[str] | None:
    """Every proper suffix of a Public Suffix List rule ('*.kobe.jp' gives 'kobe.jp', 'jp').

    x.example is a public suffix only if some rule ends in '.example', so a name
    whose parent is not in this set needs no PSL lookup (a third of the time of
    judging a row). None when the library keeps its rules elsewhere: look up each.
    """
    rules = getattr(psl, "_publicsuffix", None)
    if not isinstance(rules, frozenset):
        return None
    parents: set[str] = set()
    for rule in rules:
        rest = str(rule).lstrip("!")
        while "." in rest:
            rest = rest.partition(".")[2]
            parents.add(rest)
    return frozenset(parents)


def _plain_verdict(name: str, value: Any) -> Any:
    """The verdict on a plainly valid number or ISO date without a probe (thousands of
    distinct values in a big file); _UNSET for anything else. Tests compare with build_prospect.
    """
    if type(value) is not str or not value.isascii():
        return _UNSET
    if name == "permitted_users" and value.isdigit() and len(value) < 10 and int(value) >= 1:
        return int(value)
    if (name == "expected_provision_date" and len(value) == 10 and value[4] == "-" == value[7]
            and (value[:4] + value[5:7] + value[8:]).isdigit()):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return _UNSET
    return _UNSET


def _map_header(header: Sequence[str], plan: ImportPlan, row: int) -> list[int] | None:
    """Each field's column index (-1 when absent), or None after recording header errors."""
    where: dict[str, list[int]] = {}
    for index, text in enumerate(header):
        key = header_key(text)
        if not key:
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


def make_plan(path: Path | str, store: Store, *, progress: Progress | None = None) -> ImportPlan:
    """Read and judge the whole file; raises TableError when it cannot be read at all.

    `progress` is called now and then with the fraction read; it may raise to stop.
    """
    facts = scan_file(Path(path))
    plan = ImportPlan(path=Path(path), sha256=facts.sha256)
    plan.already = store.batch_with_sha256(facts.sha256)
    if plan.already is not None:
        return plan
    table = open_table(facts)
    try:
        columns = _map_header(table.header, plan, table.header_row)
        if columns is None:
            return plan
        existing = {str(r.get("domain")): r for _, r in store.prospect_records()}
        judge = RowJudge(store.catalog, store.users())
        # Bulk work allocates 100k dicts: the collector would rescan them again and
        # again (2-3x slower) while nothing here becomes garbage in a cycle.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            _judge_rows(table, columns, judge, existing, plan, progress)
        finally:
            if was_enabled:
                gc.enable()
    finally:
        table.close()
    if progress is not None:
        progress(1.0)
    return plan


def _judge_rows(table: Any, columns: list[int], judge: RowJudge, existing: Mapping[str, Record],
                plan: ImportPlan, progress: Progress | None) -> None:
    width = len(table.header)
    # Absent columns read the extra "" appended to every row.
    pick = itemgetter(*[width if i < 0 else i for i in columns])
    text_only = table.text_only
    date_column = columns[FIELDS.index("expected_provision_date")]
    seen: dict[str, int] = {}
    records, create_rows, issues = plan.records, plan.create_rows, plan.issues
    record_of, explain = judge.record, judge.explain
    count = 0
    for row, cells in table.rows():
        if not any(cells):
            continue
        if not text_only:
            # Real date cells stay dates for the date column; every other cell becomes text.
            cells = [("" if v is None else v) if k == date_column else cell_text(v)
                     for k, v in enumerate(cells)]
        joined = "".join(cells) if text_only else "".join(
            c if isinstance(c, str) else "0" for c in cells)
        if not joined.strip():
            continue  # a row of blank cells: spreadsheets save them as ",,,,"
        count += 1
        if count > MAX_ROWS:
            raise TableError(f"{plan.path}: more than {MAX_ROWS:,} rows; the limit is "
                             f"{MAX_ROWS:,}: split it into smaller files")
        if not count & 4095 and progress is not None:
            progress(table.fraction_done())
        n = len(cells)
        if n < width:
            cells.extend([""] * (width - n))
        elif n > width:
            if "".join(map(str, cells[width:])).strip():
                issues.append(_too_many_cells(table, row, cells, columns, width))
                continue
            del cells[width:]
        if text_only and "'" in joined:
            cells = [unescape_cell(c) for c in cells]
        cells.append("")
        values = pick(cells)
        rec = record_of(values)
        if rec is None:
            verdict = explain(values)
            if isinstance(verdict, ProspectInvalid):
                issues.append(RowIssue(row, "error", tuple(e.field for e in verdict.errors),
                                       tuple(str(e) for e in verdict.errors),
                                       _template_values(values)))
                continue
            rec = verdict
        domain = rec["domain"]
        here = existing.get(domain)
        if here is not None:
            issues.append(RowIssue(row, "duplicate", ("domain",), (
                f"Domain: {domain} is already {here.get('status', 'prospect')} "
                f"{quoted(here.get('company_name', ''))}",), _template_values(values)))
        elif domain in seen:
            issues.append(RowIssue(row, "duplicate", ("domain",), (
                f"Domain: {domain} is also on row {seen[domain]}",), _template_values(values)))
        else:
            seen[domain] = row
            records.append(rec)
            create_rows.append(row)
    plan.rows = count


def _too_many_cells(table: Any, row: int, cells: list[Any], columns: list[int],
                    width: int) -> RowIssue:
    spread = table.lines_of_row(cells)
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
    if plan.header_errors:
        raise ImportRefused(f"{plan.file_name}: the header has errors; nothing was written")
    errors = len(plan.errors)
    if errors and not skip_invalid:
        raise ImportRefused(
            f"{plan.file_name}: {errors} row(s) have errors; nothing was written. Fix them and "
            "upload the file again, or skip the rows with errors")
    batch = ImportBatch(file_name=plan.file_name, sha256=plan.sha256, rows=plan.rows,
                        duplicates=len(plan.issues) - errors, errors=errors)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        saved, skipped = store.import_prospects(plan.records, batch)
    except AlreadyImportedError as error:
        return ImportOutcome(error.batch, True, [])
    finally:
        if was_enabled:
            gc.enable()
    return ImportOutcome(saved, False, [plan.records[i]["domain"] for i in skipped])


def import_file(path: Path | str, store: Store, *, skip_invalid: bool = False,
                progress: Progress | None = None) -> tuple[ImportPlan, ImportOutcome]:
    """Plan and commit in one call (see make_plan and commit_plan)."""
    plan = make_plan(path, store, progress=progress)
    return plan, commit_plan(plan, store, skip_invalid=skip_invalid)


ERROR_REPORT_HEADER = ("Row", "Column", "Message", *FIELD_LABELS.values())


def write_error_report(plan: ImportPlan, out: Path | str) -> int:
    """Save the rows with errors as a CSV to fix and upload again; returns rows written.

    One line per row: its number, the columns and messages, then the row's values
    under the template's headers (the importer ignores the first three columns).
    """
    from store.export import write_csv_rows

    rows: list[Sequence[str]] = []
    for issue in plan.errors:
        labels = "; ".join(dict.fromkeys(FIELD_LABELS.get(f, "") for f in issue.fields if f))
        messages = "; ".join(m.split(": ", 1)[-1] if f else m
                             for f, m in zip(issue.fields, issue.messages, strict=True))
        rows.append((str(issue.row), labels, messages, *issue.values))
    write_csv_rows(Path(out), ERROR_REPORT_HEADER, rows)
    return len(rows)
