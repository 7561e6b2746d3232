"""Export prospects from the list: all of them, or the current search and letter.

Push `ExportModal(store, search=..., letter=...)` from the list; it dismisses with
the ExportResult (path, count, notes) or None when cancelled. The file is
written in a thread worker and never over an existing file.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static
from textual.worker import Worker, WorkerState

from store.listing.filter import parse_filter
from store.rules.store import Store
from store.transfer.export import ExportResult, export_prospects, free_name
from tui.widgets.plain import PlainInput, plain, plain_line
from tui.widgets.tick_box import TickBox


class ExportModal(ModalScreen[ExportResult | None]):
    """Ask where to export (.csv, .xlsx or .json) and whether to keep the list's filters."""

    DEFAULT_CSS = """
    ExportModal { align: center middle; }
    ExportModal > Vertical {
        width: 70; max-width: 100%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    ExportModal #export-status { height: auto; color: $text-muted; margin: 1 0; }
    ExportModal Horizontal { height: auto; align-horizontal: right; }
    ExportModal Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="export-cancel")]

    def __init__(self, store: Store, *, search: str = "", letter: str = "all",
                 sort: str = "company_name", descending: bool = False,
                 folder: Path | None = None) -> None:
        super().__init__()
        self.store = store
        self.search = search
        self.letter = letter
        self.sort, self.descending = sort, descending
        self.folder = folder or Path.cwd()

    def compose(self) -> ComposeResult:
        filtered = bool(self.search.strip()) or self.letter != "all"
        parts = []
        if self.search.strip():
            parts.append(f"search {plain_line(self.search.strip(), 40)!r}")
        if self.letter != "all":
            parts.append(f"letter {self.letter.upper() if len(self.letter) == 1 else 'other'}")
        with Vertical():
            yield Static("Export prospects to .csv, .xlsx or .json", markup=False)
            yield PlainInput(str(self.folder / "prospects-export.csv"), id="export-path")
            yield TickBox(plain(f"Only those shown ({', '.join(parts) or 'no filter'})"),
                           value=filtered, id="export-shown", disabled=not filtered)
            yield Static("", id="export-status", markup=False)
            with Horizontal():
                yield Button("Cancel", id="export-cancel")
                yield Button("Export", id="export-save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)

    @on(Button.Pressed, "#export-cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-save")
    def _save(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            return
        shown = self.query_one("#export-shown", TickBox).value
        self.query_one("#export-save", Button).disabled = True
        self.query_one("#export-status", Static).update("Exporting…")
        self._export(free_name(Path(text).expanduser()), shown)

    @work(thread=True, exclusive=True, exit_on_error=False, name="export")
    def _export(self, path: Path, shown: bool) -> ExportResult:
        search, letter = (self.search, self.letter) if shown else ("", "all")
        # The list's last search or filter that could be read: it parses again.
        return export_prospects(self.store, path, search=parse_filter(search), letter=letter,
                                sort=self.sort, descending=self.descending)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Done: close with the result; failed: say why and let the person try again."""
        if event.worker.name != "export":
            return
        if event.state == WorkerState.SUCCESS:
            self.dismiss(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.query_one("#export-save", Button).disabled = False
            self.query_one("#export-status", Static).update(
                plain(str(event.worker.error), 500))
