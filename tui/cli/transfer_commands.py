"""The subcommands that move prospects in and out: template, import, export.

Like the rest of the CLI they only call store/, so an upload from the command
line and from the upload screen are judged by the same code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tui.cli.errors import INPUT_ERROR, OK, USAGE_ERROR, CommandError
from tui.cli.options import open_store
from tui.cli.output import error_lines, safe
from tui.cli.selection import DESCRIPTION, add_selection_options, open_selection

if TYPE_CHECKING:
    from store.transfer.importer import ImportPlan


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `template`, `import` and `export` to the parser's subparsers."""
    template = sub.add_parser("template", help="write the .xlsx upload template")
    template.add_argument("out", metavar="OUT.xlsx", type=Path)
    template.add_argument("--force", action="store_true", help="replace OUT if it exists")
    template.set_defaults(handler=write_template)

    imp = sub.add_parser(
        "import", help="upload prospects from a CSV or XLSX file (or undo an upload)",
        description="Read the whole file and judge every row (create, duplicate or error) "
        "before writing anything. By default an error anywhere writes nothing (exit 1). "
        "The same file imported again creates nothing.")
    imp.add_argument("file", metavar="FILE", nargs="?", type=Path, help="a .csv or .xlsx file")
    imp.add_argument("--dry-run", action="store_true",
                     help="print the plan (one line a row) and write nothing")
    imp.add_argument("--skip-invalid", action="store_true",
                     help="write the valid rows even if some rows have errors (their errors "
                     "go to stderr; exit 0 once the valid rows are written)")
    imp.add_argument("--undo", metavar="BATCH_ID", type=int,
                     help="remove what that import created, except records edited since")
    imp.add_argument("--batches", action="store_true", help="list the imports so far")
    imp.set_defaults(handler=import_prospects)

    export = sub.add_parser(
        "export", help="export prospects as CSV, XLSX or JSON",
        description=f"Every prospect, or those `list` shows with the same options. {DESCRIPTION}")
    export.add_argument("out", metavar="OUT.csv|OUT.xlsx|OUT.json", type=Path)
    add_selection_options(export)
    export.add_argument("--force", action="store_true", help="replace OUT if it exists")
    export.set_defaults(handler=export_prospects)


def _output_refused(error: Exception) -> CommandError:
    """An ExportError as the CLI says it: an existing file can be replaced with --force."""
    from store.transfer.export import TargetExistsError  # noqa: PLC0415

    hint = ", or add --force to replace it" if isinstance(error, TargetExistsError) else ""
    return CommandError(f"{safe(error)}{hint}", USAGE_ERROR)


def write_template(args: argparse.Namespace) -> int:
    from store.transfer.export import ExportError  # noqa: PLC0415
    from store.transfer.template import write_template as write  # noqa: PLC0415 - openpyxl on demand

    out: Path = args.out
    if out.suffix.lower() != ".xlsx":
        raise CommandError(f"{safe(out)}: the template is an .xlsx file; name it *.xlsx",
                           USAGE_ERROR)
    store = open_store(args)
    try:
        write(out, store, replace=args.force)
    except ExportError as error:
        raise _output_refused(error) from None
    print(f"wrote the upload template to {safe(out)}")
    return OK


