"""Ask a name for a saved view (and, for a new one, whether the team shares it)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui.widgets.plain import PlainInput, plain
from tui.widgets.tick_box import TickBox


class ViewNameModal(ModalScreen[tuple[str, bool] | None]):
    """Dismiss with (name, shared), or None on Escape or Cancel.

    The name is a user string like a company name: kept exact, drawn plain. The
    store judges it (length, control characters) and says what is wrong.
    """

    DEFAULT_CSS = """
    ViewNameModal { align: center middle; }
    ViewNameModal > Vertical {
        width: 64; max-width: 100%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    ViewNameModal #view-name-title { margin-bottom: 1; }
    ViewNameModal Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    ViewNameModal Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="view-name-cancel"),
        # Enter saves from anywhere (the tick box included, which would toggle instead),
        # except on Cancel; space ticks the box.
        Binding("enter", "submit", "Save", id="view-name-submit", priority=True),
    ]

    def __init__(self, title: str, *, name: str = "", ask_shared: bool = True,
                 shared: bool = False, ok: str = "Save") -> None:
        super().__init__()
        self.title_text, self.name_text = title, name
        self.ask_shared, self.shared, self.ok_label = ask_shared, shared, ok

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self.title_text, 200), id="view-name-title")
            yield PlainInput(self.name_text, placeholder="View name, e.g. Finance, not customers",
                             id="view-name")
            if self.ask_shared:
                yield TickBox("Shared with the team (else only you see it)",
                              value=self.shared, id="view-shared")
            with Horizontal():
                yield Button("Cancel", id="view-name-no")
                yield Button(plain(self.ok_label), id="view-name-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#view-name", Input).focus()

    def _answer(self) -> tuple[str, bool]:
        shared = self.query_one("#view-shared", TickBox).value if self.ask_shared else self.shared
        return self.query_one("#view-name", Input).value, shared

    @on(Button.Pressed, "#view-name-ok")
    def _ok(self) -> None:
        self.dismiss(self._answer())

    def action_submit(self) -> None:
        """Save with the name typed (Enter on Cancel cancels)."""
        focused = self.focused
        if focused is not None and focused.id == "view-name-no":
            self.dismiss(None)
        else:
            self.dismiss(self._answer())

    @on(Button.Pressed, "#view-name-no")
    def _no(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
