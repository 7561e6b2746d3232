"""The parser of every command, and run(): parse argv, run the command, return its exit code."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

from store.backends.open import default_db_path
from store.catalog import CatalogError
from store.errors import StorageError, StoreError
from store.rules.validation import ProspectInvalid
from store.user_config import user_config
from tui.cli import (
    db_commands,
    history_commands,
    prospect_commands,
    transfer_commands,
    verify_commands,
    view_commands,
)
from tui.cli.errors import INPUT_ERROR, USAGE_ERROR, CommandError
from tui.cli.output import degrade_unprintable_output, error_lines

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for the TUI and every subcommand."""
    parser = argparse.ArgumentParser(
        prog="prospects", description="MSP Prospects: keep your email-security prospects."
    )
    parser.add_argument("--db", type=_target, help="the data file, or a postgresql:// URL (a bare "
                        "`postgresql:` uses libpq's PG* variables); default: PROSPECTS_DB or "
                        f"{default_db_path()}")
    parser.add_argument("--catalog", type=Path,
                        help="a TOML catalog replacing the built-in one (or PROSPECTS_CATALOG)")
    parser.add_argument("--nameserver", help="DNS server for Verify, host:port "
                        "(or PROSPECTS_NAMESERVER); default: the system resolver")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    prospect_commands.register(sub)
    view_commands.register(sub)
    history_commands.register(sub)
    verify_commands.register(sub)
    transfer_commands.register(sub)
    db_commands.register(sub)
    return parser


def _target(text: str) -> str:
    """--db: a file path or a postgresql:// URL, kept as typed (a Path would fold its '//')."""
    if not text.strip():
        raise argparse.ArgumentTypeError("give a file path or a postgresql:// URL")
    return text


def run(argv: Sequence[str] | None = None, *, no_command: Handler | None = None) -> int:
    """Parse argv and run its command, or no_command (the app) when none is given.

    Returns the exit code; a command's errors are printed on stderr, one a line.
    """
    degrade_unprintable_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None) or no_command
    if handler is None:
        parser.error("give a COMMAND")
    problem = user_config().problem
    if problem and handler is not no_command:  # the app shows it in a notice
        error_lines([f"warning: {problem}"])
    try:
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
