"""Upload prospects: download the template, pick a file, see the plan, submit.

Nothing is written until Submit after the plan was shown; a second Submit
(or the same file again later) creates nothing, because the store records each
file's SHA-256 inside the write lock. Reading, judging and writing run in
thread workers that report progress; Submit is disabled meanwhile. Escape goes
back to the list and dismisses with the batch imported here (or None).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from store.models import ImportBatch
from store.rules.store import Store
from store.text import clean_for_display
from store.transfer.export import free_name
from store.transfer.importer import ImportOutcome, ImportPlan, already_message
from store.transfer.template import TEMPLATE_NAME
from tui.modals.file_picker import FilePickerModal
from tui.widgets.banner import StorageBanner, report_storage_problem
from tui.widgets.import_report import ImportReport, plan_text
from tui.widgets.key_footer import KeyFooter
from tui.widgets.plain import PlainInput, plain, plain_line
from tui.widgets.tick_box import TickBox


class Cancelled(Exception):
    """The person left the screen while a file was being read."""


@dataclass(frozen=True)
class FileKey:
    """Which file a plan is for: a plan goes stale when the file changes."""

    path: Path
    size: int
    mtime_ns: int


def file_key(path: Path) -> FileKey | None:
    """The file's key, or None when it cannot be read."""
    try:
        st = path.stat()
    except OSError:
        return None
    return FileKey(path.resolve(), st.st_size, st.st_mtime_ns)


