"""A process that has imported the CLI once and forks a child for each command run.

`python -m tests.cli_zygote SOCKET` listens on a Unix socket (SOCK_SEQPACKET). Each
request is one message, JSON {"argv", "env", "cwd"}, carrying three file descriptors
(the child's stdin, stdout and stderr); the reply is the child's pid, then its exit
status as `subprocess` reports it (negative: killed by that signal).

The child is `python -m tui ARGS` in every way a test can see but one: it skips the
interpreter start and the imports (about 0.4 s of CPU each, and the test suite runs
hundreds). It leaves through the interpreter's own exit (SystemExit or a traceback,
atexit handlers, stdio flushed), as a fresh process does. This process stays single-
threaded, so forking it is safe, and it exits when its stdin closes (the test worker
that started it is gone).
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import socket
import sys
import threading


def serve(path: str) -> None:
    import tui.__main__ as entry  # everything `python -m tui` imports before it runs

    assert threading.active_count() == 1, "forking is only safe from one thread"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(64)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)
    print("ready", flush=True)
    running: dict[int, socket.socket] = {}  # child pid: the test waiting for it
    while True:
        for key, _ in selector.select(timeout=0.01 if running else None):
            if key.fileobj is sys.stdin:
                return  # the test worker is gone
            connection, _ = listener.accept()
            message, fds, _, _ = socket.recv_fds(connection, 1 << 22, 3)
            pid = os.fork()
            if pid == 0:
                selector.close()
                listener.close()
                connection.close()
                request = json.loads(message)
                run_child([entry.__file__, *request["argv"]], request["env"], request["cwd"], fds)
                entry.main()  # as `python -m tui ARGS`: leaves by SystemExit
                raise SystemExit(0)
            for fd in fds:
                os.close(fd)
            answer(connection, pid)
            running[pid] = connection
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if not pid:
                break
            connection = running.pop(pid)
            answer(connection, os.waitstatus_to_exitcode(status))
            connection.close()


def answer(connection: socket.socket, number: int) -> None:
    """Send a number to a test that may have stopped waiting (a timeout)."""
    with contextlib.suppress(OSError):
        connection.send(str(number).encode())


def run_child(argv: list[str], env: dict[str, str], cwd: str, fds: list[int]) -> None:
    """Take the command's stdin, stdout, stderr, environment, folder and arguments."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = argv


if __name__ == "__main__":
    serve(sys.argv[1])
