"""The importer over real files: encodings, delimiters, quoting, headers, plan and commit."""

from __future__ import annotations

import csv
import random
from datetime import date, datetime
from pathlib import Path

import pytest

from store.rules import validation
from store.rules.store import Store
from store.rules.validation import (
    FIELDS,
    ProspectInvalid,
    ProspectRules,
    build_prospect,
    prospect_record,
)
from store.transfer.export import unescape_cell
from store.transfer.importer import (
    ImportRefused,
    commit_plan,
    import_file,
    make_plan,
    write_error_report,
)
from store.transfer.table_file import TableError
from tests.upload_files import HEADER, add_leads, row, write_csv, write_xlsx

WEIRD_NAMES = [
    "Tom & Jerry [UK] Ltd",
    "[bold red]Not Bold[/] Ltd",
    "Back\\slash \\[escaped] Ltd",
    # Control and bidi characters are refused: tests/test_terminal_safety.py
    "Evil Ltd 👍🏽 Reversed",
    "Bell and [2J Escape Ltd",
    "Café Crème SARL",
]


def stored(store: Store) -> dict[str, dict[str, object]]:
    return {str(r["domain"]): r for _, r in store.prospect_rows()}


# -- reading -----------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_encodings_and_delimiters(store: Store, tmp_path: Path, encoding: str,
                                  delimiter: str) -> None:
    rows = [row("Café Crème SARL", "cafe.example", products="Cloud Archive; Mimecast for Mac:25"),
            row("Zürich; Bern | Genève AG", "zurich.example", website="https://zurich.example")]
    path = write_csv(tmp_path / "in.csv", rows, encoding=encoding, delimiter=delimiter)
    plan = make_plan(path, store)
    assert plan.error_lines() == [] and plan.rows == 2
    commit_plan(plan, store)
    got = stored(store)
    assert got["cafe.example"]["company_name"] == "Café Crème SARL"
    assert got["zurich.example"]["company_name"] == "Zürich; Bern | Genève AG"
    assert got["cafe.example"]["products"] == [{"product": "Cloud Archive", "seats": None},
                                               {"product": "Mimecast for Mac", "seats": 25}]


def test_excel_unicode_text_is_utf16_tab_separated(store: Store, tmp_path: Path) -> None:
    rows = [row("Ωmega Łódź Sp. z o.o.", "omega.example"), row("東京 株式会社", "tokyo.example")]
    path = write_csv(tmp_path / "unicode.txt", rows, encoding="utf-16", delimiter="\t")
    assert path.read_bytes()[:2] == b"\xff\xfe"
    _plan, outcome = import_file(path, store)
    assert outcome.batch.created == 2
    assert stored(store)["tokyo.example"]["company_name"] == "東京 株式会社"


def test_crlf_quoted_newlines_and_blank_rows(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    lines = [",".join(HEADER),
             'End Customer,"Two\r\nLines Ltd",two.example,,Retail,ada@example.com,,,,',
             "",
             ",,,,,,,,,",
             "End Customer,Bad Ltd,exa mple.com,,Retail,ada@example.com,,,,",
             "   ,  ,,,,,,,,"]
    path.write_bytes("\r\n".join(lines).encode() + b"\r\n")
    plan = make_plan(path, store)
    assert plan.rows == 2
    # Rows as a spreadsheet numbers them: the header is 1, blank rows count. The quoted
    # line break is read as part of the cell, and one field is one line: refused.
    assert plan.error_lines() == [
        "row 2, Company Name: contains U+000D (a line break) at character 4: control and "
        "text-direction characters are not allowed; retype the value",
        "row 5, Domain: 'exa mple.com' is not a valid domain name: spaces are not allowed"]
    assert plan.create_rows == []


def test_unclosed_quote_is_an_error_naming_its_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    body = [",".join(HEADER), "End Customer,Fine Ltd,fine.example,,Retail,ada@example.com,,,,",
            'End Customer,"Broken Ltd,broken.example,,Retail,ada@example.com,,,,']
    body += [f"End Customer,Swallowed {i},s{i}.example,,Retail,ada@example.com,,,,"
             for i in range(50)]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"row 3 \(line 3 of the file\): a quoted cell that "
                                          r"starts here is never closed"):
        make_plan(path, store)


