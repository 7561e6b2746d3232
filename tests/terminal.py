"""Run `python -m tui` on a real pseudo-terminal, as a person at an SSH prompt would."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Sequence


def run_in_terminal(args: Sequence[str], *, keys_when: bytes | None = None, keys: bytes = b"",
                    env: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes]:
    """Run the CLI with stdin, stdout and stderr on a pty; (exit code, everything it drew).

    When the output contains `keys_when`, `keys` are typed once (e.g. ctrl+q to quit).
    """
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "tui", *args], stdin=slave, stdout=slave,
                            stderr=slave, close_fds=True, env={**os.environ, **(env or {})})
    os.close(slave)
    output = b""
    typed = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
                if keys_when is not None and not typed and keys_when in output:
                    os.write(master, keys)
                    typed = True
            elif proc.poll() is not None:
                break
        return proc.wait(timeout=5), output
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
