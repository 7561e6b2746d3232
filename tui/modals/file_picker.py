"""Pick a file to upload: a small dialog on DirectoryTree that fits an 80x24 terminal.

textual-fspicker's dialog was cramped at 80x24, so this one keeps to a tree,
a path line and two buttons. File names are data, never markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from rich.text import Text, TextType
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Footer, Input, Static

from tui.widgets.plain import PlainInput, plain_cell, plain_line

UPLOAD_SUFFIXES = (".csv", ".xlsx", ".txt", ".tsv")


class UploadTree(DirectoryTree):
    """Folders and spreadsheet files only; names shown as plain text."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        """Hide dot-files and anything that is not a folder or an upload file."""
        shown = []
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                if path.is_dir() or path.suffix.lower() in UPLOAD_SUFFIXES:
                    shown.append(path)
            except OSError:
                continue
        return shown

    def process_label(self, label: TextType) -> Text:
        """A file name is data: '[red]x.csv' must show as typed, not as markup."""
        if isinstance(label, str):
            return plain_cell(label)
        return label


class FilePickerModal(ModalScreen[Path | None]):
    """Choose a .csv or .xlsx file; dismiss(path), or dismiss(None) on Escape."""

    DEFAULT_CSS = """
    FilePickerModal { align: center top; }
    FilePickerModal > Vertical { margin-top: 1; }
    FilePickerModal > Vertical {
        width: 76; max-width: 100%; height: 21; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FilePickerModal #picker-title { text-style: bold; height: 1; }
    FilePickerModal #picker-path { margin: 0; }
    FilePickerModal UploadTree { height: 1fr; }
    FilePickerModal #picker-hint { height: 1; color: $text-muted; }
    FilePickerModal Horizontal { height: 1; align-horizontal: right; }
    FilePickerModal Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker-cancel"),
        Binding("backspace", "up", "Up a folder", id="picker-up", show=True),
    ]

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        folder = (start or Path.cwd()).expanduser()
        if folder.is_file():
            folder = folder.parent
        self.folder = folder if folder.is_dir() else Path.cwd()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Choose a .csv or .xlsx file", id="picker-title")
            yield PlainInput(str(self.folder), id="picker-path", compact=True,
                             placeholder="a folder or file; Enter to go there")
            yield UploadTree(self.folder, id="picker-tree")
            yield Static("Enter opens a folder or picks a file; Backspace goes up",
                         id="picker-hint")
            with Horizontal():
                yield Button("Cancel", id="picker-cancel", compact=True)
                yield Button("Open", id="picker-open", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(UploadTree).focus()

    def _go(self, folder: Path) -> None:
        self.folder = folder
        tree = self.query_one(UploadTree)
        tree.path = folder
        self.query_one("#picker-path", Input).value = str(folder)
        tree.focus()

    def action_up(self) -> None:
        """Show the parent folder (Backspace in the tree)."""
        if self.focused is self.query_one("#picker-path"):
            return  # Backspace edits the path there
        if self.folder.parent != self.folder:
            self._go(self.folder.parent)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)

    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(Path(event.path))

    @on(DirectoryTree.NodeHighlighted)
    def _highlighted(self, event: DirectoryTree.NodeHighlighted[object]) -> None:
        data = event.node.data
        path = getattr(data, "path", None)
        if path is not None:
            self.query_one("#picker-path", Input).value = str(path)

    @on(Input.Submitted, "#picker-path")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        self._open(Path(event.value.strip()).expanduser())

    @on(Button.Pressed, "#picker-open")
    def _open_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._open(Path(self.query_one("#picker-path", Input).value.strip()).expanduser())

    @on(Button.Pressed, "#picker-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def _open(self, path: Path) -> None:
        if path.is_dir():
            self._go(path)
        elif path.is_file():
            self.dismiss(path)
        else:
            missing = plain_line(path, 200)
            self.notify(plain_line(f"No such file or folder: {missing}"), markup=False,
                        severity="warning")
