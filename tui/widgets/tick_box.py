"""A Checkbox whose tick is a character, not only a colour."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox


class TickBox(Checkbox):
    """Shows ✔ when ticked and a blank when not, so NO_COLOR and monochrome terminals tell them apart."""

    @property
    def _button(self) -> Content:
        # ToggleButton draws BUTTON_INNER in the on/off colour; give each state its own glyph.
        self.BUTTON_INNER = "✔" if self.value else " "
        return super()._button
