"""The CLI's exit codes, and the error a command raises to end with one.

0 done; 1 the input had errors (nothing written); 2 usage error or an
unreadable/unwritable file; `verify` adds 3, could not check.
"""

from __future__ import annotations

OK, INPUT_ERROR, USAGE_ERROR = 0, 1, 2


class CommandError(Exception):
    """An error to print on stderr, with its exit code."""

    def __init__(self, message: str, code: int = INPUT_ERROR) -> None:
        super().__init__(message)
        self.code = code
