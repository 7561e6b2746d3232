"""Where to export, and whether only the prospects the list shows now."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.widgets.tick_box import TickBox

SUFFIXES = (".csv", ".xlsx", ".json")


@dataclass(frozen=True)
class ExportChoice:
    """The file to write and whether to keep to the current search and letter."""

    path: Path
    only_shown: bool


class ExportModal(ModalScreen[ExportChoice | None]):
    """Ask for an export file (.csv, .xlsx or .json); Escape cancels."""

    DEFAULT_CSS = """
    ExportModal { align: center middle; }
    ExportModal > Vertical {
        width: 70; max-width: 100%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    ExportModal #export-error { color: $error; height: auto; }
    ExportModal Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    ExportModal Button { margin-left: 2; }
    """
    BINDINGS: list[BindingType] = [Binding("escape", "cancel", "Cancel", id="export-cancel")]

    def __init__(self, default: Path, *, shown: int, total: int) -> None:
        super().__init__()
        self.default, self.shown, self.total = default, shown, total

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Export prospects to (.csv, .xlsx or .json):")
            yield Input(str(self.default), id="export-path")
            yield TickBox(f"Only the {self.shown:,} shown now (of {self.total:,})",
                          value=self.shown != self.total, id="export-only-shown",
                          disabled=self.shown == self.total)
            yield Static(id="export-error")
            with Horizontal():
                yield Button("Cancel", id="export-no")
                yield Button("Export", id="export-yes", variant="primary")

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-yes")
    def _export(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        path = Path(text).expanduser()
        if not text or path.suffix.lower() not in SUFFIXES:
            self.query_one("#export-error", Static).update(
                Content("File: the name must end in .csv, .xlsx or .json"))
            return
        self.dismiss(ExportChoice(path, self.query_one("#export-only-shown", TickBox).value))

    @on(Button.Pressed, "#export-no")
    def action_cancel(self) -> None:
        self.dismiss(None)
