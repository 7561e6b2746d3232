"""The upload screen, driven with the keyboard at 80x24 like a person would."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, ProgressBar, Static
from textual.worker import WorkerCancelled

from store.models import ImportBatch
from store.rules.store import Store
from tests.upload_files import row, write_csv
from tui.modals.file_picker import FilePickerModal
from tui.screens.upload import UploadScreen
from tui.widgets.import_report import ImportReport

SIZE = (80, 24)
UNSET = object()


class ScreenApp(App[None]):
    """An app showing just one screen, remembering what it was dismissed with."""

    def __init__(self, make_screen: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.result: object = UNSET

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self._done)

    def _done(self, result: object) -> None:
        self.result = result


def UploadApp(store: Store, folder: Path) -> ScreenApp:  # noqa: N802 - reads as the app it makes
    """The upload screen alone, on a store, browsing from `folder`."""
    return ScreenApp(lambda: UploadScreen(store, folder=folder))


def summary(app: App[None]) -> str:
    return str(app.screen.query_one("#plan-summary", Static).render())


def report(app: App[None]) -> list[list[str]]:
    table = app.screen.query_one("#import-report", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def settle(app: App[None], pilot: object) -> None:
    """Wait for the upload screen's workers (not DirectoryTree's, which idle forever)."""
    for _ in range(2):
        mine = [w for w in app.workers if isinstance(w.node, UploadScreen)]
        with suppress(WorkerCancelled):
            await app.workers.wait_for_complete(mine)
        await pilot.pause()  # type: ignore[attr-defined]


async def choose(app: App[None], pilot: object, path: Path) -> None:
    app.screen.query_one("#file-path", Input).value = str(path)
    app.screen.query_one("#file-path", Input).focus()
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(app, pilot)


async def test_every_control_fits_80x24(store: Store, tmp_path: Path) -> None:
    app = UploadApp(store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        for selector in ("#template-path", "#download-template", "#file-path", "#browse",
                         "#submit", "#progress", "#import-report", "#plan-summary"):
            region = screen.query_one(selector).region
            assert region.width > 0 and region.height > 0, selector
            assert region.right <= SIZE[0] and region.bottom <= SIZE[1], selector
        assert isinstance(screen.query_one("#progress"), ProgressBar)


async def test_template_plan_submit_twice_and_back(store: Store, tmp_path: Path) -> None:
    app = UploadApp(store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#download-template")
        await settle(app, pilot)
        template = tmp_path / "prospects-template.xlsx"
        assert template.exists()
        status = str(app.screen.query_one("#template-status", Static).render())
        assert str(template) in status
        await pilot.click("#download-template")  # never overwrites: a new name
        await settle(app, pilot)
        assert (tmp_path / "prospects-template-2.xlsx").exists()

        path = write_csv(tmp_path / "in.csv", [row("Acme Ltd", "acme.example"),
                                              row("Beta Ltd", "beta.example"),
                                              row("Acme Again", "acme.example")])
        await choose(app, pilot, path)
        assert "3 row(s): 2 to create, 1 duplicate(s), 0 with errors" in summary(app)
        assert "Press Submit to import 2 prospect(s)." in summary(app)
        assert ["4", "duplicate", "Acme Again", "acme.example", "Domain",
                "acme.example is also on row 2"] in report(app)
        assert store.prospect_rows() == []  # the plan wrote nothing

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Imported 2 prospect(s) from in.csv as import batch 1" in summary(app)
        await pilot.press("ctrl+s")  # submit again: checks the file, finds it imported
        await settle(app, pilot)
        assert "in.csv was already imported at" in summary(app)
        await pilot.click("#submit")
        await settle(app, pilot)
        assert "in.csv was already imported at" in summary(app)
        assert len(store.prospect_rows()) == 2

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.result, ImportBatch) and app.result.created == 2


async def test_errors_block_until_skipped_and_the_report_saves(store: Store,
                                                               tmp_path: Path) -> None:
    weird = "Tom & Jerry [bold]UK[/bold] Ltd \u202e\x1b[2J"
    path = write_csv(tmp_path / "in.csv", [row("Good Ltd", "good.example"),
                                          row(weird, "exa mple.com")])
    app = UploadApp(store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await choose(app, pilot, path)
        [refused, error] = [line for line in report(app) if line[1] == "error"]
        # Shown verbatim (markup brackets and all), each control or bidi character as a symbol.
        assert refused[:2] == ["3", "error"] and refused[4] == "Company Name"
        assert error[:2] == ["3", "error"] and error[4] == "Domain"
        assert error[2] == "Tom & Jerry [bold]UK[/bold] Ltd \ufffd␛[2J"
        await pilot.click("#submit")
        await settle(app, pilot)
        assert "1 row(s) have errors, so nothing was written" in summary(app)
        assert store.prospect_rows() == []

        await pilot.click("#save-report")
        await settle(app, pilot)
        saved = tmp_path / "in-errors.csv"
        assert saved.exists() and str(saved) in summary(app)
        assert weird in saved.read_text(encoding="utf-8-sig")  # the data itself, exactly

        await pilot.click("#skip-invalid")
        await pilot.click("#submit")
        await settle(app, pilot)
        assert "Imported 1 prospect(s)" in summary(app)
        assert [r["domain"] for _, r in store.prospect_rows()] == ["good.example"]


async def test_browse_picks_a_file_in_a_dialog_that_fits(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    path = write_csv(folder / "[red]pick me.csv", [row()])
    (folder / "notes.pdf").write_bytes(b"%PDF")
    app = UploadApp(store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#browse")
        await pilot.pause()
        assert isinstance(app.screen, FilePickerModal)
        for selector in ("#picker-path", "#picker-tree", "#picker-open", "#picker-cancel"):
            region = app.screen.query_one(selector).region
            assert region.right <= SIZE[0] and region.bottom <= SIZE[1], selector
        app.screen.query_one("#picker-path", Input).value = str(folder)
        app.screen.query_one("#picker-path", Input).focus()
        await pilot.press("enter")  # go to the folder: the tree takes the focus
        await pilot.pause()
        assert app.screen.focused is app.screen.query_one("#picker-tree")
        app.screen.query_one("#picker-path", Input).value = str(path)
        app.screen.query_one("#picker-path", Input).focus()
        await pilot.press("enter")  # pick the file
        await settle(app, pilot)
        assert isinstance(app.screen, UploadScreen)
        assert app.screen.query_one("#file-path", Input).value == str(path)
        assert "1 to create" in summary(app)


async def test_escape_leaves_the_data_untouched(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [row()])
    app = UploadApp(store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await choose(app, pilot, path)
        await pilot.press("escape")
        await pilot.pause()
        assert app.result is None
    assert store.prospect_rows() == []


async def test_submit_is_disabled_while_reading(store: Store, tmp_path: Path) -> None:
    rows = [row(f"Company {i}", f"c{i}.example") for i in range(20_000)]
    path = write_csv(tmp_path / "big.csv", rows)
    app = UploadApp(store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, UploadScreen)
        screen.query_one("#file-path", Input).value = str(path)
        screen.action_submit()  # what #submit and ctrl+s do: the first press reads the file
        assert screen.query_one("#submit", Button).disabled  # at once, before any await
        screen.action_submit()  # a second press (key or click) does nothing meanwhile
        assert len([w for w in app.workers if w.name == "plan"]) == 1
        await settle(app, pilot)
        assert not app.screen.query_one("#submit", Button).disabled
        assert "20000 to create" in summary(app)
        assert app.screen.query_one("#progress", ProgressBar).progress == 100
        assert store.prospect_rows() == []


@pytest.mark.parametrize("text", ["", "   "])
async def test_submit_without_a_file_says_so(store: Store, tmp_path: Path, text: str) -> None:
    app = UploadApp(store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#file-path", Input).value = text
        await pilot.click("#submit")
        await pilot.pause()
        assert "Choose a file first" in summary(app)


def ExportApp(store: Store, folder: Path) -> ScreenApp:  # noqa: N802 - reads as the app it makes
    """The export dialog alone, as the list pushes it with a search and a letter."""
    from tui.modals.export_dialog import ExportModal

    return ScreenApp(lambda: ExportModal(store, search="ltd", letter="b", folder=folder))


async def test_export_dialog_keeps_the_lists_filters(store: Store, tmp_path: Path) -> None:
    from store.transfer.export import ExportResult
    from store.transfer.importer import import_file

    import_file(write_csv(tmp_path / "in.csv", [row("Beta Ltd", "beta.example"),
                                               row("Bravo Inc", "bravo.example"),
                                               row("Alpha Ltd", "alpha.example")]), store)
    app = ExportApp(store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for selector in ("#export-path", "#export-shown", "#export-save"):
            region = app.screen.query_one(selector).region
            assert region.right <= SIZE[0] and region.bottom <= SIZE[1], selector
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "out.json")
        await pilot.press("enter")
        for _ in range(50):
            if app.result is not UNSET:
                break
            await pilot.pause(0.05)
    assert isinstance(app.result, ExportResult) and app.result.count == 1
    assert "beta.example" in (tmp_path / "out.json").read_text(encoding="utf-8")


async def test_from_the_list_template_fill_upload_twice_back(store: Store, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A new user's path: u, download the template, fill it, upload, submit twice, back."""
    from openpyxl import load_workbook

    from tui.app import ProspectsApp

    monkeypatch.chdir(tmp_path)
    app = ProspectsApp(store=store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, UploadScreen)
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        template = tmp_path / "prospects-template.xlsx"
        book = load_workbook(template)
        book["Prospects"].append(row("Filled Ltd", "filled.example"))
        book["Prospects"].append(row("Second Ltd", "second.example"))
        book.save(template)
        await choose(app, pilot, template)
        assert "2 to create" in summary(app)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "already imported" in summary(app)
        await pilot.press("escape")
        for _ in range(100):  # the list reloads in a worker
            await pilot.pause(0.05)
            if len(getattr(app.screen, "prospects", ())) == 2:
                break
        assert len(app.screen.prospects) == 2  # type: ignore[attr-defined]
    assert sorted(r["domain"] for _, r in store.prospect_rows()) == [
        "filled.example", "second.example"]


def visible_text(app: App[None]) -> str:
    """What the terminal shows now, as one line of words (wrapping undone)."""
    strips = app.screen._compositor.render_strips()
    return " ".join(" ".join("".join(s.text for s in strip).split()) for strip in strips)


async def test_the_selected_error_is_readable_whole_at_80_columns(store: Store,
                                                                   tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [
        row("Good Ltd", "good.example"),
        row("Bad Domain Ltd", "exa mple.com", company_type="Space Agency"),
    ])
    app = UploadApp(store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await choose(app, pilot, path)
        screen = app.screen
        assert isinstance(screen, UploadScreen)
        errors = [d for d in screen.query_one(ImportReport).details if ", error" in d]
        assert len(errors) == 2
        # The first line is spelled out under the table: row, column and the whole message.
        first = " ".join(errors[0].split())
        assert first.startswith("Row 3, error, column ") and first in visible_text(app)
        screen.query_one("#import-report").focus()
        await pilot.press("down")
        await pilot.pause()
        second = " ".join(errors[1].split())
        assert second in visible_text(app) and first not in visible_text(app)
