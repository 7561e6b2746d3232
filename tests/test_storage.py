"""Unit tests for store.backends.tinydb.storage.SafeJSONStorage (one process)."""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from tinydb import TinyDB
from tinydb.storages import JSONStorage

from store.backends.tinydb.storage import (
    CorruptFileError,
    LockTimeoutError,
    SafeJSONStorage,
    StorageError,
    UnsafePathError,
)

IS_ROOT = os.geteuid() == 0


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir(mode=0o700)
    return d


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def save(storage: SafeJSONStorage, doc: dict[str, Any], table: str = "prospects") -> int:
    with storage.locked():
        data = storage.read()
        rows = data.setdefault(table, {})
        new_id = max(map(int, rows), default=0) + 1
        rows[str(new_id)] = doc
        storage.write(data)
    return new_id


def mode(p: Path) -> int:
    return stat.S_IMODE(os.lstat(p).st_mode)


def temps(folder: Path) -> list[str]:
    return [n for n in os.listdir(folder) if ".tmp-" in n]


# -- creation and permissions -------------------------------------------------------------


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o000])
def test_creates_private_folder_file_and_lock(tmp_path: Path, umask: None, mask: int) -> None:
    os.umask(mask)
    db = tmp_path / "new" / "deeper" / "prospects.json"
    storage = SafeJSONStorage(db)
    assert db.read_bytes() == b"{}"
    assert storage.read() == {}
    assert storage.path == db
    assert mode(db) == 0o600
    assert mode(Path(f"{db}.lock")) == 0o600
    assert mode(db.parent) == 0o700
    assert mode(db.parent.parent) == 0o700
    save(storage, {"n": 1})
    assert mode(db) == 0o600
    storage.close()


def test_setgid_folder_gives_group_files(folder: Path, umask: None) -> None:
    os.umask(0o022)
    os.chmod(folder, 0o2770)
    db = folder / "team.json"
    storage = SafeJSONStorage(db)
    assert mode(db) == 0o660
    assert mode(Path(f"{db}.lock")) == 0o660
    save(storage, {"n": 1})
    assert mode(db) == 0o660
    assert os.stat(db).st_gid == os.stat(folder).st_gid


def test_new_subfolder_of_setgid_folder_stays_shared(folder: Path, umask: None) -> None:
    os.umask(0o022)
    os.chmod(folder, 0o2770)
    db = folder / "sub" / "team.json"
    SafeJSONStorage(db)
    assert mode(db.parent) == 0o2770
    assert mode(db) == 0o660