def test_quote_in_the_middle_of_a_cell_is_an_error(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(",".join(HEADER) + "\n"
                    + "End Customer,Fine,f.example,,Retail,ada@example.com,,,,\n" * 3
                    + 'End Customer,"Acme" Ltd,acme.example,,Retail,ada@example.com,,,,\n',
                    encoding="utf-8")
    with pytest.raises(TableError, match=r"row 5 \(line 5 of the file\): a quote in the middle"):
        make_plan(path, store)


def test_a_stray_quote_that_joins_lines_is_caught_by_the_cell_count(store: Store,
                                                                     tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(",".join(HEADER) + "\n"
                    + 'End Customer,Open Ltd,open.example,,Retail,ada@example.com,,,,"stray\n'
                    + 'quote",Close Ltd,close.example,,Retail,ada@example.com,,,,\n',
                    encoding="utf-8")
    plan = make_plan(path, store)
    [line] = plan.error_lines()
    assert line.startswith("row 2: it has 19 cells but the header has 10 columns")
    assert "lines 2-3" in line


def test_headers_ignore_case_spacing_and_bom(store: Store, tmp_path: Path) -> None:
    header = [f"  {h.upper().replace(' ', '   ')} " for h in HEADER]
    header[0] = "\ufeff" + header[0]
    path = write_csv(tmp_path / "in.csv", [row()], header=header, encoding="utf-8")
    plan = make_plan(path, store)
    assert plan.header_errors == [] and len(plan.records) == 1


def test_missing_duplicate_and_unknown_headers(store: Store, tmp_path: Path) -> None:
    header = ["Company Type", "Company Name", "company name", "Sector", "Webiste",
              "Implementation Lead"]
    path = write_csv(tmp_path / "in.csv", [["End Customer", "A", "B", "Retail", "x", "ada"]],
                     header=header)
    plan = make_plan(path, store)
    assert plan.blocked
    assert plan.header_errors == [
        "row 1, Company Name: the column appears twice (columns B and C); keep one",
        "row 1, Domain: the column is missing (it is required; download the template)",
    ]
    assert plan.warnings == ["row 1: column E 'Webiste' is not one of the template's columns; "
                             "its values were ignored"]
    with pytest.raises(ImportRefused):
        commit_plan(plan, store)


def test_optional_columns_may_be_left_out(store: Store, tmp_path: Path) -> None:
    header = ["Company Type", "Company Name", "Domain", "Sector", "Implementation Lead"]
    path = write_csv(tmp_path / "in.csv", [["End Customer", "A Ltd", "a.example", "Retail",
                                            "Ada Lovelace"]], header=header)
    _plan, outcome = import_file(path, store)
    assert outcome.batch.created == 1
    assert stored(store)["a.example"]["website"] == ""


def test_size_and_row_limits(store: Store, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.truncate(20 * 1024 * 1024 + 1)
    with pytest.raises(TableError, match=r"the file is 20,971,521 bytes \(20.0 MB\), over the "
                                          "limit of 20 MB: split it into smaller files"):
        make_plan(big, store)
    many = tmp_path / "many.csv"
    line = "End Customer,A,a.example,,Retail,ada@example.com,,,,\r\n"
    many.write_text(",".join(HEADER) + "\r\n" + line * 100_001, encoding="utf-8")
    with pytest.raises(TableError, match="more than 100,000 rows"):
        make_plan(many, store)


def test_binary_and_misnamed_files(store: Store, tmp_path: Path) -> None:
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(TableError, match="old Excel .xls"):
        make_plan(xls, store)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("Company Type\n", encoding="utf-8")
    with pytest.raises(TableError, match="not an Excel .xlsx workbook"):
        make_plan(fake, store)
    renamed = write_xlsx(tmp_path / "book.xlsx", [row()]).rename(tmp_path / "book.csv")
    assert len(make_plan(renamed, store).records) == 1  # the content decides, not the name
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(TableError, match="empty"):
        make_plan(empty, store)


def test_not_windows_1252_either(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes((",".join(HEADER) + "\r\n").encode() + b"End Customer,Caf\xe9,a.ex,,,,,,,\r\n"
                     + b"End Customer,A\x81,a.ex,,,,,,,\r\n")
    with pytest.raises(TableError, match="the file is not UTF-8: line 3 holds byte 0x81, which is "
                                         "not Windows-1252 either"):
        make_plan(path, store)


# -- judging --------------------------------------------------------------------------------

def test_errors_read_as_in_the_form(store: Store, tmp_path: Path) -> None:
    add_leads(store)
    rows = [row(), row("B", "b.example"), row("C", "c.example"), row("D", "d.example"),
            row("E", "e.example"),
            row("Bad Ltd", "exa mple.com", permitted_users="0",
                products="Mimecast for Mac", secondary_contact="ada@example.com",
                expected_provision_date="15/03/2027")]
    plan = make_plan(write_csv(tmp_path / "in.csv", rows), store)
    assert plan.error_lines() == [
        "row 7, Domain: 'exa mple.com' is not a valid domain name: spaces are not allowed",
        "row 7, Secondary Implementation Contact: must be someone other than the "
        "implementation lead",
        "row 7, Expected Provision Date: '15/03/2027' is not a date: use YYYY-MM-DD, "
        "e.g. 2027-03-15",
        "row 7, Permitted Users: '0' must be a whole number of 1 or more",
        "row 7, Products: Mimecast for Mac needs seats: write 'Mimecast for Mac:25'",
    ]


def test_duplicates_here_and_earlier_in_the_file(store: Store, tmp_path: Path) -> None:
    import_file(write_csv(tmp_path / "first.csv", [row("Here Ltd", "here.example")]), store)
    rows = [row("New Ltd", "new.example"), row("Again Ltd", "HERE.example"),
            row("New Twice", "https://www.new.example/about")]
    plan = make_plan(write_csv(tmp_path / "second.csv", rows), store)
    assert [(i.row, i.kind, i.messages) for i in plan.issues] == [
        (3, "duplicate", ("Domain: here.example is already prospect 'Here Ltd'",)),
        (4, "duplicate", ("Domain: new.example is also on row 2",)),
    ]
    assert plan.create_rows == [2]
    outcome = commit_plan(plan, store)  # duplicates are skipped, not errors
    assert outcome.batch.created == 1 and outcome.batch.duplicates == 2


def test_weird_company_names_are_stored_exactly(store: Store, tmp_path: Path) -> None:
    rows = [row(name, f"w{i}.example") for i, name in enumerate(WEIRD_NAMES)]
    import_file(write_csv(tmp_path / "in.csv", rows), store)
    got = stored(store)
    assert [got[f"w{i}.example"]["company_name"] for i in range(len(WEIRD_NAMES))] == WEIRD_NAMES


def test_the_formula_prefix_is_removed_exactly_once(store: Store, tmp_path: Path) -> None:
    names = ["'=SUM(A1)", "''=x", "'+44 20 7946 0000", "O'Brien Ltd", "'Quoted' Ltd", "'@home"]
    rows = [row(name, f"q{i}.example") for i, name in enumerate(names)]
    import_file(write_csv(tmp_path / "in.csv", rows), store)
    got = stored(store)
    assert [got[f"q{i}.example"]["company_name"] for i in range(len(names))] == [
        "=SUM(A1)", "'=x", "+44 20 7946 0000", "O'Brien Ltd", "'Quoted' Ltd", "@home"]
    assert unescape_cell("'") == "'" and unescape_cell("'-") == "-"


def test_xlsx_values_dates_and_sheet_choice(store: Store, tmp_path: Path) -> None:
    rows = [row("Dated Ltd", "dated.example", expected_provision_date=datetime(2027, 3, 15),
                permitted_users=250, products="Mimecast for Mac:25"),
            row("Float Ltd", "float.example", permitted_users=30.0,
                expected_provision_date=date(2026, 1, 2)),
            [None] * 10,
            row("Text Date Ltd", "text.example", expected_provision_date="2027-01-31")]
    path = write_xlsx(tmp_path / "in.xlsx", rows, before=["Instructions", "Lists"])
    plan = make_plan(path, store)
    assert plan.error_lines() == [] and plan.create_rows == [2, 3, 5]
    commit_plan(plan, store)
    got = stored(store)
    assert got["dated.example"]["expected_provision_date"] == "2027-03-15"
    assert got["dated.example"]["permitted_users"] == 250
    assert got["float.example"]["permitted_users"] == 30
    assert got["float.example"]["expected_provision_date"] == "2026-01-02"
    first_sheet = write_xlsx(tmp_path / "other.xlsx", [row("Other Ltd", "other.example")],
                             sheet="Sheet1")
    assert make_plan(first_sheet, store).records[0]["domain"] == "other.example"


def test_xlsx_formula_strings_are_text(store: Store, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_xlsx(tmp_path / "in.xlsx", [row("Plain Ltd", "plain.example")])
    book = load_workbook(path)
    sheet = book["Prospects"]
    sheet["B2"] = "=HYPERLINK(\"http://evil.example\")"  # a formula with no cached value
    book.save(path)
    plan = make_plan(path, store)
    # data_only: a formula is never read as text to store; its (missing) value is blank.
    assert plan.error_lines() == ["row 2, Company Name: is required"]


# -- plan and commit ------------------------------------------------------------------------

def test_default_refuses_and_skip_invalid_writes_the_rest(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [row(), row("Bad", "bad domain")])
    plan = make_plan(path, store)
    with pytest.raises(ImportRefused, match="1 row\\(s\\) have errors; nothing was written"):
        commit_plan(plan, store)
    assert store.prospect_rows() == []
    outcome = commit_plan(plan, store, skip_invalid=True)
    assert outcome.batch.created == 1 and outcome.batch.errors == 1
    assert outcome.batch.sha256 == plan.sha256 and outcome.batch.file_name == "in.csv"


def test_the_same_file_twice_lands_once(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [row(), row("B", "b.example")])
    _plan, first = import_file(path, store)
    again_plan, again = import_file(path, store)
    assert again.already and again.batch.id == first.batch.id
    assert again_plan.summary().startswith("in.csv was already imported at ")
    assert len(store.prospect_rows()) == 2
    # A plan made before the first write still lands once: the lock checks the SHA-256.
    stale = make_plan(write_csv(tmp_path / "copy.csv", [row("C", "c.example")]), store)
    commit_plan(stale, store)
    assert commit_plan(stale, store).already


def test_undo_keeps_records_edited_since(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [row(), row("B", "b.example"), row("C", "c.example")])
    _plan, outcome = import_file(path, store)
    ids = outcome.batch.prospect_ids
    edited = store.get_prospect(ids[1])
    store.update_prospect(edited.model_copy(update={"company_name": "B Edited"}))
    assert outcome.batch.id is not None
    removed, kept = store.undo_batch(outcome.batch.id)
    assert removed == [ids[0], ids[2]] and kept == [ids[1]]
    # Undone, the same file may be imported again: its domains that remain are duplicates.
    again = make_plan(path, store)
    assert again.already is None and len(again.records) == 2


def test_error_report_round_trip(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [row(), row("Bad Ltd", "bad domain", sector="Nope")])
    plan = make_plan(path, store)
    report = tmp_path / "in-errors.csv"
    assert write_error_report(plan, report, store) == 1
    with open(report, encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0][:4] == ["Row", "Column", "Message", "Company Type"]
    assert lines[1][:3] == ["3", "Domain; Sector", lines[1][2]]
    assert "is not a valid domain name" in lines[1][2] and "is not one of" in lines[1][2]
    assert lines[1][3:] == row("Bad Ltd", "bad domain", sector="Nope")
    # Fix the cells in the report and upload it: its first three columns are ignored.
    lines[1][3 + FIELDS.index("domain")] = "fixed.example"
    lines[1][3 + FIELDS.index("sector")] = "Retail"
    with open(report, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(lines)
    fixed = make_plan(report, store)
    assert fixed.error_lines() == [] and len(fixed.warnings) == 3
    assert fixed.records[0]["company_name"] == "Bad Ltd"


# -- bulk verdicts, memoised per distinct value, are build_prospect's ---------------------

def _corpus(seed: int) -> list[list[str]]:
    rnd = random.Random(seed)
    domains = ["acme.com", "ACME.co.uk", " www.acme.com ", "acme", "a-b.example", "-a.com",
               "a-.com", "a..com", "xn--bcher-kva.example", "bücher.example", "co.uk", "ck",
               "x.ck", "www.ck", "city.kobe.jp", "a.kobe.jp", "192.168.0.1", "a.123", "a.b1",
               "exa mple.com", "https://acme.com/x", "acme.com.", "ab--cd.com", "a" * 64 + ".com",
               "mail@acme.com", "ａｃｍｅ.com", "acme.com:8080", "\u202eacme.com", "acme\n.com",
               "", "uk.com", "gov.uk", "blogspot.com", "x.blogspot.com", "b.sch.uk", "a.b.sch.uk"]
    values = {
        "company_type": ["End Customer", "end  customer", "Nope", "", "Reseller"],
        "company_name": ["Acme", "  Spaced  ", "", "x" * 201, "[b]Tag[/b]", "Tab\tName"],
        "website": ["", "https://a.com", "a com", "nodot", " https://a.com ", "https://é.com",
                    "x\x00.com", "w" * 2049],
        "sector": ["Retail", "retail", "Nope", ""],
        "implementation_lead": ["ada@example.com", "Ada Lovelace", "ADA@EXAMPLE.COM",
                                "bob@example.com", "nobody", "", "cy@example.com"],
        "secondary_contact": ["", "cy@example.com", "ada@example.com", "Bob Plain", "x"],
        "expected_provision_date": ["", "2027-03-15", "2027-02-30", "15/03/2027", "20270315",
                                    "2027-3-5", " 2027-03-15 "],
        "permitted_users": ["", "1", "0", "250", "1,000", "-5", "2.5", " 7 ", "0250",
                            "99999999999"],
        "products": ["", "Cloud Archive", "cloud archive; Web Security", "Mimecast for Mac",
                     "Mimecast for Mac:25", "Mimecast for Mac:0", "Nope", "Cloud Archive;;",
                     "Web Security; Web Security", "Cloud Archive:x", "Mimecast for Mac: 3 "],
    }
    values["domain"] = domains
    rows = []
    for i in range(1500):
        # Mostly valid rows (the first choice of each column) with a few cells changed.
        cells = [values[name][0] for name in FIELDS]
        cells[FIELDS.index("domain")] = f"d{i}.example"
        for name in rnd.sample(FIELDS, rnd.choice((0, 1, 1, 2, 3))):
            cells[FIELDS.index(name)] = rnd.choice(values[name])
        rows.append(cells)
    return rows


@pytest.mark.parametrize("memo_limit", [validation.MEMO_LIMIT, 10])
def test_bulk_verdicts_agree_with_build_prospect(store: Store, memo_limit: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Column by column through one memo (emptied now and then when small): the same
    errors, in the same order, and the same record as the model dumps, row by row."""
    monkeypatch.setattr(validation, "MEMO_LIMIT", memo_limit)
    add_leads(store)
    rules = ProspectRules(store.catalog, store.users())
    rows = _corpus(1)
    kinds = set()
    for start in range(0, len(rows), 300):
        chunk = rows[start:start + 300]
        verdicts, errors = rules.judge([list(column) for column in zip(*chunk, strict=True)])
        for i, cells in enumerate(chunk):
            try:
                prospect = build_prospect(dict(zip(FIELDS, cells, strict=True)),
                                          catalog=store.catalog, users=store.users())
            except ProspectInvalid as invalid:
                kinds.add("error")
                assert errors.get(i) == invalid.errors, cells
                continue
            kinds.add("valid")
            assert i not in errors, (cells, errors[i])
            record = prospect_record(*(column[i] for column in verdicts))
            assert record == prospect.model_dump(mode="json", exclude={
                "id", "created_at", "updated_at", "version", "import_batch"}), cells
    assert kinds == {"error", "valid"}


def test_reading_streams(store: Store, tmp_path: Path) -> None:
    """The plan keeps the values to create, never the whole file's cells at once."""
    import tracemalloc

    rows = [row(f"Company {i} Holdings Ltd", f"company{i}.example",
                website=f"https://www.company{i}.example", products="Cloud Archive")
            for i in range(20_000)]
    path = write_csv(tmp_path / "in.csv", rows)
    tracemalloc.start()
    try:
        with open(path, encoding="utf-8", newline="") as f:
            parsed = list(csv.reader(f))
        whole = tracemalloc.get_traced_memory()[0]
        del parsed
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        plan = make_plan(path, store)
        kept, peak = (m - start for m in tracemalloc.get_traced_memory())
    finally:
        tracemalloc.stop()
    assert len(plan.records) == 20_000
    # Beyond what the plan keeps (the values to create) and the file's bytes (read once, so
    # that what is hashed is what is parsed), reading needs one chunk at a time.
    assert peak - kept - path.stat().st_size < 0.5 * whole, (peak, kept, whole)
