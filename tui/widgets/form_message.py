"""The line above the prospect form: what stopped a save, or that one is under way."""

from __future__ import annotations

from textual.widgets import Static

from tui.widgets.plain import plain


class FormMessage(Static):
    """Hidden while empty; styled by its class, `-error` or `-info` (see app.tcss)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.correcting = False  # it says "fields to correct, marked below"

    def say(self, message: str, style: str = "-error") -> None:
        """Show `message` ('' hides the line)."""
        self.update(plain(message, 600))
        self.set_classes(style)
        self.display = bool(message)
        self.correcting = False

    def count_errors(self, count: int) -> None:
        """Say how many fields stop the save; each shows its own error below."""
        self.say(f"Not saved: {count} field{'s' if count > 1 else ''} to correct, marked below.")
        self.correcting = True
