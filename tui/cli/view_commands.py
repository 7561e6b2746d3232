"""`views list|save|rename|delete`: saved views of the list (store.rules.views), and the view
`list --view NAME` applies."""

from __future__ import annotations

import argparse
import sys

from store.models import View
from store.text import quoted
from tui.cli.errors import OK, USAGE_ERROR, CommandError
from tui.cli.options import open_store
from tui.cli.output import emit_json, safe

JSON_KEYS = ("name", "filter", "letter", "sort", "descending", "columns", "shared", "owner")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `views` and its actions to the parser's subparsers."""
    views = sub.add_parser("views", help="saved views of the list: a filter, letter, sort and "
                           "columns under a name (`list --view NAME`)")
    actions = views.add_subparsers(dest="views_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the shared views and your own")
    listing.add_argument("--json", action="store_true",
                         help=f"[{{{', '.join(JSON_KEYS)}}}], by name")
    listing.set_defaults(handler=views_list)

    save = actions.add_parser("save", help="save a view (personal unless --shared)")
    save.add_argument("name")
    save.add_argument("--filter", default="", metavar="FILTER", help="as `list --filter`")
    save.add_argument("--letter", default="all", help="A-Z, 'other' or 'all'")
    save.add_argument("--sort", default="company_name", metavar="FIELD",
                      help="a field `list --sort` takes")
    save.add_argument("--desc", action="store_true", help="Z to A")
    save.add_argument("--columns", default="", metavar="KEY,KEY,...",
                      help="the columns shown, in order (keys as in `list --sort`); "
                      "none: each user's own columns")
    save.add_argument("--shared", action="store_true", help="for the whole team")
    save.add_argument("--replace", action="store_true",
                      help="replace a view of this name (in the same scope)")
    save.set_defaults(handler=views_save)

    rename = actions.add_parser("rename", help="rename a view")
    rename.add_argument("old")
    rename.add_argument("new")
    rename.set_defaults(handler=views_rename)

    delete = actions.add_parser("delete", help="delete a view (asks first, unless --yes)")
    delete.add_argument("name")
    delete.add_argument("--yes", action="store_true", help="do not ask")
    delete.set_defaults(handler=views_delete)


def _scope(view: View) -> str:
    return "shared" if view.shared else "personal"


def views_list(args: argparse.Namespace) -> int:
    views = open_store(args).views()
    if args.json:
        emit_json([view.model_dump(mode="json", include=set(JSON_KEYS)) for view in views])
        return OK
    for view in views:
        order = f"{view.sort}{' desc' if view.descending else ''}"
        print(f"{safe(view.name, 80)}\t{_scope(view)}\t{view.letter}\t{order}\t{safe(view.filter, 80)}")
    if not views:
        print("no views saved yet: `views save NAME --filter ...` saves one", file=sys.stderr)
    return OK


def views_save(args: argparse.Namespace) -> int:
    columns = [key.strip() for key in args.columns.split(",") if key.strip()]
    view = View(name=args.name, filter=args.filter, letter=args.letter, sort=args.sort,
                descending=args.desc, columns=columns, shared=args.shared)
    saved = open_store(args).save_view(view, replace=args.replace)
    print(f"saved the {_scope(saved)} view {quoted(saved.name)}")
    return OK


def views_rename(args: argparse.Namespace) -> int:
    saved = open_store(args).rename_view(args.old, args.new)
    print(f"renamed the {_scope(saved)} view {quoted(args.old)} to {quoted(saved.name)}")
    return OK


def views_delete(args: argparse.Namespace) -> int:
    store = open_store(args)
    view = store.view(args.name)  # an unknown name says so before anything is asked
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandError(f"views delete: stdin is not a terminal, so it cannot ask; add --yes "
                               f"to delete the view {quoted(view.name)}", USAGE_ERROR)
        print(f"Delete view {quoted(view.name)}? [y/N] ", end="", file=sys.stderr, flush=True)
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            print(f"kept the view {quoted(view.name)}", file=sys.stderr)
            return OK
    store.delete_view(view.name)
    print(f"deleted the {_scope(view)} view {quoted(view.name)}")
    return OK
