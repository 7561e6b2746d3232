"""What the CLI prints: user data made safe for a terminal, JSON, error lines."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Sequence
from typing import Any

from store.text import clean_for_display


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


def degrade_unprintable_output() -> None:
    """Print what the terminal's encoding cannot show as escapes (\\u00e9), never crash on it.

    PYTHONIOENCODING=ascii, or LC_ALL=C without Python's UTF-8 mode, makes stdout ASCII.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
