"""The command-line twin of the app: `python -m tui COMMAND ...` (also `prospects`).

Everything goes through store/, so the CLI and the TUI cannot disagree.
Exit codes: 0 done; 1 the input had errors (nothing written); 2 usage error or
an unreadable/unwritable file; `verify` adds 3, could not check.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from store.catalog import CatalogError, load_catalog
from store.db import Store, StoreError, default_db_path
from store.storage import StorageError
from store.text import clean_for_display
from store.validation import ProspectInvalid

OK, INPUT_ERROR, USAGE_ERROR = 0, 1, 2


class CommandError(Exception):
    """An error to print on stderr, with its exit code."""

    def __init__(self, message: str, code: int = INPUT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def safe(text: object, limit: int | None = None) -> str:
    """A value made safe to print on a terminal."""
    return clean_for_display(str(text), limit)


def emit_json(data: Any) -> None:
    """Print JSON on stdout; ASCII-escaped so no byte of user data can steer a terminal."""
    sys.stdout.write(json.dumps(data, ensure_ascii=True, indent=2, default=str) + "\n")


def error_lines(messages: Sequence[str]) -> None:
    """Print errors on stderr, one a line, made safe for the terminal."""
    for message in messages:
        print(safe(message), file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for the TUI and every subcommand."""
    parser = argparse.ArgumentParser(
        prog="prospects", description="MSP Prospects: keep your email-security prospects."
    )
    parser.add_argument("--db", type=Path, help="the data file (default: PROSPECTS_DB or "
                        f"{default_db_path()})")
    parser.add_argument("--catalog", type=Path,
                        help="a TOML catalog replacing the built-in one (or PROSPECTS_CATALOG)")
    parser.add_argument("--nameserver", help="DNS server for Verify, host:port "
                        "(or PROSPECTS_NAMESERVER); default: the system resolver")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    from tui import commands  # noqa: PLC0415 - the commands module registers itself here

    commands.register(sub)
    return parser


def degrade_unprintable_output() -> None:
    """Print what the terminal's encoding cannot show as escapes (\\u00e9), never crash on it.

    PYTHONIOENCODING=ascii, or LC_ALL=C without Python's UTF-8 mode, makes stdout ASCII.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def run(argv: Sequence[str] | None = None) -> int:
    """Parse argv and run one command (or the TUI); returns the exit code."""
    degrade_unprintable_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    try:
        if handler is None:
            return run_tui(args)
        return handler(args)
    except CommandError as error:
        error_lines(str(error).splitlines())
        return error.code
    except ProspectInvalid as error:
        error_lines([str(e) for e in error.errors])
        return INPUT_ERROR
    except (StorageError, CatalogError) as error:
        error_lines([str(error)])
        return USAGE_ERROR
    except StoreError as error:
        error_lines([str(error)])
        return INPUT_ERROR


def open_store(args: argparse.Namespace) -> Store:
    """The Store named by --db / PROSPECTS_DB / the default, with the chosen catalog.

    A new file is announced on stderr: the path may have been mistyped.
    """
    store = Store(args.db, catalog=load_catalog(args.catalog))
    if store.created_new:
        print(f"created a new empty database at {safe(store.path)}", file=sys.stderr)
    return store


def run_tui(args: argparse.Namespace) -> int:
    """Start the app; no terminal, a bad file or catalog is refused before taking the screen."""
    from store.bulk import collector_paused  # noqa: PLC0415

    # Without a terminal (ssh without -t, a pipe) Textual would spin on its input forever.
    if not all(s is not None and s.isatty() for s in (sys.stdin, sys.stdout, sys.stderr)):
        raise CommandError("needs a terminal: use ssh -t, or a subcommand such as `list`",
                           USAGE_ERROR)
    from tui.app import ProspectsApp  # noqa: PLC0415 - the CLI commands need no Textual

    with collector_paused(freeze=True):
        store = Store(args.db, catalog=load_catalog(args.catalog))
    app = ProspectsApp(store=store, nameserver=args.nameserver)
    app.run()
    return app.return_code or OK
