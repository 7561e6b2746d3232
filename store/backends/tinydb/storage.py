"""The TinyDB storage behind Store: one JSON file that many sessions can share safely.

Stock JSONStorage rewrites in place without a lock: a kill, a full disk or a second writer
destroys data. This one replaces the file atomically under a cross-process lock, keeps the
parsed data between writes, and refuses (never modifies) a file it cannot trust.
"""

from __future__ import annotations

import errno
import gc
import os
import secrets
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Protocol

import filelock
import orjson
from tinydb.storages import Storage

from store.errors import CorruptFileError, LockTimeoutError, StorageError, UnsafePathError

Tables = dict[str, dict[str, dict[str, Any]]]
_Signature = tuple[int, int, int]

_BOM = b"\xef\xbb\xbf"
# Far above any real data file (100k prospects take ~60 MB): a bigger one is refused before it
# is read, rather than exhausting the memory (a parsed file takes ~10 times its size).
MAX_FILE_BYTES = 512 * 1024 * 1024
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_PICK_OTHER = "choose another path with --db or PROSPECTS_DB"
# A change file is one save's records; a bigger one (an import) is not worth following.
MAX_CHANGES_BYTES = 4 * 1024 * 1024
_KINDS = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket",
          stat.S_IFCHR: "a device", stat.S_IFBLK: "a device"}




def _nofollow_opener(path: str, flags: int) -> int:
    return os.open(path, flags | _NOFOLLOW | _CLOEXEC | os.O_NONBLOCK)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _sig(st: os.stat_result) -> _Signature:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _type_name(value: object) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number",
            bool: "true/false", type(None): "null"}.get(type(value), type(value).__name__)


class RecordSchema(Protocol):
    """What the records must hold (store.backends.tinydb.record_schema): checked on every load."""

    def decode(self, raw: bytes) -> Tables | None:
        """The parsed file if it is JSON and every record's types are right, else None."""

    def problem(self, data: Tables) -> str | None:
        """The first record whose types are wrong, by table, record and field."""

    def decode_changes(self, raw: bytes) -> tuple[_Signature, _Signature, dict[str, dict[str, Any]]] | None:
        """A change file's (before, after, tables), if its types are right, else None."""


