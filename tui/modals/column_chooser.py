"""Choose the list's columns: which are shown, and in what order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, SelectionList, Static
from textual.widgets.selection_list import Selection

from store.errors import SettingsError
from store.listing import ALWAYS_SHOWN
from store.user_config import save_columns
from tui.widgets.plain import plain, plain_cell, plain_line
from tui.widgets.table_columns import Column
from tui.widgets.tick_list import TickList

ALWAYS_SHOWN_NOTE = "The company name is always shown: it says which prospect a row is."


def save_in_background(screen: Screen[Any], keys: Sequence[str]) -> None:
    """Save the user's own columns in a thread (written and synced: not on the event loop);
    a failure is a notice, and the columns stay as chosen until the app is closed."""

    def save() -> None:
        try:
            save_columns(keys)
        except SettingsError as error:
            screen.app.call_from_thread(not_saved, error)

    def not_saved(error: SettingsError) -> None:
        screen.notify(plain_line(error), markup=False, title="Columns not saved", severity="warning")

    screen.run_worker(save, thread=True, group="save-columns", exit_on_error=False)


class ColumnTicks(TickList):
    """The columns, ticked when shown; Enter applies the choice rather than toggling one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "select", "Show/hide", id="column-chooser.toggle"),
        Binding("enter", "screen.apply", "Apply", id="column-chooser.apply"),
    ]


class ColumnChooserModal(ModalScreen[list[str] | None]):
    """Every column, in display order, ticked when shown; dismiss with the shown keys in
    order, or None on Escape or Cancel."""

    DEFAULT_CSS = """
    ColumnChooserModal { align: center middle; }
    ColumnChooserModal > Vertical {
        width: 60; max-width: 100%; height: auto; max-height: 100%; padding: 0 1;
        border: thick $primary; background: $surface;
    }
    ColumnChooserModal #column-chooser-title { text-style: bold; }
    ColumnChooserModal ColumnTicks { height: auto; max-height: 1fr; }
    ColumnChooserModal #column-chooser-hint { color: $text-muted; }
    ColumnChooserModal Horizontal { height: 1; align-horizontal: right; }
    ColumnChooserModal Button { width: auto; min-width: 8; margin-left: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("shift+up,ctrl+up", "move(-1)", "Move up", id="column-chooser.up"),
        Binding("shift+down,ctrl+down", "move(1)", "Move down", id="column-chooser.down"),
        Binding("d", "defaults", "Defaults", id="column-chooser.defaults", show=False,
                tooltip="Every column, in the app's own order"),  # the Footer is full
        Binding("escape", "cancel", "Cancel", id="column-chooser.cancel"),
    ]

    def __init__(self, columns: Sequence[Column], shown: Sequence[str]) -> None:
        """`columns`: every column there is; `shown`: the keys shown now, in their order
        (they come first, the hidden ones after them)."""
        super().__init__()
        self._columns = tuple(columns)
        by_key = {column.key: column for column in columns}
        first = [by_key[key] for key in shown if key in by_key]
        self._order = [*first, *(column for column in columns if column not in first)]
        self._shown = {column.key for column in first}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Columns of the list, in order (✔ shown)", id="column-chooser-title")
            yield ColumnTicks(*self._selections(), id="column-chooser-list")
            yield Static(plain("Space: show or hide · Shift+↑/↓: move · d: defaults · "
                               "Enter: apply"), id="column-chooser-hint")
            with Horizontal():
                yield Button("Up", id="column-chooser-up", compact=True)
                yield Button("Down", id="column-chooser-down", compact=True)
                yield Button("Defaults", id="column-chooser-defaults", compact=True)
                yield Button("Cancel", id="column-chooser-cancel", compact=True)
                yield Button("Apply", id="column-chooser-apply", variant="primary", compact=True)
        yield Footer()

    def _selections(self) -> list[Selection[str]]:
        return [Selection(plain_cell(column.label), column.key, column.key in self._shown)
                for column in self._order]

    def on_mount(self) -> None:
        ticks = self.query_one(ColumnTicks)
        ticks.highlighted = 0
        ticks.focus()

    @property
    def chosen(self) -> list[str]:
        """The keys ticked now, in the order shown."""
        return [column.key for column in self._order if column.key in self._shown]

    @on(SelectionList.SelectedChanged, "#column-chooser-list")
    def _ticks_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        ticks = self.query_one(ColumnTicks)
        if ALWAYS_SHOWN not in ticks.selected:
            ticks.select(ALWAYS_SHOWN)  # posts another change, which lands back here
            self.notify(ALWAYS_SHOWN_NOTE, markup=False, severity="warning")
            return
        self._shown = set(ticks.selected)

    def action_move(self, step: int) -> None:
        """Move the highlighted column up (step -1) or down (1)."""
        ticks = self.query_one(ColumnTicks)
        here = ticks.highlighted
        if here is None or not 0 <= here + step < len(self._order):
            return
        self._order[here], self._order[here + step] = self._order[here + step], self._order[here]
        self._show_ticks(here + step)

    @on(Button.Pressed, "#column-chooser-defaults")
    def action_defaults(self) -> None:
        """Every column shown, in the app's own order (Apply keeps it, Cancel does not)."""
        self._order = list(self._columns)
        self._shown = {column.key for column in self._columns}
        self._show_ticks(0)

    def _show_ticks(self, highlighted: int) -> None:
        ticks = self.query_one(ColumnTicks)
        with ticks.prevent(SelectionList.SelectedChanged):
            ticks.clear_options()
            ticks.add_options(self._selections())
        ticks.highlighted = highlighted
        ticks.focus()

    @on(Button.Pressed, "#column-chooser-up")
    def _up(self) -> None:
        self.action_move(-1)

    @on(Button.Pressed, "#column-chooser-down")
    def _down(self) -> None:
        self.action_move(1)

    @on(Button.Pressed, "#column-chooser-apply")
    def action_apply(self) -> None:
        self.dismiss(self.chosen)

    @on(Button.Pressed, "#column-chooser-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
