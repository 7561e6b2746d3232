"""Point at what a refusal names: focus its field and bring its message into view.

At 80x24 a message under a field, or at the foot of a form, easily lands below the
fold, and a refusal nobody sees reads as a key that did nothing. Every screen that
refuses (the prospect form, order review, users) points through this one function.
"""

from __future__ import annotations

from textual.widget import Widget


def point_at(field: Widget, message: Widget | None = None) -> None:
    """Focus `field`, then scroll so that it and `message` are in view.

    The message is scrolled to last, so when both do not fit, the words win.
    It runs after the next refresh: a message shown just now has no place yet.
    """
    if field.focusable:
        field.focus(scroll_visible=False)

    def reveal() -> None:
        for widget in (field, message):
            if widget is not None and widget.is_attached and widget.display:
                widget.scroll_visible(animate=False, immediate=True)

    field.call_after_refresh(reveal)
