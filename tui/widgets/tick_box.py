"""A Checkbox whose tick is a character, not only a colour."""

from __future__ import annotations

from textual.widgets import Checkbox


class TickBox(Checkbox):
    """Shows ✔ when ticked and a blank when not, so NO_COLOR and monochrome terminals tell them apart."""

    BUTTON_INNER = " "  # unticked; ToggleButton draws BUTTON_INNER in the on/off colour

    def watch_value(self) -> None:
        super().watch_value()  # the -on class
        self.BUTTON_INNER = "✔" if self.value else " "
