"""`python -m tui` (also `prospects`): a subcommand (see tui/cli/), or the app when none is given."""

import argparse
import sys

from store.catalog import load_catalog
from store.rules.store import Store
from tui.cli.errors import OK, USAGE_ERROR, CommandError
from tui.cli.parser import run


def start_app(args: argparse.Namespace) -> int:
    """Start the app; no terminal, a bad file or catalog is refused before taking the screen."""
    from store.bulk import collector_paused  # noqa: PLC0415

    # Without a terminal (ssh without -t, a pipe) Textual would spin on its input forever.
    if not all(s is not None and s.isatty() for s in (sys.stdin, sys.stdout, sys.stderr)):
        raise CommandError("needs a terminal: use ssh -t, or a subcommand such as `list`",
                           USAGE_ERROR)
    from tui.app import ProspectsApp  # noqa: PLC0415 - the subcommands need no Textual

    with collector_paused(freeze=True):
        store = Store(args.db, catalog=load_catalog(args.catalog))
    app = ProspectsApp(store=store, nameserver=args.nameserver)
    app.run()
    return app.return_code or OK


def main() -> None:
    """Console-script entry point (`prospects`)."""
    sys.exit(run(no_command=start_app))


if __name__ == "__main__":
    main()
