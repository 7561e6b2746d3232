"""Hostile and damaged upload files: a clear refusal (or exact data), never a traceback.

The hostile workbooks are built by hand with zipfile: small on disk, whatever
they claim to unpack to.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from store.rules.store import Store
from store.transfer import importer, xlsx_reader
from store.transfer.importer import import_file, make_plan
from store.transfer.table_file import MAX_ROWS, TableError, column_letter
from tests.cli import run_cli
from tests.upload_files import HEADER, row, write_csv, write_xlsx

SHEET = "xl/worksheets/sheet1.xml"


def stored_names(store: Store) -> list[str]:
    return sorted(str(r["company_name"]) for _, r in store.prospect_rows())


def rebuild(path: Path, parts: Mapping[str, bytes], *, drop: tuple[str, ...] = ()) -> Path:
    """A copy of an openpyxl workbook with some parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename not in parts and item.filename not in drop:
                out.writestr(item, source.read(item.filename))
        for name, data in parts.items():
            out.writestr(name, data)
    return path


def inline_row(number: int, values: list[str]) -> str:
    cells = "".join(f'<c r="{column_letter(i)}{number}" t="inlineStr"><is><t>{escape(v)}</t>'
                    "</is></c>" for i, v in enumerate(values) if v)
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(body: str, *, prolog: str = "", dimension: str = "A1:J2") -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + prolog +
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{inline_row(1, HEADER)}{body}'
            "</sheetData></worksheet>").encode()


def workbook(tmp_path: Path, name: str, parts: Mapping[str, bytes]) -> Path:
    return rebuild(write_xlsx(tmp_path / name, [row()]), parts)


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "&lol;" * 10}">'
                            for i in range(9))
                  + "]>")
STYLES = (b'<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
          b'spreadsheetml/2006/main"><cellXfs count="1"><xf numFmtId="oops"/></cellXfs>'
          b"</styleSheet>")
EXTERNAL = '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


