"""SafeJSONStorage against real processes: concurrent writers, kill -9, a full disk."""

from __future__ import annotations

import gc
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from store.backends.tinydb.storage import SafeJSONStorage
from store.errors import StorageError

ROOT = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).resolve().parent / "procs" / "storage_child.py"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}


def child(*args: object, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(CHILD), *map(str, args)], env=ENV,
                            text=True, **kwargs)


def parse(path: Path) -> Any:
    # Big tables parse 3-4x faster without the collector; the kill test has 15 of them to do.
    gc.disable()
    try:
        return orjson.loads(path.read_bytes())
    finally:
        gc.enable()


def temps(folder: Path) -> list[str]:
    return [n for n in os.listdir(folder) if ".tmp-" in n]


def record(i: int) -> dict[str, Any]:
    return {"company_type": "MSP", "company_name": f"Company {i} Ltd",
            "domain": f"example{i}.com", "website": f"https://www.example{i}.com",
            "sector": "Finance", "implementation_lead": 3, "secondary_contact": None,
            "expected_provision_date": None, "permitted_users": 100,
            "products": [{"product": "Email Security Cloud Gateway", "seats": 25}],
            "status": "prospect", "created_at": "2024-01-01T00:00:00+00:00",
            "updated_at": "2024-01-01T00:00:00+00:00"}


def make_db(path: Path, count: int) -> None:
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_bytes(orjson.dumps({"prospects": {str(i): record(i) for i in range(1, count + 1)}}))
    os.chmod(path, 0o600)


SAVES = 150  # per writer: each save rewrites the whole file, so the cost grows as SAVES squared


def test_eight_writers_lose_nothing_and_lock_free_reader_never_sees_a_torn_file(
    tmp_path: Path,
) -> None:
    db = tmp_path / "data" / "prospects.json"
    SafeJSONStorage(db).close()
    stop = tmp_path / "stop"
    reader = child("reader", db, stop, stdout=subprocess.PIPE)
    writers = [child("writer", db, SAVES, f"w{k}") for k in range(8)]
    try:
        for w in writers:
            assert w.wait(timeout=120) == 0
    finally:
        stop.touch()
        for w in writers:
            if w.poll() is None:
                w.kill()
        out, _ = reader.communicate(timeout=30)
    summary = orjson.loads(out)
    assert summary["failures"] == []
    assert summary["parses"] > 0

    table = parse(db)["prospects"]
    assert len(table) == 8 * SAVES
    assert sorted(map(int, table)) == list(range(1, 8 * SAVES + 1))
    saved = sorted((doc["tag"], doc["n"]) for doc in table.values())
    assert saved == sorted((f"w{k}", n) for k in range(8) for n in range(SAVES))
    assert temps(db.parent) == []


def test_kill_9_during_saves_never_loses_an_acknowledged_save(tmp_path: Path) -> None:
    """Kill -9 at random moments and, deterministically, inside a write; holds at any speed.

    Each round's writer first makes 0-2 saves the test waits for (so saves are acknowledged
    however slow the machine is), then is killed: at a random moment, or frozen half-way
    through writing its temp file, or with the temp file complete but not yet renamed.
    """
    db = tmp_path / "data" / "prospects.json"
    make_db(db, 10_000)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    acknowledged: dict[int, int] = {}
    waited_for = 0
    for round_no, point in enumerate(["none", "mid-write", "before-rename"] * 5):
        saves = rng.randrange(3)
        where = f"seed {seed}, round {round_no} ({point}, after {saves} saves)"
        proc = child("killee", db, round_no, saves, point, stdout=subprocess.PIPE)
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n", where
        lines = [proc.stdout.readline() for _ in range(saves)]
        if point == "none":
            time.sleep(rng.uniform(0.0, 0.1))  # somewhere in the next save, or between two
        else:
            lines.append(proc.stdout.readline())
            assert lines[-1] == "frozen\n", where
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        lines += proc.stdout.read().splitlines()
        proc.stdout.close()
        if point != "none":
            assert temps(db.parent), f"no temp file left by the kill inside a write ({where})"
        acked = [int(line) for line in lines if line.strip().isdigit()]
        assert len(acked) >= saves, where
        waited_for += saves
        for new_id in acked:
            assert new_id not in acknowledged, f"id {new_id} handed out twice ({where})"
            acknowledged[new_id] = round_no

        table = parse(db)["prospects"]  # must parse after every kill
        lost = [i for i, r in acknowledged.items() if table.get(str(i), {}).get("round") != r]
        assert lost == [], f"acknowledged saves lost: {lost[:10]} ({where})"

    assert len(acknowledged) >= waited_for
    storage = SafeJSONStorage(db)
    with storage.locked():  # the next writer clears what the killed ones left
        assert temps(db.parent) == []
    assert len(storage.read()["prospects"]) >= 10_000 + len(acknowledged)
    storage.close()


def test_full_disk_rlimit_fsize_keeps_old_file(tmp_path: Path) -> None:
    db = tmp_path / "data" / "prospects.json"
    make_db(db, 2_000)
    before = db.read_bytes()
    proc = child("fsize", db, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    outcome = orjson.loads(out)
    assert str(db) in outcome["error"]
    assert "File too large" in outcome["error"]
    assert "nothing was changed" in outcome["error"]
    assert outcome["before"] == outcome["after"] == 2_000
    assert db.read_bytes() == before
    assert temps(db.parent) == []


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root; the RLIMIT_FSIZE test covers a full disk")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs",
                           str(mnt)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); "
                    "the RLIMIT_FSIZE test covers a full disk")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_tmpfs_keeps_old_file(small_tmpfs: Path) -> None:
    db = small_tmpfs / "prospects.json"
    make_db(db, 400)  # ~170 KB: a second copy cannot fit in 256 KB
    before = db.read_bytes()
    assert len(before) > 128 * 1024
    storage = SafeJSONStorage(db)
    with pytest.raises(StorageError) as err, storage.locked():
        data = storage.read()
        data["prospects"]["401"] = record(401)
        storage.write(data)
    message = str(err.value)
    assert str(db) in message
    assert "No space left on device" in message
    assert "nothing was changed" in message
    assert db.read_bytes() == before
    assert temps(small_tmpfs) == []
    assert len(storage.read()["prospects"]) == 400
    storage.close()
