"""Which prospects, in what order: the options `list` and `export` share, read one way.

--view NAME starts from a saved view's filter, letter and sort; --filter, --letter and
--sort given as well replace the view's (--sort without --desc sorts A to Z); --search
narrows what the filter finds, with or without a view.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from store.errors import FilterError
from store.listing import SORT_FIELDS
from store.listing.filter import Filter, parse_filter
from store.models import View
from store.rules.store import Store
from store.text import quoted
from tui.cli.errors import USAGE_ERROR, CommandError
from tui.cli.options import letter, open_store

DESCRIPTION = ("With --view, the saved view's filter, letter and sort; --filter, --letter and "
               "--sort given as well replace the view's (--sort without --desc sorts A to Z), "
               "and --search narrows what the filter finds, with or without a view.")


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    """--search, --filter, --letter, --sort, --desc and --view."""
    parser.add_argument("--search", default="", help="part of the company name or domain")
    parser.add_argument("--filter", metavar="FILTER",
                        help="e.g. 'sector:fin -status:customer users:>=500'; one starting "
                        "with '-' is given as --filter=-status:customer")
    parser.add_argument("--letter", help="A-Z, 'other' or 'all' (default)")
    parser.add_argument("--sort", choices=SORT_FIELDS, help="default: company_name")
    parser.add_argument("--desc", action="store_true", default=None, help="Z to A")
    parser.add_argument("--view", metavar="NAME", help="a saved view (`views list`)")


@dataclass(frozen=True)
class ListOptions:
    """The options read: what ProspectList.matching and sort take, and the view used."""

    where: str | Filter
    letter: str
    sort: str
    descending: bool
    view: View


def open_selection(args: argparse.Namespace) -> tuple[Store, ListOptions]:
    """The store and the selection; a bad --filter or --letter is refused (exit 2) before
    the database is opened, an unknown --view once it is (exit 1)."""
    where = _where(args.filter, args.search, "--filter") if args.filter is not None else None
    chosen = letter(args.letter) if args.letter is not None else None
    store = open_store(args)
    view = store.view(args.view) if args.view is not None else View(name="list")  # the defaults
    if where is None:
        where = _where(view.filter, args.search, f"view {quoted(view.name)}")
    sort, descending = view.sort, view.descending
    if args.sort is not None:
        sort, descending = args.sort, False
    return store, ListOptions(where, chosen or view.letter, sort,
                              descending if args.desc is None else True, view)


def _where(text: str, search: str, option: str) -> str | Filter:
    """The filter `text` and the plain search together, as ProspectList.matching takes them."""
    try:
        return parse_filter(text).with_search(search) if text else search
    except FilterError as error:
        raise CommandError(f"{option}: {error}", USAGE_ERROR) from error
