"""A Footer that is rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    """Textual's Footer, minus the rebuilds that change nothing.

    The stock Footer builds new key widgets, and so relayouts the whole screen, on
    every change of the bindings, which includes every focus move: two of the four
    relayouts of clearing the list's search, for the same keys as before.
    """

    _shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not screen.app.app_focus:
            super().bindings_changed(screen)  # the stock Footer waits for the focus
            return
        palette = screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        shown = (
            tuple((b.key, b.description, b.action, b.group, enabled, tooltip)
                  for _, b, enabled, tooltip in screen.active_bindings.values() if b.show),
            palette is not None and palette.enabled,
        )
        if shown != self._shown:
            self._shown = shown
            super().bindings_changed(screen)
