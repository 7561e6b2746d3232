"""The commands about the database itself: `db upgrade` and `db copy SRC DST`."""

from __future__ import annotations

import argparse

from tui.cli.errors import OK, USAGE_ERROR, CommandError
from tui.cli.options import announce_created, open_store
from tui.cli.output import safe


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `db upgrade` and `db copy` to the parser's subparsers."""
    db = sub.add_parser("db", help="create or upgrade the database; copy one into another")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser(
        "upgrade", help="create or upgrade the schema of the --db database",
        description="Create the schema of a new PostgreSQL database, or bring an older one "
        "to this app's version. A data file has no schema: nothing to do.")
    upgrade.set_defaults(handler=upgrade_database)
    copy = db_sub.add_parser(
        "copy", help="copy everything from SRC into an empty DST",
        description="Copy users, prospects, orders and import batches (ids, versions and "
        "timestamps too) from SRC into DST, which must be empty: a new file in an existing "
        "folder, or an empty PostgreSQL database. SRC and DST are each a file path or a "
        "postgresql:// URL (a bare `postgresql:` uses libpq's PG* variables).")
    copy.add_argument("source", metavar="SRC")
    copy.add_argument("destination", metavar="DST")
    copy.set_defaults(handler=copy_database)


def upgrade_database(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        print(safe(store.upgrade()))
    finally:
        store.close()
    return OK


def copy_database(args: argparse.Namespace) -> int:
    from store.transfer.copy import NotEmptyError, copy_database  # noqa: PLC0415

    try:
        result = copy_database(args.source, args.destination)
    except NotEmptyError as error:
        raise CommandError(str(error), USAGE_ERROR) from None
    counts = result.counts
    if result.created:
        announce_created(result.destination)
    print(f"copied {counts['users']} user(s), {counts['prospects']} prospect(s), "
          f"{counts['orders']} order(s), {counts['import_batches']} import batch(es) "
          f"and {counts['views']} view(s) from {safe(result.source)} to {safe(result.destination)}")
    return OK
