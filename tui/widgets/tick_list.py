"""A multi-select list whose ticks are characters, not only colours."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList


class TickList(SelectionList[str]):
    """A SelectionList where a chosen entry shows ✔ and the others a blank: Space toggles one.

    The stock list draws the same X for both and tells them apart by colour alone,
    lost under NO_COLOR.
    """

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        index = self.scroll_offset.y + y
        if len(segments) < 4 or not 0 <= index < self.option_count:
            return strip
        chosen = self.get_option_at_index(index).value in self._selected
        inner = segments[1]
        segments[1] = Segment("✔" if chosen else " ", inner.style, inner.control)
        return Strip(segments, strip.cell_length)
