"""The banner at the top of every screen while the database cannot be used.

Someone may delete the file, put a symlink in its place or overwrite it with
garbage while the app is open. The storage then refuses every read and write
(nothing is written over the damaged file); the banner says so on every screen
until the file is usable again, and the app keeps running with what was typed.
A database server may stop answering: the backend reconnects by itself, so the
banner says it is retrying, and goes at the first poll that gets an answer.
"""

from __future__ import annotations

from textual.dom import DOMNode
from textual.widgets import Static

from store.errors import ConnectionLostError, StorageError
from tui.widgets.plain import plain, plain_line

ADVICE = "Nothing is saved until it is fixed; what you typed stays on screen."
SERVER_ADVICE = "What you typed stays on screen: save it again once this line is gone."


def banner_text(error: StorageError) -> str:
    """What the banner says about `error`: a lost server is retried, a damaged file is not."""
    detail = plain_line(str(error), 400)
    if isinstance(error, ConnectionLostError):
        # libpq's reason is long: last, so a narrow banner cuts it rather than the advice.
        return f"The database server is not answering; retrying. {SERVER_ADVICE} ({detail})"
    return f"Database problem: {detail}. {ADVICE}"


def report_storage_problem(node: DOMNode, error: BaseException | None) -> None:
    """Show a StorageError in every screen's banner; None hides the banner.

    Any other error is left to the caller's own message: only the database's trouble
    belongs at the top of every screen.
    """
    app = node.app
    if not hasattr(app, "storage_problem"):
        return
    if error is None:
        app.storage_problem = ""
    elif isinstance(error, StorageError):
        app.storage_problem = banner_text(error)


class StorageBanner(Static):
    """`#banner`: the database's problem, shown until the database is usable again."""

    DEFAULT_CSS = """
    StorageBanner {
        display: none; height: auto; max-height: 5; padding: 0 1;
        color: $text-error; background: $error-muted; text-style: bold;
    }
    StorageBanner.-shown { display: block; }
    """

    def __init__(self) -> None:
        super().__init__(id="banner")

    def on_mount(self) -> None:
        if hasattr(self.app, "storage_problem"):
            self.watch(self.app, "storage_problem", self._show)

    def _show(self, text: str) -> None:
        self.update(plain(text))
        self.set_class(bool(text), "-shown")
