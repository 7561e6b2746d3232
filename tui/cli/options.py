"""The values of the options several commands share: the store (--db, --catalog) and --letter."""

from __future__ import annotations

import argparse
import sys

from store.catalog import load_catalog
from store.listing.keys import chosen_letter
from store.rules.store import Store
from tui.cli.errors import USAGE_ERROR, CommandError
from tui.cli.output import safe


def open_store(args: argparse.Namespace) -> Store:
    """The Store named by --db / PROSPECTS_DB / the default, with the chosen catalog.

    A new database is announced on stderr: the path may have been mistyped.
    """
    store = Store(args.db, catalog=load_catalog(args.catalog))
    if store.created_new:
        announce_created(store.location)
    return store


def announce_created(location: str) -> None:
    """Say on stderr that a new, empty database was made at `location` (a path or masked URL)."""
    print(f"created a new empty database at {safe(location)}", file=sys.stderr)


def letter(value: str) -> str:
    """--letter (of `list` and `export`): 'a'-'z', 'other' or 'all', whatever the case."""
    chosen = chosen_letter(value)
    if chosen is not None:
        return chosen
    raise CommandError(f"--letter: {safe(value, 20)!r} is not A-Z, 'other' or 'all'", USAGE_ERROR)