class SafeJSONStorage(Storage):
    """TinyDB storage in JSONStorage's file format: atomic, locked, cached and path-checked."""

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = 10.0,
                 schema: RecordSchema | None = None, create_folders: bool = True) -> None:
        """Check the path, create an empty database if missing (`created_new`), load the file.

        A missing folder is created too, or with create_folders=False refused: a mistyped
        path must not quietly start an empty database. Raises StorageError (or a subclass)
        and leaves the file untouched when it is unsafe, corrupt, too big, unreadable, or
        (with a schema) holds a record of the wrong types.
        """
        self._schema = schema
        self.created_new = False
        self.path = Path(os.path.abspath(os.fspath(path)))
        self._lock_path = Path(f"{self.path}.lock")
        self._timeout = lock_timeout
        self._cache: tuple[_Signature, Tables] | None = None
        self._held_fd = -1  # keeps the last seen inode alive, so its number cannot be reused
        self._state = threading.Lock()
        self._thread_lock = threading.RLock()
        self._owner: int | None = None
        if create_folders:
            self._make_dirs(self.path.parent)
        try:
            dir_st = os.stat(self.path.parent)
        except FileNotFoundError as exc:
            raise StorageError(f"the folder {self.path.parent} does not exist, so {self.path} "
                               f"was not created; check the path given with --db or "
                               f"PROSPECTS_DB, or create the folder first") from exc
        except OSError as exc:
            raise StorageError(f"cannot open the folder of {self.path}: {_reason(exc)}") from exc
        if dir_st.st_mode & stat.S_IWOTH:
            raise UnsafePathError(
                f"{self.path.parent} (the folder of {self.path}) can be written by anyone, who "
                f"could then replace the database; remove that right (chmod o-w) or {_PICK_OTHER}")
        # A setgid folder is the team set-up: files belong to its group and the group may write.
        self._shared = bool(dir_st.st_mode & stat.S_ISGID)
        self._mode = 0o660 if self._shared else 0o600
        for p in (self.path, self._lock_path):
            with suppress(FileNotFoundError):
                self._check_entry(p, os.lstat(p))
        self._create_lock_file()
        self._flock = filelock.FileLock(str(self._lock_path), timeout=lock_timeout, mode=self._mode)
        if self._signature() is None:
            with self.locked():  # two sessions starting at once must not both create it
                if self._signature() is None:
                    self.write({})
                    self.created_new = True
        else:
            self._load()

    @property
    def mode(self) -> int:
        """The permission bits of its files: 0660 in a setgid team folder, else 0600."""
        return self._mode

    def check_beside(self, p: Path) -> None:
        """Refuse a file kept beside the data file (p) if it is a link, special or not ours."""
        with suppress(FileNotFoundError):
            self._check_entry(p, os.lstat(p))

    def read(self) -> Tables:
        """Return the parsed data, lock-free; the same dict object while the file is unchanged.

        Callers must not mutate it outside locked() followed by write().
        """
        cache = self._cache
        sig = self._signature()
        if cache is not None and cache[0] == sig:
            return cache[1]
        followed = self._follow(cache, sig)
        return followed if followed is not None else self._load()

    def write(self, data: dict[str, dict[str, Any]],
              changed: dict[str, dict[str, Any]] | None = None) -> None:
        """Replace the file atomically with data; only inside locked().

        `changed` (table -> record id -> record, or None when deleted) is what this write
        changed: it goes to the change file, so that another session one write behind
        updates its copy from it instead of parsing the whole file again.
        On any failure the old file stays as it was and StorageError says so.
        """
        before = self._cache[0] if self._cache is not None else None
        if self._owner != threading.get_ident():
            raise RuntimeError("SafeJSONStorage.write() must be called inside storage.locked()")
        tmp = self.path.with_name(f".{self.path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        fd = -1
        try:
            payload = orjson.dumps(data)  # compact: pretty-printing costs time at 100k records
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600)
            # Explicit, so neither the umask nor a chmod since (a member's 664) decides who may read.
            os.fchmod(fd, self._mode)
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            st = os.fstat(fd)
            os.replace(tmp, self.path)
        except BaseException as exc:
            if fd >= 0:
                os.close(fd)
            with suppress(OSError):
                os.unlink(tmp)
            self.invalidate()  # the caller's dict may hold changes that never reached the disk
            if isinstance(exc, OSError | TypeError):
                why = _reason(exc) if isinstance(exc, OSError) else str(exc)
                raise StorageError(f"cannot save {self.path}: {why}; nothing was changed") from exc
            raise
        self._hold(fd, _sig(st), data)
        self._fsync_dir()
        self._write_changes(before, _sig(st), changed)

    # -- the change file: another session's last write, for a session one write behind ---

    @property
    def changes_path(self) -> Path:
        """Beside the file: what its last write changed (a copy of those records)."""
        return self.path.with_name(f".{self.path.name}.changes")

    def _write_changes(self, before: _Signature | None, after: _Signature,
                       changed: dict[str, dict[str, Any]] | None) -> None:
        # Only a shortcut for readers: when it cannot be written (or is stale, or damaged)
        # they parse the whole file, as they would without it.
        if changed is None or before is None:
            with suppress(OSError):
                os.unlink(self.changes_path)
            return
        # Named like the data file's temp files, so that one a killed writer left is removed.
        tmp = self.path.with_name(f".{self.path.name}.tmp-changes-{os.getpid()}")
        try:
            payload = orjson.dumps([before, after, changed])
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW | _CLOEXEC,
                         0o600)
            try:
                os.fchmod(fd, self._mode)
                os.write(fd, payload)
            finally:
                os.close(fd)
            os.replace(tmp, self.changes_path)
        except OSError:
            with suppress(OSError):
                os.unlink(tmp)
            with suppress(OSError):
                os.unlink(self.changes_path)

    def _follow(self, cache: tuple[_Signature, Tables] | None,
                sig: _Signature | None) -> Tables | None:
        """The data after the file's last write, from our copy and the change file; None
        unless our copy is exactly one write behind and the change file is sound."""
        if cache is None or sig is None or self._schema is None:
            return None
        try:
            with open(self.changes_path, "rb", opener=_nofollow_opener) as f:
                if os.fstat(f.fileno()).st_size > MAX_CHANGES_BYTES:
                    return None
                raw = f.read()
            found = self._schema.decode_changes(raw)
            if found is None or found[0] != cache[0] or found[1] != sig:
                return None
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW | _CLOEXEC)
        except OSError:
            return None
        st = os.fstat(fd)
        if _sig(st) != sig or not stat.S_ISREG(st.st_mode):  # replaced again meanwhile
            os.close(fd)
            return None
        data = dict(cache[1])
        for name, rows in found[2].items():
            table = data[name] = dict(data.get(name, {}))
            for key, record in rows.items():
                if record is None:
                    table.pop(key, None)
                else:
                    table[key] = record
        self._hold(fd, sig, data)
        return data

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the cross-process write lock; re-entrant in one thread.

        On entry removes temp files left by killed writers and re-reads the file if another
        session changed it, so read() inside gives the latest data.
        """
        me = threading.get_ident()
        if self._owner == me:
            yield
            return
        if not self._thread_lock.acquire(timeout=self._timeout):
            raise self._timeout_error()
        try:
            try:
                # filelock polls; its 50 ms default leaves the file idle between queued saves.
                self._flock.acquire(poll_interval=0.005)
            except filelock.Timeout:
                raise self._timeout_error() from None
            except OSError as exc:
                raise StorageError(f"cannot lock {self.path} (lock file {self._lock_path}): "
                                   f"{_reason(exc)}; check that folder's permissions") from exc
            try:
                self._owner = me
                self._remove_stale_temps()
                cache = self._cache
                if (cache[0] if cache else None) != self._signature():
                    self.read()  # the latest data: one write behind follows the change file
                yield
            except BaseException:
                self.invalidate()  # the body may have half-changed the shared dict
                raise
            finally:
                self._owner = None
                self._flock.release()
        finally:
            self._thread_lock.release()

    def changed_on_disk(self) -> bool:
        """Tell, with one stat, whether the file differs from what this storage last saw."""
        try:
            sig = self._signature()
        except StorageError:
            return True
        cache = self._cache
        return cache is None or cache[0] != sig

    def reload(self) -> bool:
        """Re-parse the file if it changed on disk; return True if it had."""
        if not self.changed_on_disk():
            return False
        self._load()
        return True

    def close(self) -> None:
        """Drop the cache and the file descriptor this storage holds."""
        self.invalidate()

    def invalidate(self) -> None:
        """Forget the cached data (for instance after changing it in place without a write)."""
        with self._state:
            old, self._held_fd, self._cache = self._held_fd, -1, None
        if old >= 0:
            os.close(old)

    def __del__(self) -> None:
        with suppress(Exception):
            self.invalidate()

    def _make_dirs(self, folder: Path) -> None:
        missing: list[Path] = []
        while not os.path.exists(folder):  # False also when unreadable: mkdir says why
            missing.append(folder)
            folder = folder.parent
        for d in reversed(missing):
            try:
                os.mkdir(d, 0o700)
            except FileExistsError:
                continue  # another session created it at the same moment
            except OSError as exc:
                raise StorageError(f"cannot create the folder {d} for {self.path}: "
                                   f"{_reason(exc)}; {_PICK_OTHER}") from exc
            # mkdir obeys the umask; a setgid bit inherited from a team folder must stay.
            os.chmod(d, 0o2770 if os.stat(d).st_mode & stat.S_ISGID else 0o700)

    def _check_entry(self, p: Path, st: os.stat_result) -> None:
        if stat.S_ISLNK(st.st_mode):
            raise UnsafePathError(f"{p} is a symbolic link, which is not followed for safety; "
                                  f"give the real file's path with --db or PROSPECTS_DB")
        if not stat.S_ISREG(st.st_mode):
            kind = _KINDS.get(stat.S_IFMT(st.st_mode), "a special file")
            raise UnsafePathError(f"{p} exists but is {kind}, not a regular file; {_PICK_OTHER}")
        if st.st_uid != os.geteuid() and not self._shared:
            raise UnsafePathError(
                f"{p} belongs to another user (uid {st.st_uid}), so it was not opened; use your "
                f"own file, or share it in a setgid group folder (chmod 2770 on the folder)")

    def _create_lock_file(self) -> None:
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
        try:
            fd = os.open(self._lock_path, flags, self._mode)
        except FileExistsError:
            return  # already checked by _check_entry
        except OSError as exc:
            raise StorageError(f"cannot create the lock file {self._lock_path}: {_reason(exc)}; "
                               f"check the folder's permissions or {_PICK_OTHER}") from exc
        try:
            os.fchmod(fd, self._mode)
        finally:
            os.close(fd)

    def _signature(self) -> _Signature | None:
        try:
            return _sig(os.lstat(self.path))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read {self.path}: {_reason(exc)}") from exc

    def _load(self) -> Tables:
        try:
            # O_NONBLOCK: opening a FIFO put in the file's place must not hang the app.
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW | _CLOEXEC)
        except FileNotFoundError as exc:
            raise StorageError(f"{self.path} was removed or renamed by someone else; restore it, "
                               f"or restart to begin an empty database") from exc
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                self._check_entry(self.path, os.lstat(self.path))
            raise StorageError(f"cannot read {self.path}: {_reason(exc)}; check its owner and "
                               f"permissions (ls -l)") from exc
        try:
            st = os.fstat(fd)
            self._check_entry(self.path, st)
            if st.st_size > MAX_FILE_BYTES:
                raise self._corrupt(f"it is {st.st_size / 2**20:,.0f} MB, more than the "
                                    f"{MAX_FILE_BYTES / 2**20:,.0f} MB a prospects database "
                                    f"can be, so it was not read")
            with open(fd, "rb", closefd=False) as f:
                raw = f.read()
            data = self._parse(raw)
        except BaseException as exc:
            os.close(fd)
            if isinstance(exc, OSError):
                raise StorageError(f"cannot read {self.path}: {_reason(exc)}") from exc
            raise
        self._hold(fd, _sig(st), data)
        return data

    def _parse(self, raw: bytes) -> Tables:
        if not raw:
            return {}  # what an interrupted stock JSONStorage leaves; TinyDB reads it as empty
        if raw.startswith(_BOM):
            raise self._corrupt("it starts with a byte-order mark (BOM) that this app never writes")
        # The collector would scan the heap again and again while the parser allocates 100k dicts
        # (3-4x slower); nothing it could free is created here.
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            data = self._schema.decode(raw) if self._schema is not None else None
            checked = data is not None
            if data is None:  # not checked, or something is wrong: find what, to say so
                data = self._json(raw)
        finally:
            if gc_was_on:
                gc.enable()
        if not isinstance(data, dict):
            raise self._corrupt(f"it holds {_type_name(data)}, not an object of tables")
        for name, table in data.items():
            if not isinstance(table, dict):
                raise self._corrupt(f"table {name!r} is {_type_name(table)}, not an object")
            if not set(map(type, table.values())) <= {dict}:  # 5x faster than all(...) here
                doc_id, doc = next((k, v) for k, v in table.items() if type(v) is not dict)
                raise self._corrupt(f"record {doc_id!r} of table {name!r} is {_type_name(doc)}, "
                                    f"not an object")
        problem = None if checked or self._schema is None else self._schema.problem(data)
        if problem is not None:
            raise self._corrupt(problem)
        return data

    def _json(self, raw: bytes) -> Any:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as bad:
                raise self._corrupt(f"it is not valid UTF-8 (byte {bad.start})") from None
            raise self._corrupt(f"it is not valid JSON ({exc})") from None

    def _corrupt(self, detail: str) -> CorruptFileError:
        return CorruptFileError(
            f"{self.path} is not a usable prospects database: {detail}. It was left untouched; "
            f"restore it from a backup, move it aside to start an empty one, or {_PICK_OTHER}")

    def _timeout_error(self) -> LockTimeoutError:
        return LockTimeoutError(
            f"could not lock {self.path} within {self._timeout:g} s: another session is saving to "
            f"it (lock file {self._lock_path}); try again in a moment")

    def _hold(self, fd: int, sig: _Signature, data: Tables) -> None:
        # Swapped under a lock so two threads re-reading at once never close the same fd twice.
        with self._state:
            old, self._held_fd, self._cache = self._held_fd, fd, (sig, data)
        if old >= 0:
            os.close(old)

    def _remove_stale_temps(self) -> None:
        # Called under the lock: no live writer can own a temp file now, so any left is stale.
        prefix = f".{self.path.name}.tmp-"
        with suppress(OSError), os.scandir(self.path.parent) as entries:
            for entry in entries:
                if entry.name.startswith(prefix):
                    with suppress(OSError):
                        os.unlink(entry.path)

    def _fsync_dir(self) -> None:
        # Without this a crash right after the rename can bring the old file back.
        try:
            dfd = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError as exc:
            if exc.errno in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
                return  # this filesystem cannot sync a directory; the rename is all it offers
            raise StorageError(
                f"{self.path} was saved, but the system could not confirm it reached the disk "
                f"({_reason(exc)}); it may be lost if the machine crashes now") from exc