def import_prospects(args: argparse.Namespace) -> int:
    if args.batches:
        return list_batches(args)
    if args.undo is not None:
        if args.file is not None or args.dry_run or args.skip_invalid:
            raise CommandError("import --undo BATCH_ID takes no FILE or other option",
                               USAGE_ERROR)
        return undo_import(args)
    if args.file is None:
        raise CommandError("import: give a FILE to import (or --undo BATCH_ID)", USAGE_ERROR)

    from store.transfer.importer import ImportRefused, commit_plan, make_plan  # noqa: PLC0415
    from store.transfer.table_file import TableError  # noqa: PLC0415

    store = open_store(args)
    try:
        plan = make_plan(args.file, store)
    except TableError as error:
        raise CommandError(str(error), USAGE_ERROR) from None
    error_lines(plan.warnings)
    if plan.already is not None:
        error_lines([plan.summary()])
        return OK
    if plan.blocked:
        error_lines([*plan.error_lines(), "nothing was written"])
        return INPUT_ERROR
    if args.dry_run:
        print_plan(plan)
        error_lines(plan.error_lines())
        return INPUT_ERROR if plan.errors else OK
    error_lines(plan.error_lines())
    try:
        outcome = commit_plan(plan, store, skip_invalid=args.skip_invalid)
    except ImportRefused as error:
        error_lines([str(error)])
        return INPUT_ERROR
    if not outcome.already:
        error_lines([f"{line} (skipped)" for issue in plan.duplicates for line in issue.lines()])
    if outcome.already:
        from store.transfer.importer import already_message  # noqa: PLC0415

        error_lines([already_message(outcome.batch)])
        return OK
    late = outcome.late_duplicates
    if late:
        error_lines([f"{len(late)} domain(s) were added by another session meanwhile and "
                     f"were skipped, e.g. {late[0]}"])
    batch = outcome.batch
    print(f"imported {batch.created} prospect(s) from {safe(plan.file_name)} as import batch "
          f"{batch.id} ({batch.duplicates} duplicate(s) and {batch.errors} row(s) with errors "
          f"skipped); undo with: import --undo {batch.id}")
    return OK  # what was asked (the valid rows) was written; the errors are on stderr


def print_plan(plan: ImportPlan) -> None:
    """The dry run's plan on stdout: one tab-separated line a row, then the counts."""
    lines: list[tuple[int, str]] = []
    for row, record in zip(plan.create_rows, plan.records, strict=True):
        lines.append((row, f"row {row}\tcreate\t{record['domain']}\t"
                           f"{safe(record['company_name'], 80)}"))
    for issue in plan.issues:
        message = "; ".join(issue.messages)
        lines.append((issue.row, f"row {issue.row}\t{issue.kind}\t{safe(issue.domain, 80)}\t"
                                 f"{safe(message, 400)}"))
    lines.sort(key=lambda pair: pair[0])
    sys.stdout.write("".join(f"{text}\n" for _, text in lines))
    print(f"{safe(plan.summary())} (dry run: nothing was written)")


def list_batches(args: argparse.Namespace) -> int:
    batches = open_store(args).import_batches()
    for b in batches:
        state = f"undone {b.undone_at:%Y-%m-%d %H:%M}" if b.undone_at else "live"
        print(f"{b.id}\t{b.imported_at:%Y-%m-%d %H:%M} UTC\t{safe(b.file_name, 60)}\t"
              f"{b.created} created, {b.duplicates} duplicate(s), {b.errors} error(s)\t{state}")
    print(f"{len(batches)} import(s)", file=sys.stderr)
    return OK


def undo_import(args: argparse.Namespace) -> int:
    from store.errors import NotFoundError  # noqa: PLC0415

    store = open_store(args)
    removed, kept = store.undo_batch(args.undo)
    print(f"import batch {args.undo}: removed {len(removed)} prospect(s)")
    if kept:
        print(f"kept {len(kept)} changed since the import:")
    for prospect_id in kept:
        try:
            prospect = store.get_prospect(prospect_id)
        except NotFoundError:
            continue
        why = "now a customer" if prospect.status == "customer" else "edited since the import"
        print(f"  {prospect_id}\t{safe(prospect.company_name, 60)}\t{prospect.domain}\t{why}")
    return OK


def export_prospects(args: argparse.Namespace) -> int:
    from store.transfer.export import ExportError, export_prospects  # noqa: PLC0415

    store, chosen = open_selection(args)
    try:
        result = export_prospects(store, args.out, search=chosen.where, letter=chosen.letter,
                                  sort=chosen.sort, descending=chosen.descending,
                                  replace=args.force)
    except ExportError as error:
        raise _output_refused(error) from None
    error_lines(list(result.notes))
    print(f"exported {result.count} prospect(s) to {safe(result.path)}")
    return OK
