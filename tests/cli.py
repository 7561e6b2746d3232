"""`run_cli(*args)`: the CLI run as a real process, `python -m tui ARGS`, as tests see it.

The process is forked from tests/cli_zygote.py (one per test worker, started on first
use), which imported the CLI once: a test runs hundreds of commands, and each fresh
interpreter would spend about 0.4 s of CPU importing the same modules. What the process
gets is what a fresh one gets: the arguments, the environment, the folder, its own
stdin, stdout and stderr (files, not a terminal), and its exit status. Settings read
when an interpreter starts (PYTHON*, LANG, LC_*) cannot be changed in a fork: with
those, a fresh `python -m tui` runs (test_cli_encoding runs fresh ones on purpose).
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SETTINGS = ("PYTHON", "LANG", "LC_")


class Zygote:
    """The forking process and its socket; gone with the test worker."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="cli-zygote-")
        self.socket = os.path.join(self.folder, "socket")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.cli_zygote", self.socket], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        ready = self.process.stdout.readline()
        assert ready == "ready\n", f"the CLI zygote did not start: {ready!r}"
        atexit.register(self.stop)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        Path(self.socket).unlink(missing_ok=True)
        os.rmdir(self.folder)

    def run(self, argv: list[str], env: dict[str, str], cwd: str, files: list[IO[bytes]],
            timeout: float) -> int:
        """Fork a child for `argv`; its exit status (TimeoutExpired after `timeout` s)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as connection:
            connection.settimeout(timeout)
            connection.connect(self.socket)
            request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode()
            socket.send_fds(connection, [request], [f.fileno() for f in files])
            pid = int(connection.recv(64))
            try:
                return int(connection.recv(64))
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                raise subprocess.TimeoutExpired(["python", "-m", "tui", *argv], timeout) from None


_zygote: list[Zygote | None] = []  # once tried: the zygote, or None when it could not start


def run_cli(*args: str | Path, env: dict[str, str] | None = None, input: str | None = None,
              cwd: Path | str | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m tui ARGS` with `env` added to this process's environment; text output."""
    argv = [os.fspath(arg) for arg in args]
    if not _zygote:
        try:
            _zygote.append(Zygote())
        except (OSError, AssertionError) as error:
            warnings.warn(f"CLI commands start fresh interpreters (slower): {error}",
                          stacklevel=2)
            _zygote.append(None)
    zygote = _zygote[0]
    if zygote is None or any(key.startswith(STARTUP_SETTINGS) for key in env or {}):
        return subprocess.run([sys.executable, "-m", "tui", *argv], capture_output=True,
                              text=True, input=input, cwd=cwd, timeout=timeout,
                              env={**os.environ, **(env or {})})
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stdout, \
            tempfile.TemporaryFile() as stderr:
        stdin.write((input or "").encode())
        stdin.seek(0)
        code = zygote.run(argv, {**os.environ, **(env or {})}, os.fspath(cwd or os.getcwd()),
                           [stdin, stdout, stderr], timeout)
        out, err = (text(f) for f in (stdout, stderr))
    return subprocess.CompletedProcess(["python", "-m", "tui", *argv], code, out, err)


def text(file: IO[bytes]) -> str:
    """What `subprocess.run(text=True)` makes of the bytes: UTF-8, universal newlines."""
    file.seek(0)
    return file.read().decode().replace("\r\n", "\n").replace("\r", "\n")
