"""A small month calendar to pick a date from, by keyboard or mouse."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Static

from tui.widgets.plain import plain

CELL = 3  # "dd " per day


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


class MonthView(Widget, can_focus=True):
    """One month as a grid of days; the cursor day is shown reversed."""

    DEFAULT_CSS = """
    MonthView { width: 21; height: 7; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "Previous day", show=False),
        Binding("right", "move(1)", "Next day", show=False),
        Binding("up", "move(-7)", "Previous week", show=False),
        Binding("down", "move(7)", "Next week", show=False),
        Binding("pageup", "month(-1)", "Previous month", id="calendar-previous-month"),
        Binding("pagedown", "month(1)", "Next month", id="calendar-next-month"),
        Binding("ctrl+pageup", "month(-12)", "Previous year", show=False),
        Binding("ctrl+pagedown", "month(12)", "Next year", show=False),
        Binding("t", "today", "Today", id="calendar-today"),
        Binding("enter", "pick", "Pick", id="calendar-pick"),
    ]

    cursor: reactive[date] = reactive(date.today)

    class Picked(Message):
        """The person chose a day (Enter or a click)."""

        def __init__(self, day: date) -> None:
            super().__init__()
            self.day = day

    def __init__(self, day: date, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(MonthView.cursor, day)

    def _weeks(self) -> list[list[int]]:
        return calendar.Calendar(firstweekday=0).monthdayscalendar(
            self.cursor.year, self.cursor.month
        )

    def render(self) -> Text:
        today = date.today()
        text = Text("Mo Tu We Th Fr Sa Su\n", style="bold")
        for week in self._weeks():
            for number in week:
                if number == 0:
                    text.append(" " * CELL)
                    continue
                day = self.cursor.replace(day=number)
                style = "reverse" if day == self.cursor else ("underline" if day == today else "")
                text.append(f"{number:>2}", style=style)
                text.append(" ")
            text.append("\n")
        text.rstrip()
        return text

    def action_move(self, days: int) -> None:
        self.cursor += timedelta(days=days)

    def action_month(self, months: int) -> None:
        self.cursor = add_months(self.cursor, months)

    def action_today(self) -> None:
        self.cursor = date.today()

    def action_pick(self) -> None:
        self.post_message(self.Picked(self.cursor))

    def on_click(self, event: events.Click) -> None:
        weeks = self._weeks()
        row, column = event.y - 1, event.x // CELL
        if 0 <= row < len(weeks) and 0 <= column < 7 and weeks[row][column]:
            self.cursor = self.cursor.replace(day=weeks[row][column])
            if event.chain >= 2 or self.has_focus:
                self.action_pick()
        self.focus()


class DatePickerModal(ModalScreen[date | None]):
    """Pick a day: arrows move, PgUp/PgDn change month, Enter picks, Escape cancels."""

    DEFAULT_CSS = """
    DatePickerModal { align: center middle; }
    DatePickerModal > Vertical {
        width: 34; height: auto; padding: 0 1;
        border: thick $accent; background: $surface;
    }
    DatePickerModal #calendar-header { height: 1; margin-bottom: 1; }
    DatePickerModal #calendar-header Button { min-width: 3; width: 3; }
    DatePickerModal #calendar-title { width: 1fr; content-align: center middle; }
    DatePickerModal MonthView { margin: 0 2; }
    DatePickerModal #calendar-help { color: $text-muted; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="calendar-cancel"),
    ]

    def __init__(self, day: date | None = None) -> None:
        super().__init__()
        self.start = day or date.today()

    def compose(self) -> ComposeResult:
        with Vertical():
            with Horizontal(id="calendar-header"):
                yield Button("<", id="calendar-previous", compact=True)
                yield Static(id="calendar-title")
                yield Button(">", id="calendar-next", compact=True)
            yield MonthView(self.start, id="calendar")
            yield Static(
                Content("Arrows: day · PgUp/PgDn: month\nEnter: pick · Esc: cancel"),
                id="calendar-help",
            )

    def on_mount(self) -> None:
        view = self.query_one(MonthView)
        self.watch(view, "cursor", self._show_title)  # also shows it now
        view.focus()

    def _show_title(self) -> None:
        cursor = self.query_one(MonthView).cursor
        title = f"{calendar.month_name[cursor.month]} {cursor.year}"
        self.query_one("#calendar-title", Static).update(plain(title))

    @on(Button.Pressed, "#calendar-previous")
    def _previous(self) -> None:
        self.query_one(MonthView).action_month(-1)

    @on(Button.Pressed, "#calendar-next")
    def _next(self) -> None:
        self.query_one(MonthView).action_month(1)

    @on(MonthView.Picked)
    def _picked(self, event: MonthView.Picked) -> None:
        self.dismiss(event.day)

    def action_cancel(self) -> None:
        self.dismiss(None)
