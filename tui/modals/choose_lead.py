"""Pick the implementation lead who takes over another user's prospects."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from store.rules.store import Store
from tui.widgets.plain import plain, plain_line

NO_OTHER_LEAD = (
    "There is no other implementation lead to take over. "
    "Add a user flagged as implementation lead first, then try again."
)


class ChooseLeadModal(ModalScreen[int | None]):
    """List the implementation leads other than one user; dismiss with the chosen id.

    Escape or Cancel dismisses with None. Names are plain text, never markup.
    """

    DEFAULT_CSS = """
    ChooseLeadModal { align: center middle; }
    ChooseLeadModal > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 100%; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    ChooseLeadModal #choose-lead-question { margin-bottom: 1; }
    ChooseLeadModal OptionList { height: auto; max-height: 10; }
    ChooseLeadModal Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    ChooseLeadModal Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    def __init__(self, store: Store, excluding_user_id: int, *, question: str = "") -> None:
        super().__init__()
        self.store = store
        self.excluding_user_id = excluding_user_id
        self.question = question or "Choose the implementation lead who takes over:"
        self.leads = [u for u in store.leads() if u.id != excluding_user_id]

    def compose(self) -> ComposeResult:
        with Vertical(id="choose-lead-box"):
            if self.leads:
                yield Static(plain(self.question, 600), id="choose-lead-question")
                yield OptionList(
                    *(
                        Option(
                            plain(f"{plain_line(u.name, 40)} <{plain_line(u.email, 40)}>"),
                            id=str(u.id),
                        )
                        for u in self.leads
                    ),
                    id="choose-lead-options",
                )
            else:
                yield Static(plain(NO_OTHER_LEAD), id="choose-lead-question")
            with Horizontal(id="choose-lead-buttons"):
                yield Button("Cancel", id="choose-lead-cancel")
                if self.leads:
                    yield Button("Choose", id="choose-lead-ok", variant="primary")

    def on_mount(self) -> None:
        if self.leads:
            options = self.query_one(OptionList)
            options.highlighted = 0
            options.focus()
        else:
            self.query_one("#choose-lead-cancel", Button).focus()

    def _chosen(self) -> int | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return int(option_id) if option_id is not None else None

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    @on(Button.Pressed, "#choose-lead-ok")
    def _ok(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self.dismiss(chosen)

    @on(Button.Pressed, "#choose-lead-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
