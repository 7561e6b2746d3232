"""Verify all, from the list: a progress bar with counts and time left, and Cancel.

The checks run on their own event loop in a worker thread (store.rules.verify_all),
so the screen never waits on DNS; this modal only reads the run's progress a few
times a second. Cancel stops asking and keeps every answer so far; each batch saved
tells the list (`saved`), which then shows the new Mail and DMARC cells.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, ProgressBar, Static

from store.domain.dns import Nameserver
from store.errors import StoreError
from store.rules.store import Store
from store.rules.verify import resolve_nameserver
from store.rules.verify_all import Progress, VerifyAll, due_for_check
from tui.widgets.plain import plain, plain_line

REFRESH_SECONDS = 0.25
FRESH = timedelta(days=1)  # Verify all skips prospects checked more recently


def open_verify_all(screen: Screen[Any], store: Store, nameserver: str | Nameserver | None, *, total: int,
                    saved: Callable[[], None], done: Callable[[Progress | None], None]) -> None:
    """Verify every prospect (of `total`) not checked in the last day, or say why there is
    nothing to do; `saved` after each batch written, `done` at the end."""
    try:
        if not isinstance(nameserver, Nameserver):
            nameserver = resolve_nameserver(nameserver)
    except ValueError as error:
        screen.notify(plain_line(error), severity="error", markup=False)
        return
    targets = due_for_check(store.prospect_rows(), FRESH)
    if not targets:
        screen.notify("Every prospect was checked in the last day.", markup=False)
        return
    what = f"{len(targets):,} of {total:,} prospects not checked today"
    screen.app.push_screen(VerifyAllModal(store, targets, nameserver=nameserver, saved=saved,
                                          what=what), done)


def progress_text(progress: Progress) -> str:
    """'120 of 1,000 checked · 3 could not be checked · about 20 s left'."""
    parts = [f"{progress.done:,} of {progress.total:,} checked"]
    if progress.could_not_check:
        parts.append(f"{progress.could_not_check:,} could not be checked")
    left = progress.time_left()
    if progress.finished is not None:
        parts.append(f"{'cancelled' if progress.cancelled else 'done'} in "
                     f"{progress.seconds():.0f} s; {progress.saved:,} saved")
    elif left is not None:
        parts.append(f"about {left:.0f} s left" if left < 120 else f"about {left / 60:.0f} min left")
    return " · ".join(parts)


class VerifyAllModal(ModalScreen[Progress | None]):
    """Run Verify all over `targets`; dismisses with the final progress."""

    DEFAULT_CSS = """
    VerifyAllModal { align: center bottom; }
    VerifyAllModal > Vertical {
        width: 78; max-width: 100%; height: auto; padding: 0 1; margin-bottom: 2;
        border: thick $accent; background: $surface;
    }
    VerifyAllModal #verify-all-title { text-style: bold; }
    VerifyAllModal ProgressBar { margin: 1 0 0 0; }
    VerifyAllModal Button { margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="verify-all-cancel",
                tooltip="Stop Verify all, keeping every answer so far"),
    ]

    def __init__(self, store: Store, targets: list[tuple[int, str]], *,
                 nameserver: Nameserver | None, lifetime: float = 3.0,
                 saved: Callable[[], None] | None = None, what: str = "") -> None:
        super().__init__()
        self.job = VerifyAll(targets, store.record_checks, nameserver=nameserver,
                             lifetime=lifetime)
        self.saved = saved
        self.what = what
        self._writes = 0
        self._stopped = False  # the run ended on an error: Cancel closes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(f"Verify all: {self.what}"), id="verify-all-title")
            yield ProgressBar(total=max(self.job.progress.total, 1), show_eta=False,
                              id="verify-all-progress")
            yield Static(plain(progress_text(self.job.progress)), id="verify-all-status")
            yield Button("Cancel (keep answers so far)", id="verify-all-stop")

    def on_mount(self) -> None:
        self._timer = self.set_interval(REFRESH_SECONDS, self._refresh_progress)
        self._run()

    @work(thread=True, exclusive=True, group="verify-all", exit_on_error=False)
    def _run(self) -> None:
        try:
            asyncio.run(self.job.run())
        except (ValueError, StoreError) as error:  # no resolver; a database it cannot write
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self._finished)

    def _refresh_progress(self) -> None:
        progress = self.job.progress
        self.query_one(ProgressBar).update(progress=progress.done)
        self.query_one("#verify-all-status", Static).update(plain(progress_text(progress)))
        if progress.writes != self._writes:
            self._writes = progress.writes
            if self.saved is not None:
                self.saved()

    def _finished(self) -> None:
        self._timer.stop()
        self._refresh_progress()
        self.dismiss(self.job.progress)

    def _failed(self, message: str) -> None:
        self._timer.stop()
        self._stopped = True
        self.query_one("#verify-all-status", Static).update(plain(f"Stopped: {message}", 300))
        button = self.query_one("#verify-all-stop", Button)
        button.label = plain("Close")

    def on_button_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        """Stop asking; the answers so far are saved, then the modal closes."""
        if self._stopped:
            self.dismiss(self.job.progress)
            return
        self.job.cancel()
        self.query_one("#verify-all-stop", Button).disabled = True
