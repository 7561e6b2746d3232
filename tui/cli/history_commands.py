"""`history ID [--json]`: what happened to a prospect, who did it and when, oldest first."""

from __future__ import annotations

import argparse

from store.text import quoted
from tui.cli.errors import OK
from tui.cli.options import open_store
from tui.cli.output import emit_json, safe

_VALUE_LIMIT = 80


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `history` to the parser's subparsers."""
    history = sub.add_parser("history", help="a prospect's history: who changed what, when")
    history.add_argument("id", type=int, help="the prospect's id (a deleted one's too)")
    history.add_argument("--json", action="store_true",
                         help='[{"at", "who", "what", "changes": {field: [old, new]}}], oldest first')
    history.set_defaults(handler=show_history)


def show_history(args: argparse.Namespace) -> int:
    store = open_store(args)
    entries = store.history(args.id)
    if not entries:
        store.get_prospect(args.id)  # NotFoundError when there is no such prospect either
    if args.json:
        emit_json(entries)
        return OK
    for item in entries:
        print(f"{safe(item['at'])}  {safe(item['who'], 60)}  {safe(item['what'], 100)}")
        for name, (old, new) in item["changes"].items():
            print(f"    {safe(name, 40)}: {_shown(old)} -> {_shown(new)}")
    return OK


def _shown(value: object) -> str:
    return "(none)" if value is None else quoted(value, _VALUE_LIMIT)
