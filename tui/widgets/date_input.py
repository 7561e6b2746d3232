"""A date typed as YYYY-MM-DD, exactly as typed, with a calendar to pick from.

A plain Input underneath on purpose: a masked third-party date input turned the
typed keys 20270315 into 2027-01-05. Here every key lands where it is typed;
eight bare digits become YYYY-MM-DD only when the field is left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.validation import ValidationResult, Validator

from tui.widgets.plain import PlainInput

_EIGHT_DIGITS = re.compile(r"\d{8}")


def tidy_date_text(text: str) -> str:
    """'20270315' -> '2027-03-15'; anything else is returned trimmed, unchanged."""
    text = text.strip()
    if _EIGHT_DIGITS.fullmatch(text):
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


def parse_date(text: str) -> date | None:
    """The date in YYYY-MM-DD (or 8 digits) text, or None if empty or not a date."""
    text = tidy_date_text(text)
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


class IsoDate(Validator):
    """Empty, or a real calendar date written YYYY-MM-DD."""

    def validate(self, value: str) -> ValidationResult:
        if not value.strip() or parse_date(value) is not None:
            return self.success()
        return self.failure("use YYYY-MM-DD, e.g. 2027-03-15")


class DateInput(PlainInput):
    """A YYYY-MM-DD date input; F4 (or Alt+Down) asks for a calendar to pick from.

    A widget does not open screens: it posts CalendarRequested, and the screen that
    holds it opens the calendar and hands the pick back through `picked`.
    """

    @dataclass
    class CalendarRequested(Message):
        """F4 was pressed in `date_input`: open a calendar at `day` (None: today)."""

        date_input: DateInput
        day: date | None

        @property
        def control(self) -> DateInput:
            return self.date_input

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f4,alt+down", "calendar", "Calendar", id="calendar"),
    ]

    def __init__(
        self,
        value: date | None = None,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            value.isoformat() if value else "",
            placeholder="YYYY-MM-DD (F4: calendar)",
            restrict=r"[0-9-]*",  # digits and dashes only: a stray letter cannot land
            max_length=10,
            validators=[IsoDate()],
            validate_on=["blur", "submitted"],
            id=id,
            classes=classes,
        )

    @property
    def date_value(self) -> date | None:
        """The date typed or picked, or None when empty or not a date."""
        return parse_date(self.value)

    def on_blur(self, event: events.Blur) -> None:
        # Textual calls blur handlers along the MRO, this class first: Input's own
        # handler then validates the tidied text.
        tidy = tidy_date_text(self.value)
        if tidy != self.value:
            self.value = tidy

    def action_calendar(self) -> None:
        """Ask the screen for a calendar at the typed date (or today)."""
        self.post_message(self.CalendarRequested(self, self.date_value))

    def picked(self, day: date | None) -> None:
        """The calendar closed: a picked day replaces the text; None (cancelled) keeps it."""
        if day is not None:
            self.value = day.isoformat()
            self.cursor_position = len(self.value)
        self.focus()
