"""The TUI's export dialog and template download go through the same guard as the CLI:
never onto the database's files."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from store.rules.store import Store
from tests.test_upload_screen import SIZE, UNSET, ExportApp, UploadApp, settle


async def test_the_export_dialog_never_writes_onto_the_database(store: Store,
                                                                tmp_path: Path) -> None:
    before = store.path.read_bytes()
    target = store.path.with_name(f".{store.path.name}.tmp-1-ab.csv")
    app = ExportApp(store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        status = ""
        for _ in range(100):
            status = str(app.screen.query_one("#export-status", Static).render())
            if "database" in status:
                break
            await pilot.pause(0.05)
        assert status == (f"{target} is a temporary file of the prospects database: choose "
                          "another file name")
        assert app.result is UNSET  # the dialog stays open to choose another name
    assert not target.exists() and store.path.read_bytes() == before


async def test_the_template_download_never_writes_onto_the_database(store: Store,
                                                                    tmp_path: Path) -> None:
    target = store.path.with_name(f".{store.path.name}.tmp-2-cd.xlsx")
    app = UploadApp(store, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#template-path", Input).value = str(target)
        app.screen.query_one("#template-path", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        status = str(app.screen.query_one("#template-status", Static).render())
        assert status == (f"Could not write the template: {target} is a temporary file of the "
                          "prospects database: choose another file name")
    assert not target.exists()
