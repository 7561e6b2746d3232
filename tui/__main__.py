"""`python -m tui`: the TUI, or a subcommand (see tui/cli.py)."""

import sys

from tui.cli import run


def main() -> None:
    """Console-script entry point (`prospects`)."""
    sys.exit(run())


if __name__ == "__main__":
    main()
