"""A yes/no question before anything destructive."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from store.text import clean_for_display
from tui.widgets.plain import plain


class ConfirmModal(ModalScreen[bool]):
    """Ask a question; dismiss(True) on yes, dismiss(False) on no or Escape.

    The question is plain text: user data in it is never read as markup.
    """

    DEFAULT_CSS = """
    ConfirmModal { align: center middle; }
    ConfirmModal > Vertical {
        width: 60; max-width: 100%; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    ConfirmModal #question { margin-bottom: 1; }
    ConfirmModal Horizontal { height: auto; align-horizontal: right; }
    ConfirmModal Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", "Cancel", id="cancel"),
        Binding("y", "answer(True)", "Yes", id="yes", show=False),
        Binding("n", "answer(False)", "No", id="no", show=False),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "Cancel") -> None:
        super().__init__()
        self.question = clean_for_display(question, 600)
        self.yes_label, self.no_label = yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.question), id="question")
            with Horizontal():
                yield Button(plain(self.no_label), id="confirm-no")
                yield Button(plain(self.yes_label), id="confirm-yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
