"""Verify all: every prospect's domain (or the stale ones), many at once, saved in a few batches.

One event loop asks DNS for up to `concurrency` domains at a time through one
resolver, each check bounded by its lifetime. Answers are handed to `save` (the
Store's record_checks, run in a thread so the loop never waits on the file) a
few times per run, never once per domain. Cancelling keeps what was answered.
"""

from __future__ import annotations

import asyncio
import gc
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from store.domain.dns import ENV_NAMESERVER, Nameserver, check_dns, make_resolver
from store.domain.mailmap import MailMap, load_mailmap
from store.domain.names import DomainError, normalise_domain
from store.models import DomainCheck, now

Record = dict[str, Any]
CONCURRENCY = 50  # domains in flight; about 7 questions each
BATCHES = 4  # saves per run (a save also happens every FLUSH_SECONDS, and at the end)
FLUSH_SECONDS = 10.0
Save = Callable[[Mapping[int, DomainCheck]], int]


def due_for_check(records: Iterable[tuple[int, Mapping[str, Any]]],
                  older_than: timedelta | None = None) -> list[tuple[int, str]]:
    """(id, domain) of the prospects to check: all, or those not answered within `older_than`.

    A check that could not be made, or a stored time that cannot be read, is always due.
    """
    cutoff = now() - older_than if older_than is not None else None
    due = []
    for prospect_id, record in records:
        check = record.get("domain_check")
        if cutoff is not None and isinstance(check, dict) and check.get("verdict") != "unknown":
            try:
                if datetime.fromisoformat(str(check.get("checked_at"))) > cutoff:
                    continue
            except (TypeError, ValueError):
                pass
        due.append((prospect_id, str(record.get("domain") or "")))
    return due


def check_to_store(stored: object, new: DomainCheck) -> Record | None:
    """The domain_check to store, or None to keep what is stored: "could not check"
    never replaces an answer DNS gave before."""
    if new.verdict == "unknown" and isinstance(stored, dict) and stored.get("verdict") not in (
            None, "unknown"):
        return None
    return new.model_dump(mode="json")


def warm_up() -> MailMap:
    """Import dnspython, load the Public Suffix List and the mail map (once per process)."""
    import dns.asyncresolver  # noqa: F401

    normalise_domain("example.com")
    return load_mailmap()


@dataclass
class Progress:
    """How far a run is; read by the UI while it runs (plain ints: safe across threads)."""

    total: int
    done: int = 0
    could_not_check: int = 0
    saved: int = 0
    writes: int = 0
    cancelled: bool = False
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def time_left(self) -> float | None:
        """Seconds left at the pace so far; None until there is a pace."""
        if not self.done:
            return None
        return (self.total - self.done) * self.seconds() / self.done


class VerifyAll:
    """One run over `targets` ((id, domain) pairs); `cancel()` may be called from any thread."""

    def __init__(self, targets: list[tuple[int, str]], save: Save, *,
                 nameserver: Nameserver | None = None, lifetime: float = 3.0,
                 concurrency: int = CONCURRENCY) -> None:
        self.targets, self.save = targets, save
        self.nameserver, self.lifetime, self.concurrency = nameserver, lifetime, concurrency
        self.progress = Progress(len(targets))
        self.batch = max(math.ceil(len(targets) / BATCHES), 1)
        self._pending: dict[int, DomainCheck] = {}
        self._cancelled = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._asking: asyncio.Future[Any] | None = None

    def cancel(self) -> None:
        """Stop asking; what was answered is saved. Calling it again does nothing more."""
        self._cancelled.set()
        if self._loop is not None and self._asking is not None:
            self._loop.call_soon_threadsafe(self._asking.cancel)  # the saves are not cancelled

    def _save(self, answers: Mapping[int, DomainCheck]) -> None:
        self.progress.saved += self.save(answers)
        self.progress.writes += 1

    async def run(self) -> Progress:
        """Check every target; ValueError when the machine has no resolver configured."""
        import dns.resolver

        # Imports, the mail map and the Public Suffix List load in a thread: the loop
        # would otherwise stall for a few hundred ms at the start.
        mailmap = await asyncio.to_thread(warm_up)
        # What is loaded (the data, the list) outlives the run: out of the collector's
        # sight, a full collection among the DNS messages no longer rescans it. At 10k
        # prospects that rescan cost more than the checks themselves.
        gc.freeze()
        try:
            resolver = make_resolver(self.nameserver, self.lifetime)
        except dns.resolver.NoResolverConfiguration:
            raise ValueError(f"no nameserver is configured on this machine (set "
                             f"{ENV_NAMESERVER})") from None
        targets = iter(self.targets)
        saving = asyncio.Lock()
        last_save = time.monotonic()
        loop = asyncio.get_running_loop()
        saves: list[asyncio.Future[None]] = []

        async def flush() -> None:
            nonlocal last_save
            async with saving:
                answers, self._pending = self._pending, {}
                last_save = time.monotonic()
                if answers:
                    # Shielded: a cancel that arrives before a thread takes the save up
                    # would otherwise drop it from the executor's queue, answers and all.
                    saves.append(loop.run_in_executor(None, self._save, answers))
                    await asyncio.shield(saves[-1])

        async def worker() -> None:
            for prospect_id, text in targets:  # shared: each target is taken once
                if self._cancelled.is_set():
                    return
                try:
                    check = await check_dns(normalise_domain(text), resolver=resolver,
                                            lifetime=self.lifetime, mailmap=mailmap)
                except DomainError as error:  # a hand-edited file may hold anything
                    check = DomainCheck(verdict="unknown", message=str(error))
                self._pending[prospect_id] = check
                self.progress.done += 1
                self.progress.could_not_check += check.verdict == "unknown"
                if (len(self._pending) >= self.batch
                        or time.monotonic() - last_save >= FLUSH_SECONDS):
                    await flush()

        self._loop = loop
        self._asking = asyncio.gather(*(worker() for _ in range(self.concurrency)))
        try:
            await self._asking
        except asyncio.CancelledError:
            if not self._cancelled.is_set():
                raise  # not ours: pass it on
        self.progress.cancelled = self._cancelled.is_set()
        await asyncio.gather(*saves)  # a save a cancel interrupted waiting for still lands
        await flush()
        self.progress.finished = time.monotonic()
        return self.progress