def hostile_workbooks(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Each hostile workbook and a phrase its refusal must hold."""
    name_row = inline_row(2, row("&lol8;"))
    return {
        "billion laughs": (workbook(tmp_path, "laughs.xlsx", {
            SHEET: sheet_xml(name_row, prolog=BILLION_LAUGHS)}), "DTD or entities"),
        "external entity": (workbook(tmp_path, "external.xlsx", {
            SHEET: sheet_xml(inline_row(2, row("&secret;")), prolog=EXTERNAL)}),
            "DTD or entities"),
        "malformed sheet": (workbook(tmp_path, "malformed.xlsx", {
            SHEET: sheet_xml(inline_row(2, row())).replace(b"</sheetData>", b"<row><c>")}),
            "part xl/worksheets/sheet1.xml is damaged (not well-formed XML: mismatched tag"),
        "damaged styles": (workbook(tmp_path, "styles.xlsx", {"xl/styles.xml": STYLES[:-20]}),
                           "part xl/styles.xml is damaged (not well-formed XML: "),
        "wrong styles": (workbook(tmp_path, "wrong.xlsx", {"xl/styles.xml": STYLES}),
                         "part xl/styles.xml is damaged (expected <class 'int'>)"),
        "zip bomb": (_bomb(tmp_path / "bomb.xlsx", 300 * 1024 * 1024),
                     "would unpack to 300.0 MB, over the limit of 256.0 MB"),
        "packed too tight": (_bomb(tmp_path / "tight.xlsx", 3 * 1024 * 1024), "zip bomb"),
        "huge cell": (workbook(tmp_path, "cell.xlsx", {
            SHEET: sheet_xml(inline_row(2, row("".join(
                f"{i:07d}" for i in range(50_000)))))}), "longer than 32,767 characters"),
        "last row and column": (workbook(tmp_path, "corner.xlsx", {
            SHEET: sheet_xml('<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t>'
                             "</is></c></row>", dimension="A1:XFD1048576")}),
            "more than 100,000 rows after the header (blank rows count too)"),
        "many empty rows": (workbook(tmp_path, "rows.xlsx", {
            SHEET: sheet_xml(inline_row(2, row()) + "".join(
                f'<row r="{n}"/>' for n in range(3, MAX_ROWS + 10)))}),
            "more than 100,000 rows after the header"),
        "missing sheet": (rebuild(write_xlsx(tmp_path / "nosheet.xlsx", [row()]), {},
                                  drop=(SHEET,)), "the workbook has no worksheet"),
        "corrupt deflate": (_corrupt(write_xlsx(tmp_path / "corrupt.xlsx", [row()])),
                            f"cannot read part {SHEET} of the workbook: it is damaged"),
        "utf-16 xml": (workbook(tmp_path, "utf16.xlsx", {
            SHEET: sheet_xml(inline_row(2, row())).decode().replace(
                'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")}), "UTF-16"),
    }


def _corrupt(path: Path) -> Path:
    """Garble the middle of the sheet's deflated bytes."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(info.compress_size // 3, info.compress_size // 3 + 16):
        data[start + k] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def _bomb(path: Path, size: int) -> Path:
    """A workbook whose sheet is `size` bytes of one repeated row, deflated."""
    write_xlsx(path, [row()])
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != SHEET:
                out.writestr(item, source.read(item.filename))
        with out.open(SHEET, "w", force_zip64=True) as sheet:
            block = b" " * (1 << 20)
            for _ in range(size >> 20):
                sheet.write(block)
    return path


def test_hostile_workbooks_are_refused_with_a_clear_message(store: Store,
                                                             tmp_path: Path) -> None:
    for what, (path, phrase) in hostile_workbooks(tmp_path).items():
        assert path.stat().st_size < 2 * 1024 * 1024, what  # small on disk, all of them
        with pytest.raises(TableError) as refused:
            make_plan(path, store)
        assert phrase in str(refused.value), (what, str(refused.value))
        assert str(refused.value).startswith(f"{path}: ")
    assert store.prospect_rows() == []


def test_openpyxl_parses_with_defusedxml() -> None:
    import defusedxml
    from openpyxl.xml import functions

    assert functions.iterparse.__module__.startswith("defusedxml")
    with pytest.raises(defusedxml.EntitiesForbidden):
        list(functions.iterparse(io.BytesIO(sheet_xml("", prolog=BILLION_LAUGHS))))


def test_too_many_shared_strings_or_elements(store: Store, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    strings = "".join(f"<si><t>Company {i}</t></si>" for i in range(300))
    path = workbook(tmp_path, "many.xlsx", {"xl/sharedStrings.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="300" uniqueCount="300">{strings}</sst>').encode()})
    monkeypatch.setattr(xlsx_reader, "MAX_SHARED_STRINGS", 299)
    with pytest.raises(TableError, match="more than 299 different texts"):
        make_plan(path, store)
    monkeypatch.setattr(xlsx_reader, "MAX_SHARED_STRINGS", 300)
    assert len(make_plan(path, store).records) == 1
    monkeypatch.setattr(xlsx_reader, "MAX_ELEMENTS", 1000)
    with pytest.raises(TableError, match="more than 1,000 XML elements"):
        make_plan(path, store)


def test_a_password_protected_workbook_says_so(store: Store, tmp_path: Path) -> None:
    # Excel saves an encrypted workbook as an OLE compound file with an EncryptionInfo stream.
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
                     + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 1000)
    with pytest.raises(TableError, match="password-protected"):
        make_plan(path, store)


def test_the_cli_refuses_hostile_files_with_exit_2_and_one_line(store: Store, tmp_path: Path) -> None:
    db = store.path  # an existing database: a new one would be announced on stderr
    files = hostile_workbooks(tmp_path)
    for what in ("billion laughs", "zip bomb", "malformed sheet", "damaged styles"):
        path, phrase = files[what]
        done = run_cli("--db", db, "import", path)
        assert done.returncode == 2, (what, done.stderr)
        assert len(done.stderr.splitlines()) == 1 and phrase in done.stderr, (what, done.stderr)
        assert "Traceback" not in done.stderr and done.stdout == ""


# -- CSV: encodings and damaged text --------------------------------------------------------

FOREIGN = {
    "shift_jis": ["株式会社テスト", "山田商事株式会社"],
    "gb18030": ["北京科技有限公司", "上海贸易公司"],
    "euc_kr": ["삼성전자 주식회사", "한국무역"],
    "koi8_r": ["ООО Ромашка", "Газпром нефть"],
}
WESTERN = [["Bücher GmbH", "Müller & Söhne KG"], ["Société Générale", "Crédit Agricole"],
           ["Telefónica España", "Año Nuevo S.L."], ["Smith’s “Best” Ltd – UK", "Café €uro"],
           ["Øresund ÅB", "Ålands Bank"], ["Bücher GmbH"]]


@pytest.mark.parametrize("encoding", list(FOREIGN))
def test_csv_in_another_encoding_is_refused_not_garbled(store: Store, tmp_path: Path,
                                                        encoding: str) -> None:
    names = FOREIGN[encoding]
    path = write_csv(tmp_path / "in.csv", [row(n, f"f{i}.example") for i, n in enumerate(names)],
                     encoding=encoding)
    with pytest.raises(TableError, match="the file is not UTF-8: .*save it again as 'CSV UTF-8'"):
        import_file(path, store)
    assert store.prospect_rows() == []
    # Saved as CSV UTF-8 (with or without the BOM Excel writes), the names land exactly.
    for i, utf8 in enumerate(("utf-8", "utf-8-sig")):
        path = write_csv(tmp_path / f"{utf8}.csv", [row(n, f"{utf8}{k}.example")
                                                    for k, n in enumerate(names)], encoding=utf8)
        import_file(path, store)
        assert stored_names(store) == sorted(names * (i + 1))


@pytest.mark.parametrize("names", WESTERN, ids=lambda names: names[0])
def test_real_windows_1252_files_still_import_exactly(store: Store, tmp_path: Path,
                                                      names: list[str]) -> None:
    path = write_csv(tmp_path / "in.csv", [row(n, f"w{i}.example") for i, n in enumerate(names)],
                     encoding="cp1252", delimiter=";")
    plan, _outcome = import_file(path, store)
    assert plan.error_lines() == []
    assert stored_names(store) == sorted(names)


def test_utf16_and_the_delimiters_excel_writes(store: Store, tmp_path: Path) -> None:
    names = ["Ünïcode GmbH", "株式会社テスト", "Tab\tSeparated Ltd"]
    for i, (encoding, delimiter) in enumerate((("utf-16", "\t"), ("utf-8-sig", ";"),
                                               ("utf-8", ","), ("utf-16-le", "\t"))):
        path = write_csv(tmp_path / f"{i}.csv", [row(names[0], f"u{i}.example"),
                                                 row(names[1], f"v{i}.example")],
                         encoding=encoding, delimiter=delimiter)
        plan, _ = import_file(path, store)
        assert plan.error_lines() == [], encoding
    assert stored_names(store) == sorted(names[:2] * 4)


def test_a_binary_file_is_not_called_empty(store: Store, tmp_path: Path) -> None:
    for name, data in (("nul.csv", b"\x00" * 5000), ("mixed.csv", b"Company Type\x00\x01\x02" * 9)):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(TableError, match="not a CSV or XLSX file: it holds binary data"):
            make_plan(path, store)


def test_a_huge_cell_names_its_row_column_and_the_limit(store: Store, tmp_path: Path) -> None:
    long_name = "A" * (10 * 1024 * 1024)
    path = write_csv(tmp_path / "in.csv", [row(), row(long_name, "long.example")])
    with pytest.raises(TableError) as refused:
        make_plan(path, store)
    assert str(refused.value) == (
        f"{path}: row 3, Company Name (column B): the cell is longer than 131,072 characters, "
        "the most a cell may hold; shorten it")
    # A stray quote that swallows the rest of a big file: the same limit, and the hint.
    body = ("End Customer,\"Open Ltd,open.example,,Retail,ada@example.com,,,,\r\n"
            + "End Customer,Swallowed,s.example,,Retail,ada@example.com,,,,\r\n" * 5000)
    path.write_bytes((",".join(HEADER) + "\r\n").encode() + body.encode())
    with pytest.raises(TableError, match=r"row 2, Company Name \(column B\): the cell is longer "
                       r"than 131,072 characters.*a closing double quote is missing: the cell "
                       r"starts with one on line 2\)"):
        make_plan(path, store)


def test_bytes_that_are_not_utf8_name_their_row_and_column(store: Store, tmp_path: Path) -> None:
    good = [row("Café Ltd", f"c{i}.example") for i in range(20)]
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([HEADER, *good])
    data = text.getvalue().encode() + "End Customer,Bad \udcff Name,bad.example,,Retail,".encode(
        "utf-8", "surrogateescape") + b"ada@example.com,,,,\r\n"
    for bom in (b"", b"\xef\xbb\xbf"):
        path = tmp_path / "in.csv"
        path.write_bytes(bom + data)
        with pytest.raises(TableError) as refused:
            import_file(path, store)
        assert str(refused.value) == (
            f"{path}: row 22, Company Name (column B): holds bytes that are not UTF-8 text "
            "(0xff) while the rest of the file is; retype that cell, or save the file again as "
            "'CSV UTF-8'")
    assert store.prospect_rows() == []


def test_a_header_wider_than_any_upload_is_refused_before_it_is_parsed(store: Store,
                                                                       tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    for header, columns in ((b"," * 5_000_000, "5,000,001"),
                            (b"Company Type," * 300, "300"),
                            (",".join(HEADER).encode() + b"," * 16_000 + b"\r\n", None)):
        path.write_bytes(header + b"\r\n" + ",".join(row()).encode() + b"\r\n")
        if columns is None:  # empty cells after the last name are not columns
            assert len(make_plan(path, store).records) == 1
            continue
        with pytest.raises(TableError, match=f"row 1: the header has {columns} columns; an "
                                             "upload has at most 256"):
            make_plan(path, store)


def test_broken_utf16_names_its_line(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [row(), row("Ünïcode GmbH", "u.example")],
                     encoding="utf-16")
    for tail, byte in ((b"A", "0x41"), ("\r\n".encode("utf-16-le") + b"\x00\xd8A\x00", "0x00")):
        path.write_bytes(path.read_bytes()[:-4] + tail)
        with pytest.raises(TableError, match=f"line [34] holds bytes that are not UTF-16 text "
                                             rf"\({byte}\) while the rest of the file is"):
            make_plan(path, store)


def test_blank_rows_count_towards_the_row_limit(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [row()])
    with open(path, "ab") as f:
        f.write(b",,,,,,,,,\r\n" * (MAX_ROWS - 1))
    assert len(make_plan(path, store).records) == 1  # 100,000 rows after the header: fine
    with open(path, "ab") as f:
        f.write(b"\r\n")
    with pytest.raises(TableError, match="more than 100,000 rows after the header "
                                         r"\(blank rows count too\)"):
        make_plan(path, store)


# -- cells a spreadsheet could not compute ----------------------------------------------------

ERRORS = ["#REF!", "#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"]


def test_a_spreadsheet_error_cell_is_a_row_error_naming_the_cell(store: Store,
                                                                 tmp_path: Path) -> None:
    rows = [row(f"Fine {i} Ltd", f"fine{i}.example") for i in range(5)]
    rows += [row(error, f"e{i}.example") for i, error in enumerate(ERRORS)]
    rows.append(row("Two Errors Ltd", "#REF!", sector="#N/A"))
    for path in (write_csv(tmp_path / "in.csv", rows), write_xlsx(tmp_path / "in.xlsx", rows)):
        plan = make_plan(path, store)
        lines = plan.error_lines()
        assert lines[0] == ("row 7, Company Name: cell B7 holds the spreadsheet error #REF!; "
                            "fix the formula or type the value")
        assert [line.split(" holds the spreadsheet error ")[1].split(";")[0]
                for line in lines[:len(ERRORS)]] == ERRORS
        assert lines[len(ERRORS):] == [
            "row 14, Domain: cell C14 holds the spreadsheet error #REF!; fix the formula or "
            "type the value",
            "row 14, Sector: cell E14 holds the spreadsheet error #N/A; fix the formula or "
            "type the value"]
        assert len(plan.records) == 5
    # openpyxl wrote the .xlsx cells as real error cells (type "e"), as Excel caches them.
    from openpyxl import load_workbook

    assert load_workbook(tmp_path / "in.xlsx")["Prospects"]["B7"].data_type == "e"


# -- which sheet ---------------------------------------------------------------------------------

def test_a_hidden_prospects_sheet_is_not_read_over_the_visible_one(store: Store,
                                                                    tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_xlsx(tmp_path / "in.xlsx", [row("Old Ltd", "old.example")],
                      before=["New Data"])
    book = load_workbook(path)
    book["New Data"].append(HEADER)
    book["New Data"].append(row("New Ltd", "new.example"))
    book["Prospects"].sheet_state = "hidden"
    book.save(path)
    plan = make_plan(path, store)
    assert [r["domain"] for r in plan.records] == ["new.example"]
    assert plan.warnings == ["read sheet 'New Data': the sheet named 'Prospects' is hidden; "
                             "unhide it (and hide or delete the other) to read it instead"]


# -- one file, one read --------------------------------------------------------------------------

def test_the_file_hashed_is_the_file_parsed(store: Store, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    path = write_csv(tmp_path / "in.csv", [row("First Ltd", "first.example")])
    first = hashlib.sha256(path.read_bytes()).hexdigest()
    real_open = importer.open_table

    def replaced_meanwhile(upload: object) -> object:
        write_csv(path, [row("Second Ltd", "second.example")])  # someone saves over it
        return real_open(upload)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "open_table", replaced_meanwhile)
    plan, outcome = import_file(path, store)
    assert plan.sha256 == outcome.batch.sha256 == first
    assert stored_names(store) == ["First Ltd"]


# -- the lean sheet reader reads what openpyxl reads ---------------------------------------------

def openpyxl_rows(path: Path, width: int) -> list[list[object]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    rows = [list(values) for values in book.active.iter_rows(max_col=width, values_only=True)]
    book.close()
    return rows


def lean_rows(path: Path, store: Store) -> list[list[object]]:
    from store.transfer.importer import open_table
    from store.transfer.table_file import read_upload

    table = open_table(read_upload(path))
    try:
        return [table.header, *(r for _, block in table.chunks(7) for r in block)]
    finally:
        table.close()


def test_the_lean_sheet_reader_reads_what_openpyxl_reads(store: Store, tmp_path: Path) -> None:
    from datetime import date, datetime, time, timedelta

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Prospects"
    sheet.append(HEADER)
    values: list[object] = ["Tom & Jerry [UK] <Ltd>", "  spaced  ", "Ünïcode 🚀", 250, 2.5, -3,
                            1e21, True, False, datetime(2027, 3, 15), date(2027, 3, 16),
                            datetime(2027, 3, 15, 13, 30), time(9, 15), timedelta(hours=36),
                            "#REF!", "=SUM(1,2)", "", None, "0012", "x" * 32_000]
    for i in range(0, len(values), 10):
        sheet.append(values[i:i + 10])
    sheet.append([])
    sheet["C9"] = "after a gap"
    sheet["L9"] = "beyond the header"
    book.save(tmp_path / "mixed.xlsx")
    # Shared strings with rich text and phonetic runs, rows without r, a 1904 workbook.
    strings = ('<si><t>Plain</t></si><si><r><t>Rich </t></r><r><rPr><b/></rPr><t>Text</t></r>'
               '</si><si><t>漢字</t><rPh sb="0" eb="2"><t>カンジ</t></rPh></si>')
    rows = ('<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c>'
            '<c s="1"><v>46000</v></c><c t="str"><v>formula text</v></c>'
            '<c t="e"><v>#N/A</v></c><c t="b"><v>1</v></c></row>')
    mixed = tmp_path / "strings.xlsx"
    write_xlsx(mixed, [])
    source = zipfile.ZipFile(io.BytesIO(mixed.read_bytes()))
    workbook_xml = source.read("xl/workbook.xml").replace(
        b"<workbookPr />", b'<workbookPr date1904="1" />')
    rebuild(mixed, {
        SHEET: sheet_xml(rows, dimension="A1:J2"),
        "xl/sharedStrings.xml": ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://'
                                 'schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                 f"{strings}</sst>").encode(),
        "xl/workbook.xml": workbook_xml,
        "[Content_Types].xml": source.read("[Content_Types].xml").replace(
            b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "xl/_rels/workbook.xml.rels": source.read("xl/_rels/workbook.xml.rels").replace(
            b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.'
            b'org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            b"</Relationships>"),
    })
    for path in (tmp_path / "mixed.xlsx", mixed):
        expected = openpyxl_rows(path, len(HEADER))
        got = lean_rows(path, store)
        assert got[0] == HEADER
        assert got[1:] == [[v for v in r] for r in expected[1:]]
    assert lean_rows(mixed, store)[1][:3] == ["Plain", "Rich Text", "漢字"]


def test_reading_stops_after_a_thousand_rows_with_errors(store: Store, tmp_path: Path) -> None:
    rows = [row(f"Bad {i} Ltd", f"bad {i}.example") for i in range(5000)]
    path = write_csv(tmp_path / "in.csv", rows)
    plan = make_plan(path, store)
    lines = plan.error_lines()
    assert len(plan.errors) == 1000 and plan.blocked
    assert lines[-1] == ("reading stopped at row 1002: more than 1,000 rows have errors; fix the "
                         "ones listed and upload the file again")
    assert plan.summary() == f"in.csv: {lines[-1]}"
    with pytest.raises(importer.ImportRefused, match="nothing was written"):
        importer.commit_plan(plan, store, skip_invalid=True)
    done = run_cli("--db", store.path, "import", path, "--skip-invalid")
    assert done.returncode == 1 and done.stderr.splitlines()[-2:] == [lines[-1],
                                                                      "nothing was written"]
    assert store.prospect_rows() == []
