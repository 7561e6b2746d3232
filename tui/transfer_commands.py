"""The subcommands that move prospects in and out: template, import, export."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add `template`, `import` and `export` to the parser's subparsers."""