def test_a_chmod_since_is_undone_and_the_temp_is_private_already(
    folder: Path, umask: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.umask(0o002)
    db = folder / "p.json"
    db.write_bytes(b"{}")
    os.chmod(db, 0o644)
    storage = SafeJSONStorage(db)
    seen: list[int] = []
    real_replace = os.replace

    def spy(src: Any, dst: Any) -> None:
        seen.append(mode(Path(src)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    save(storage, {"n": 1})
    assert seen == [0o600]
    assert mode(db) == 0o600


# -- unsafe paths ---------------------------------------------------------------------------


def test_symlink_refused(folder: Path) -> None:
    real = folder / "real.json"
    real.write_bytes(b"{}")
    link = folder / "link.json"
    link.symlink_to(real)
    with pytest.raises(UnsafePathError, match="symbolic link") as err:
        SafeJSONStorage(link)
    assert str(link) in str(err.value)
    assert real.read_bytes() == b"{}"


def test_dangling_symlink_refused_and_not_created(folder: Path) -> None:
    link = folder / "link.json"
    link.symlink_to(folder / "nowhere.json")
    with pytest.raises(UnsafePathError, match="symbolic link"):
        SafeJSONStorage(link)
    assert not (folder / "nowhere.json").exists()


def test_symlinked_lock_refused(folder: Path) -> None:
    (folder / "elsewhere").write_bytes(b"")
    Path(f"{folder / 'p.json'}.lock").symlink_to(folder / "elsewhere")
    with pytest.raises(UnsafePathError, match="p.json.lock"):
        SafeJSONStorage(folder / "p.json")


def test_directory_refused(folder: Path) -> None:
    (folder / "p.json").mkdir()
    with pytest.raises(UnsafePathError, match="a directory") as err:
        SafeJSONStorage(folder / "p.json")
    assert str(folder / "p.json") in str(err.value)


def test_fifo_refused(folder: Path) -> None:
    os.mkfifo(folder / "p.json")
    with pytest.raises(UnsafePathError, match="named pipe"):
        SafeJSONStorage(folder / "p.json")


def test_fifo_swapped_in_later_refused_without_hanging(folder: Path) -> None:
    db = folder / "p.json"
    storage = SafeJSONStorage(db)
    db.unlink()
    os.mkfifo(db)
    with pytest.raises(UnsafePathError, match="named pipe"):
        storage.read()


@pytest.mark.parametrize("dir_mode", [0o777, 0o1777, 0o2777])
def test_world_writable_folder_refused(folder: Path, dir_mode: int) -> None:
    (folder / "p.json").write_bytes(b"{}")
    os.chmod(folder, dir_mode)
    with pytest.raises(UnsafePathError, match="written by anyone") as err:
        SafeJSONStorage(folder / "p.json")
    assert str(folder / "p.json") in str(err.value)


@pytest.mark.skipif(not IS_ROOT, reason="chown to another uid needs root")
def test_foreign_owner_refused_unless_setgid_folder(folder: Path) -> None:
    db = folder / "p.json"
    db.write_bytes(b"{}")
    os.chown(db, 4242, -1)
    with pytest.raises(UnsafePathError, match="another user"):
        SafeJSONStorage(db)
    os.chmod(folder, 0o2770)
    assert SafeJSONStorage(db).read() == {}


# -- corrupt and unreadable files -------------------------------------------------------------


BAD_FILES = {
    "list": b"[]",
    "string": b'"x"',
    "table-list": b'{"prospects": []}',
    "record-number": b'{"prospects": {"1": {"a": 1}, "2": 5}}',
    "bom": b'\xef\xbb\xbf{"prospects": {}}',
    "bad-json": b'{"prospects": {"1": {"a": 1}',
    "bad-utf8": b'{"prospects": {"1": {"name": "caf\xe9"}}}',
    "null": b"null",
}


@pytest.mark.parametrize("content", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_corrupt_file_refused_and_untouched(folder: Path, content: bytes) -> None:
    db = folder / "p.json"
    db.write_bytes(content)
    os.chmod(db, 0o600)
    before = os.stat(db)
    with pytest.raises(CorruptFileError) as err:
        SafeJSONStorage(db)
    message = str(err.value)
    assert str(db) in message
    assert "untouched" in message
    assert db.read_bytes() == content
    after = os.stat(db)
    assert (after.st_mtime_ns, after.st_ino, stat.S_IMODE(after.st_mode)) == (
        before.st_mtime_ns, before.st_ino, 0o600)


def test_corrupt_messages_say_what_is_wrong(folder: Path) -> None:
    db = folder / "p.json"
    for content, words in [(BAD_FILES["bom"], "byte-order mark"),
                           (BAD_FILES["bad-utf8"], "UTF-8"),
                           (BAD_FILES["table-list"], "'prospects' is a list"),
                           (BAD_FILES["record-number"], "record '2'")]:
        db.write_bytes(content)
        with pytest.raises(CorruptFileError, match=words):
            SafeJSONStorage(db)


def test_zero_byte_file_is_empty_database(folder: Path) -> None:
    db = folder / "p.json"
    db.write_bytes(b"")
    storage = SafeJSONStorage(db)
    assert storage.read() == {}
    assert db.read_bytes() == b""


def test_file_corrupted_later_is_refused_not_overwritten(folder: Path) -> None:
    db = folder / "p.json"
    storage = SafeJSONStorage(db)
    save(storage, {"n": 1})
    db.write_bytes(b"[garbage")
    with pytest.raises(CorruptFileError):
        storage.read()
    with pytest.raises(CorruptFileError), storage.locked():
        pass
    assert db.read_bytes() == b"[garbage"


def test_unreadable_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = folder / "p.json"
    db.write_bytes(b"{}")
    real_open = os.open

    def deny(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path) == db and not flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(StorageError, match="Permission denied") as err:
        SafeJSONStorage(db)
    assert str(db) in str(err.value)


def test_removed_file_is_reported(folder: Path) -> None:
    db = folder / "p.json"
    storage = SafeJSONStorage(db)
    db.unlink()
    assert storage.changed_on_disk()
    with pytest.raises(StorageError, match="removed"):
        storage.read()


# -- writing ------------------------------------------------------------------------------------


def test_write_outside_locked_raises(folder: Path) -> None:
    storage = SafeJSONStorage(folder / "p.json")
    with pytest.raises(RuntimeError, match="locked"):
        storage.write({})
    assert (folder / "p.json").read_bytes() == b"{}"


def test_write_from_another_thread_than_the_lock_holder_raises(folder: Path) -> None:
    storage = SafeJSONStorage(folder / "p.json")
    errors: list[BaseException] = []

    def other() -> None:
        try:
            storage.write({})
        except RuntimeError as exc:
            errors.append(exc)

    with storage.locked():
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert len(errors) == 1


def test_atomic_write_leaves_no_temp_and_stock_format(folder: Path) -> None:
    db = folder / "p.json"
    storage = SafeJSONStorage(db)
    save(storage, {"company_name": "Café Ltd", "seats": 3})
    assert temps(folder) == []
    assert orjson.loads(db.read_bytes()) == {
        "prospects": {"1": {"company_name": "Café Ltd", "seats": 3}}}
    # stock TinyDB reads what we wrote
    stock = TinyDB(str(db), storage=JSONStorage)
    assert stock.table("prospects").get(doc_id=1) == {"company_name": "Café Ltd", "seats": 3}
    stock.close()


def test_works_as_tinydb_storage(folder: Path) -> None:
    db = TinyDB(str(folder / "p.json"), storage=SafeJSONStorage)
    storage = db.storage
    assert isinstance(storage, SafeJSONStorage)
    with storage.locked():
        db.table("prospects").insert_multiple([{"n": i} for i in range(3)])
    assert len(db.table("prospects")) == 3
    with pytest.raises(RuntimeError):
        db.table("prospects").insert({"n": 9})
    db.close()


def test_stale_temps_removed_under_lock(folder: Path) -> None:
    db = folder / "p.json"
    storage = SafeJSONStorage(db)
    stale = [folder / ".p.json.tmp-999-abcd1234", folder / ".p.json.tmp-1-00"]
    keep = [folder / ".other.json.tmp-999-abcd1234", folder / "p.json.tmp-1"]
    for p in stale + keep:
        p.write_bytes(b"{half")
    with storage.locked():
        assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in keep)


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EFBIG, errno.EIO])
def test_failed_write_changes_nothing(
    folder: Path, monkeypatch: pytest.MonkeyPatch, err: int
) -> None:
    db = folder / "p.json"
    storage = SafeJSONStorage(db)
    save(storage, {"n": 1})
    before = db.read_bytes()

    def broken(fd: int) -> None:
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(StorageError) as exc:
        save(storage, {"n": 2})
    assert str(db) in str(exc.value)
    assert os.strerror(err) in str(exc.value)
    assert "nothing was changed" in str(exc.value)
    monkeypatch.undo()
    assert db.read_bytes() == before
    assert temps(folder) == []
    # the dict save() mutated is dropped: what we read again is what is on disk
    assert storage.read() == {"prospects": {"1": {"n": 1}}}


def test_unserialisable_data_changes_nothing(folder: Path) -> None:
    db = folder / "p.json"
    storage = SafeJSONStorage(db)
    with pytest.raises(StorageError, match="nothing was changed"):
        save(storage, {"when": object()})
    assert db.read_bytes() == b"{}"
    assert temps(folder) == []
    assert storage.read() == {}


def test_exception_in_locked_body_drops_half_changed_cache(folder: Path) -> None:
    storage = SafeJSONStorage(folder / "p.json")
    save(storage, {"n": 1})
    with pytest.raises(ValueError), storage.locked():
        storage.read()["prospects"]["1"]["n"] = 99
        raise ValueError("conflict")
    assert storage.read() == {"prospects": {"1": {"n": 1}}}


# -- cache and change detection ------------------------------------------------------------------


def test_read_returns_same_object_while_unchanged(folder: Path) -> None:
    storage = SafeJSONStorage(folder / "p.json")
    save(storage, {"n": 1})
    first = storage.read()
    assert storage.read() is first
    with storage.locked():
        assert storage.read() is first
    assert not storage.changed_on_disk()
    assert storage.reload() is False
    assert storage.read() is first


def test_other_instance_write_is_seen(folder: Path) -> None:
    db = folder / "p.json"
    a = SafeJSONStorage(db)
    b = SafeJSONStorage(db)
    save(a, {"by": "a"})
    assert b.changed_on_disk()
    assert b.read()["prospects"]["1"] == {"by": "a"}
    old = b.read()
    save(a, {"by": "a2"})
    assert b.changed_on_disk()
    assert b.read() is not old
    assert b.read()["prospects"] == {"1": {"by": "a"}, "2": {"by": "a2"}}
    # under the lock b starts from a's latest save, so ids never collide
    assert save(b, {"by": "b"}) == 3
    assert a.changed_on_disk()
    assert a.reload() is True
    assert a.read()["prospects"]["3"] == {"by": "b"}
    assert a.reload() is False


def test_same_size_rewrite_is_detected(folder: Path) -> None:
    db = folder / "p.json"
    a = SafeJSONStorage(db)
    b = SafeJSONStorage(db)
    save(a, {"flag": "x"})
    assert b.read()["prospects"]["1"] == {"flag": "x"}
    with a.locked():
        data = a.read()
        data["prospects"]["1"]["flag"] = "y"
        a.write(data)
    assert b.read()["prospects"]["1"] == {"flag": "y"}


# -- locking ------------------------------------------------------------------------------------


def test_locked_is_reentrant(folder: Path) -> None:
    storage = SafeJSONStorage(folder / "p.json")
    with storage.locked(), storage.locked():
        data = storage.read()
        data["t"] = {"1": {"n": 1}}
        storage.write(data)
    assert storage.read() == {"t": {"1": {"n": 1}}}


def test_lock_timeout_names_the_file(folder: Path) -> None:
    db = folder / "p.json"
    holder = SafeJSONStorage(db)
    waiter = SafeJSONStorage(db, lock_timeout=0.2)
    with holder.locked():
        with pytest.raises(LockTimeoutError) as err, waiter.locked():
            pass
        assert str(db) in str(err.value)
    with waiter.locked():
        pass


def test_other_thread_waits_for_the_lock(folder: Path) -> None:
    storage = SafeJSONStorage(folder / "p.json", lock_timeout=0.2)
    outcome: list[str] = []

    def other() -> None:
        try:
            with storage.locked():
                outcome.append("got it")
        except LockTimeoutError:
            outcome.append("timeout")

    with storage.locked():
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert outcome == ["timeout"]
    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert outcome == ["timeout", "got it"]