class UploadScreen(Screen[ImportBatch | None]):
    """The upload screen: template, file, plan, submit, report."""

    DEFAULT_CSS = """
    UploadScreen { layout: vertical; }
    UploadScreen #upload-body { height: 1fr; padding: 0 1; }
    UploadScreen .upload-row { height: 1; margin-top: 1; }
    UploadScreen .upload-row Label { width: 10; }
    UploadScreen .upload-row Input { width: 1fr; }
    UploadScreen .upload-row Button { margin-left: 1; }
    UploadScreen .upload-row TickBox { width: 1fr; }
    UploadScreen #template-status, UploadScreen #plan-summary { height: auto; color: $text-muted; }
    UploadScreen #plan-summary { color: $text; margin-top: 1; }
    UploadScreen #progress { margin-top: 1; height: 1; }
    UploadScreen #import-report { height: auto; max-height: 100%; min-height: 4; margin-top: 1; }
    UploadScreen #report-detail {
        display: none; height: auto; max-height: 8; padding: 0 1;
        background: $boost; border-top: solid $primary;
    }
    UploadScreen #report-detail.-shown { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="upload-back", tooltip="Back to the list"),
        Binding("ctrl+s", "submit", "Submit", id="upload-submit",
                tooltip="Submit: check the file, then import it (a second press writes)"),
        Binding("ctrl+o", "browse", "Browse", id="upload-browse",
                tooltip="Browse for the CSV or XLSX file to import"),
        Binding("ctrl+t", "download_template", "Template", id="upload-template",
                tooltip="Download the upload template (.xlsx)"),
        # priority: the file path Input would take ctrl+e (end of line) first and hide it.
        Binding("ctrl+e", "save_report", "Save errors", id="upload-save-report", priority=True,
                tooltip="Save the error report (CSV) beside the uploaded file"),
    ]

    def __init__(self, store: Store, *, folder: Path | None = None) -> None:
        super().__init__()
        self.store = store
        self.folder = folder or Path.cwd()
        self.plan: ImportPlan | None = None
        self.plan_key: FileKey | None = None
        self.imported: ImportBatch | None = None  # what this visit wrote, for the list
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield StorageBanner()
        with VerticalScroll(id="upload-body"):
            with Horizontal(classes="upload-row"):
                yield Label("Template")
                yield PlainInput(str(self.folder / TEMPLATE_NAME), id="template-path", compact=True)
                yield Button("Download template", id="download-template", compact=True)
            yield Static("", id="template-status", markup=False)
            with Horizontal(classes="upload-row"):
                yield Label("File")
                yield PlainInput(placeholder="a .csv or .xlsx file; Enter to check it",
                                 id="file-path", compact=True)
                yield Button("Browse…", id="browse", compact=True)
            with Horizontal(classes="upload-row"):
                yield TickBox("Skip rows with errors", id="skip-invalid", compact=True)
                yield Button("Save error report", id="save-report", compact=True, disabled=True)
                yield Button("Submit", id="submit", variant="primary", compact=True)
            yield ProgressBar(id="progress", show_eta=False)
            yield Static("Download the template, fill it in, then choose the file and press "
                         "Submit: you will see the plan before anything is written.",
                         id="plan-summary", markup=False)
            yield ImportReport(id="import-report")
        # Outside the scroll, always in view: the report's Message column is off-screen at
        # 80 columns, so the selected line is spelled out here in full, wrapped.
        yield Static(id="report-detail")
        yield KeyFooter(columns=4)

    def on_mount(self) -> None:
        self.query_one("#file-path", Input).focus()

    # -- helpers -------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.query_one("#plan-summary", Static).update(plain(text, 2000))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.query_one("#submit", Button).disabled = busy
        self.query_one("#browse", Button).disabled = busy

    def _file(self) -> Path | None:
        text = self.query_one("#file-path", Input).value.strip()
        return Path(text).expanduser() if text else None

    def _progress(self, fraction: float | None) -> None:
        bar = self.query_one("#progress", ProgressBar)
        if fraction is None:
            bar.update(total=None)
        else:
            bar.update(total=100, progress=round(fraction * 100))

    # -- actions -------------------------------------------------------------------

    def action_back(self) -> None:
        """Back to the list; a file being read is dropped, a write in progress finishes."""
        if self.busy and any(w.name == "commit" and w.is_running for w in self.workers):
            self.notify("Writing the import: a moment, please.", markup=False)
            return
        self.workers.cancel_group(self, "upload")
        self.dismiss(self.imported)

    def action_browse(self) -> None:
        """Open the file picker."""
        if self.busy:
            return
        current = self._file()
        start = current if current is not None and current.exists() else self.folder
        self.app.push_screen(FilePickerModal(start), self._picked)

    def _picked(self, path: Path | None) -> None:
        if path is None:
            return
        self.query_one("#file-path", Input).value = str(path)
        self._check(path)

    def action_submit(self) -> None:
        """Check the file (first press) or write the plan shown (second press)."""
        if self.busy:
            return
        path = self._file()
        if path is None:
            self._say("Choose a file first: type its path or press Browse.")
            self.query_one("#file-path", Input).focus()
            return
        key = file_key(path)
        if self.plan is None or key is None or key != self.plan_key:
            self._check(path)
            return
        plan = self.plan
        if plan.already is not None:
            self._say(already_message(plan.already))
            return
        if plan.blocked:
            self._say(f"{plan.summary()} (see the table): fix the file and check it again.")
            return
        skip = self.query_one("#skip-invalid", TickBox).value
        if plan.errors and not skip:
            self._say(f"{len(plan.errors)} row(s) have errors, so nothing was written: fix "
                      "them (Save error report helps) and upload again, or tick 'Skip rows "
                      "with errors' and press Submit.")
            return
        if not plan.records:
            self._say("There is nothing new to import in this file.")
        self._set_busy(True)
        self._progress(None)
        self._say(f"Writing {len(plan.records)} prospect(s)…")
        self._commit(plan, skip)

    def _check(self, path: Path) -> None:
        if self.busy:
            return
        self._set_busy(True)
        self.plan, self.plan_key = None, None
        self.query_one("#save-report", Button).disabled = True
        self.query_one(ImportReport).clear_report()
        self._show_detail(-1)
        self._progress(0.0)
        self._say(f"Reading {path.name}…")
        self._make_plan(path)

    def action_download_template(self) -> None:
        """Write the upload template where #template-path says (never over a file)."""
        text = self.query_one("#template-path", Input).value.strip()
        if not text:
            self.query_one("#template-status", Static).update("Give a path for the template.")
            return
        path = Path(text).expanduser()
        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")
        self.query_one("#download-template", Button).disabled = True
        self._write_template(free_name(path))

    def action_save_report(self) -> None:
        """Save the rows with errors as a CSV beside the uploaded file."""
        if self.plan is None or not self.plan.errors:
            return
        source = self.plan.path
        self._save_report(self.plan, free_name(source.with_name(f"{source.stem}-errors.csv")))

    @on(Input.Submitted, "#file-path")
    def _file_entered(self, event: Input.Submitted) -> None:
        event.stop()
        path = self._file()
        if path is not None:
            self._check(path)

    @on(Input.Submitted, "#template-path")
    def _template_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_download_template()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        actions = {"download-template": self.action_download_template,
                   "browse": self.action_browse, "submit": self.action_submit,
                   "save-report": self.action_save_report}
        action = actions.get(event.button.id or "")
        if action is not None:
            event.stop()
            action()

    # -- workers -------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="upload", name="plan")
    def _make_plan(self, path: Path) -> tuple[ImportPlan, FileKey | None]:
        from store.transfer.importer import make_plan

        worker = get_current_worker()
        key = file_key(path)

        def progress(fraction: float) -> None:
            if worker.is_cancelled:
                raise Cancelled
            self.app.call_from_thread(self._progress, fraction)

        return make_plan(path, self.store, progress=progress), key

    @work(thread=True, exclusive=True, exit_on_error=False, group="write", name="commit")
    def _commit(self, plan: ImportPlan, skip_invalid: bool) -> ImportOutcome:
        from store.transfer.importer import commit_plan

        return commit_plan(plan, self.store, skip_invalid=skip_invalid)

    @work(thread=True, exclusive=True, exit_on_error=False, group="template", name="template")
    def _write_template(self, path: Path) -> Path:
        from store.transfer.template import write_template

        return write_template(path, self.store)

    @work(thread=True, exclusive=True, exit_on_error=False, group="report", name="report")
    def _save_report(self, plan: ImportPlan, path: Path) -> tuple[Path, int]:
        from store.transfer.importer import write_error_report

        return path, write_error_report(plan, path, self.store)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's result or failure lands here, on the event loop."""
        worker = event.worker
        if event.state == WorkerState.SUCCESS:
            result = worker.result
            if worker.name == "plan":
                plan, key = result  # type: ignore[misc]
                self._show_plan(plan, key)
            elif worker.name == "commit":
                self._show_outcome(result)  # type: ignore[arg-type]
            elif worker.name == "template":
                self.query_one("#download-template", Button).disabled = False
                self.query_one("#template-status", Static).update(
                    plain(f"Wrote the template to {plain_line(result, 300)}"))
            elif worker.name == "report":
                path, count = result  # type: ignore[misc]
                self._say(f"Saved the {count} row(s) with errors to {path}: fix them there and "
                          "upload that file (its Row, Column and Message columns are ignored).")
        elif event.state == WorkerState.ERROR:
            error = worker.error
            report_storage_problem(self, error)
            message = clean_for_display(str(error), 1000)
            if worker.name == "template":
                self.query_one("#download-template", Button).disabled = False
                self.query_one("#template-status", Static).update(
                    plain(f"Could not write the template: {message}"))
            elif worker.name == "report":
                self._say(f"Could not save the report: {message}")
            else:
                self._set_busy(False)
                self._progress(0.0)
                self._say(message if not isinstance(error, Cancelled) else "Stopped.")
        elif event.state == WorkerState.CANCELLED and worker.name == "plan":
            self._set_busy(False)

    # -- showing results -------------------------------------------------------------

    def _show_plan(self, plan: ImportPlan, key: FileKey | None) -> None:
        self._set_busy(False)
        self._progress(1.0)
        self.plan, self.plan_key = plan, key
        table = self.query_one(ImportReport)
        shown = table.show(plan)
        self.query_one("#save-report", Button).disabled = not plan.errors
        self._say(plan_text(plan, shown))
        self._show_detail(table.cursor_row)

    @on(DataTable.RowHighlighted, "#import-report")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    def _show_detail(self, row: int) -> None:
        """Spell out the report's selected line in full, wrapped, under the table."""
        details = self.query_one(ImportReport).details
        text = details[row] if 0 <= row < len(details) else ""
        box = self.query_one("#report-detail", Static)
        box.update(plain(text, 2000))
        box.set_class(bool(text), "-shown")

    def _show_outcome(self, outcome: ImportOutcome) -> None:
        self._set_busy(False)
        self._progress(1.0)
        self.plan, self.plan_key = None, None  # a second Submit checks the file again
        if outcome.already:
            self._say(already_message(outcome.batch))
            return
        batch = outcome.batch
        self.imported = batch
        late = (f" {len(outcome.late_duplicates)} domain(s) added by someone else meanwhile "
                "were skipped." if outcome.late_duplicates else "")
        self._say(f"Imported {batch.created} prospect(s) from {batch.file_name} as import batch "
                  f"{batch.id} ({batch.duplicates} duplicate(s), {batch.errors} row(s) with "
                  f"errors skipped).{late} Press Escape to see them in the list.")
        self.notify(plain_line(f"Imported {batch.created} prospect(s)."), markup=False)
