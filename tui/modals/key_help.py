"""Every key of the screen underneath, with what it does (F1 or ?)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.widgets.plain import plain


class KeyHelpModal(ModalScreen[None]):
    """A list of (key, what it does) rows and a few notes; any of Escape, F1, ? or q closes it."""

    DEFAULT_CSS = """
    KeyHelpModal { align: center middle; }
    KeyHelpModal > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%; padding: 0 1;
        border: thick $accent; background: $surface;
    }
    KeyHelpModal #key-help-title { text-style: bold; }
    KeyHelpModal VerticalScroll { height: auto; max-height: 18; }
    KeyHelpModal Grid { grid-size: 2; grid-columns: auto 1fr; grid-gutter: 0 2; height: auto; }
    KeyHelpModal .key { text-style: bold; }
    KeyHelpModal #key-help-notes { color: $text-muted; margin-top: 1; }
    KeyHelpModal Button { margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "close", "Close", id="key-help-close"),
    ]

    def __init__(self, title: str, rows: list[tuple[str, str]], notes: list[str]) -> None:
        super().__init__()
        self.title_text, self.rows, self.notes = title, rows, notes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.title_text), id="key-help-title")
            with VerticalScroll():
                with Grid(id="key-help-keys"):
                    for key, what in self.rows:
                        yield Static(plain(key), classes="key")
                        yield Static(plain(what))
                if self.notes:
                    yield Static(plain("\n".join(self.notes)), id="key-help-notes")
            yield Button("Close", id="key-help-ok")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()  # arrows and PgDn scroll the list

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
