"""A box of text to read over the current screen: scrolls, and Escape, Enter or Close shut it."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen


class ReadingPanel(ModalScreen[None]):
    """The frame, keys and focus the read-only panels (Verify details, history) share.

    A subclass composes a Vertical holding a title, a VerticalScroll and a Close button.
    """

    DEFAULT_CSS = """
    ReadingPanel { align: center middle; }
    ReadingPanel > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 100%; padding: 0 1;
        border: thick $accent; background: $surface;
    }
    ReadingPanel .panel-title { text-style: bold; }
    ReadingPanel VerticalScroll { height: auto; max-height: 17; }
    ReadingPanel Button { margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "Close")]

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
