"""Child processes for tests/test_storage_safety.py; run as `python storage_child.py MODE ...`.

writer PATH COUNT TAG   COUNT saves, each under the lock with the next free id
reader PATH STOPFILE    lock-free plain parse loop until STOPFILE exists; prints a JSON summary
killee PATH ROUND SAVES FREEZE
                        prints "ready", then saves, printing each id once write() returned; after
                        SAVES saves, FREEZE "mid-write" or "before-rename" stops the next save
                        there (half the temp file written, or all of it) and prints "frozen",
                        for the test to kill it at that point; FREEZE "none" saves forever
fsize PATH              saves with RLIMIT_FSIZE below the file's size; prints a JSON outcome
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import time
from typing import Any

import orjson

from store.backends.tinydb.storage import SafeJSONStorage
from store.errors import StorageError


def save(storage: SafeJSONStorage, doc: dict[str, Any]) -> int:
    with storage.locked():
        data = storage.read()
        table = data.setdefault("prospects", {})
        new_id = max(map(int, table), default=0) + 1
        table[str(new_id)] = doc
        storage.write(data)
    return new_id


def writer(path: str, count: str, tag: str) -> None:
    storage = SafeJSONStorage(path, lock_timeout=120)
    for n in range(int(count)):
        save(storage, {"company_name": f"{tag} #{n}", "tag": tag, "n": n})


def reader(path: str, stopfile: str) -> None:
    parses = 0
    failures: list[str] = []
    while not os.path.exists(stopfile):
        with open(path, "rb") as f:
            raw = f.read()
        try:
            orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            failures.append(f"{len(raw)} bytes: {exc}")
        parses += 1
        time.sleep(0.003)  # leave the 8 writers most of the CPU on a 2-core machine
    print(orjson.dumps({"parses": parses, "failures": failures}).decode())


def freeze() -> None:
    print("frozen", flush=True)
    while True:
        time.sleep(60)


def freeze_in(point: str) -> None:
    """Make the storage's next write stop at point, with its temp file on disk."""
    if point == "mid-write":
        real_write = os.write

        def half_then_freeze(fd: int, data: Any) -> int:
            real_write(fd, bytes(data[: len(data) // 2]))
            os.fsync(fd)
            freeze()
            return 0

        os.write = half_then_freeze  # type: ignore[assignment]
    elif point == "before-rename":
        os.replace = lambda *_: freeze()  # type: ignore[assignment]


def killee(path: str, round_no: str, saves: str, point: str) -> None:
    storage = SafeJSONStorage(path)
    print("ready", flush=True)
    n = 0
    while True:
        if n == int(saves):
            freeze_in(point)
        new_id = save(storage, {"company_name": f"kill round {round_no} save {n}",
                                "round": int(round_no), "n": n})
        print(new_id, flush=True)
        n += 1


def fsize(path: str) -> None:
    # Without this the kernel kills us with SIGXFSZ instead of failing write() with EFBIG.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = os.path.getsize(path) // 2
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    storage = SafeJSONStorage(path)
    before = len(storage.read()["prospects"])
    outcome: dict[str, Any] = {"before": before}
    try:
        save(storage, {"company_name": "does not fit"})
    except StorageError as exc:
        outcome["error"] = str(exc)
    outcome["after"] = len(storage.read()["prospects"])
    print(orjson.dumps(outcome).decode())


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    {"writer": writer, "reader": reader, "killee": killee, "fsize": fsize}[mode](*args)
