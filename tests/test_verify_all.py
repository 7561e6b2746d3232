"""Verify all, against the loopback responder: bounded concurrency, a few saves, cancel
keeps what was answered, fresh answers are skipped, "could not check" erases nothing."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

import store.rules.verify_all as verify_all
from store.models import DomainCheck, Prospect, User
from store.rules.store import Store
from store.rules.verify_all import VerifyAll, check_to_store, due_for_check
from tests.cli import run_cli
from tests.dns_responder import SILENT, DnsResponder, mx, spf
from tests.dns_responder import dns_server as dns_server  # the fixture
from tests.seed import seed_prospects

N = 30


def make_store(path: Path, domains: list[str]) -> Store:
    store = Store(path)
    store.add_user(User(name="Ada Lovelace", email="ada@example.com", implementation_lead=True))
    seed_prospects(store, [
        Prospect(company_type="End Customer", company_name=f"Firm {n}", domain=domain,
                 sector="Retail", implementation_lead=1) for n, domain in enumerate(domains)])
    return store


def serve_many(server: DnsResponder, n: int = N) -> list[str]:
    domains = [f"firm{n}.example" for n in range(n)]
    for i, domain in enumerate(domains):
        host = "x.mail.protection.outlook.com" if i % 2 else "in.mimecast.com"
        server.set(domain, {**mx(host), **spf("-all")})
    return domains


class Saves:
    """Store.record_checks, counting the calls."""

    def __init__(self, store: Store) -> None:
        self.store, self.calls = store, 0

    def __call__(self, results: Mapping[int, DomainCheck]) -> int:
        self.calls += 1
        return self.store.record_checks(results)


def run(targets: list[tuple[int, str]], save: Any, server: DnsResponder, **kw: Any) -> Any:
    job = VerifyAll(targets, save, nameserver=server.nameserver, **kw)
    return job, asyncio.run(job.run())


def test_every_prospect_is_checked_and_saved_in_a_few_writes(
    tmp_path: Path, dns_server: DnsResponder,
) -> None:
    store = make_store(tmp_path / "p.json", serve_many(dns_server))
    before = {pid: dict(r) for pid, r in store.prospect_rows()}
    saves = Saves(store)
    _, progress = run(due_for_check(store.prospect_rows()), saves, dns_server,
                      concurrency=7)
    assert (progress.done, progress.saved, progress.could_not_check) == (N, N, 0)
    assert saves.calls == progress.writes <= 5
    for pid, record in Store(tmp_path / "p.json").prospect_rows():
        check = record["domain_check"]
        assert check["mail_provider" if pid % 2 == 0 else "gateway"] in (
            "Microsoft 365", "Mimecast")
        assert check["spf"]["all"] == "-all"
        # Nothing the person edits changed: an open form saves without a conflict.
        assert (record["version"], record["updated_at"]) == (
            before[pid]["version"], before[pid]["updated_at"])


def test_no_more_than_the_concurrency_in_flight(tmp_path: Path, dns_server: DnsResponder,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store(tmp_path / "p.json", serve_many(dns_server))
    dns_server.latency = 0.05
    flying, most = 0, 0
    real = verify_all.check_dns

    async def counting(*args: Any, **kwargs: Any) -> DomainCheck:
        nonlocal flying, most
        flying += 1
        most = max(most, flying)
        try:
            return await real(*args, **kwargs)
        finally:
            flying -= 1

    monkeypatch.setattr(verify_all, "check_dns", counting)
    _, progress = run(due_for_check(store.prospect_rows()), Saves(store), dns_server,
                      concurrency=4)
    assert progress.done == N and most == 4


def test_cancel_keeps_what_was_answered(tmp_path: Path, dns_server: DnsResponder) -> None:
    store = make_store(tmp_path / "p.json", serve_many(dns_server))
    dns_server.latency = 0.1
    job = VerifyAll(due_for_check(store.prospect_rows()), Saves(store),
                    nameserver=dns_server.nameserver, concurrency=2)

    async def cancel_when_some_are_done() -> Any:
        running = asyncio.create_task(job.run())
        while job.progress.done < 4:
            await asyncio.sleep(0.01)
        job.cancel()
        return await running

    progress = asyncio.run(cancel_when_some_are_done())
    assert progress.cancelled and 4 <= progress.done < N
    stored = [r for _, r in Store(tmp_path / "p.json").prospect_rows() if r["domain_check"]]
    assert len(stored) == progress.saved == progress.done


class LateStart(ThreadPoolExecutor):
    """An executor that takes each job up only after `delay`; `on_submit` runs first."""

    def __init__(self, on_submit: Any, delay: float = 0.2) -> None:
        super().__init__(max_workers=1)  # never used: asyncio only asks for the type
        self.on_submit, self.delay = on_submit, delay

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.on_submit()
        future: Future[Any] = Future()

        def start() -> None:
            if future.set_running_or_notify_cancel():  # False: cancelled while queued
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as error:  # noqa: BLE001 - handed to the waiter
                    future.set_exception(error)

        threading.Timer(self.delay, start).start()
        return future


def test_a_cancel_before_a_save_starts_keeps_that_save(tmp_path: Path,
                                                       dns_server: DnsResponder) -> None:
    """A cancel that arrives while a batch waits in the executor's queue must not drop it."""
    store = make_store(tmp_path / "p.json", serve_many(dns_server))
    job = VerifyAll(due_for_check(store.prospect_rows()), Saves(store),
                    nameserver=dns_server.nameserver, concurrency=2)
    job.batch = 3

    async def cancel_as_the_first_save_is_queued() -> Any:
        asyncio.get_running_loop().set_default_executor(
            LateStart(lambda: job.cancel() if job.progress.done else None))
        return await job.run()

    progress = asyncio.run(cancel_as_the_first_save_is_queued())
    assert progress.cancelled and 3 <= progress.done < N
    stored = [r for _, r in Store(tmp_path / "p.json").prospect_rows() if r["domain_check"]]
    assert len(stored) == progress.saved == progress.done


def test_could_not_check_never_erases_an_answer(tmp_path: Path,
                                                dns_server: DnsResponder) -> None:
    store = make_store(tmp_path / "p.json", ["good.example", "new.example"])
    dns_server.set("good.example", mx("in.mimecast.com"))
    run([(1, "good.example")], store.record_checks, dns_server)
    first = store.get_prospect(1).domain_check
    assert first is not None and first.gateway == "Mimecast"
    dns_server.set("good.example", SILENT)
    dns_server.set("new.example", SILENT)
    _, progress = run(due_for_check(store.prospect_rows()), store.record_checks, dns_server,
                      lifetime=0.3)
    assert (progress.done, progress.could_not_check, progress.saved) == (2, 2, 1)
    assert store.get_prospect(1).domain_check == first  # kept, time and all
    recorded = store.get_prospect(2).domain_check
    assert recorded is not None and recorded.verdict == "unknown"  # recorded as such


def test_check_to_store() -> None:
    good = {"verdict": "mail", "message": "m"}
    unknown = DomainCheck(verdict="unknown", message="could not check")
    assert check_to_store(good, unknown) is None
    assert check_to_store({"verdict": "unknown"}, unknown) is not None
    assert check_to_store(None, unknown) is not None
    assert check_to_store(good, DomainCheck(verdict="nxdomain", message="gone")) is not None


def test_a_second_run_skips_what_is_fresh(tmp_path: Path, dns_server: DnsResponder) -> None:
    store = make_store(tmp_path / "p.json", serve_many(dns_server, 4))
    dns_server.set("firm3.example", SILENT)
    run(due_for_check(store.prospect_rows()), store.record_checks, dns_server, lifetime=0.3)
    day = timedelta(days=1)
    assert due_for_check(store.prospect_rows(), day) == [(4, "firm3.example")]  # unknown
    assert len(due_for_check(store.prospect_rows(), timedelta(0))) == 4
    assert len(due_for_check(store.prospect_rows())) == 4


def test_a_deleted_prospect_and_a_junk_domain(tmp_path: Path, dns_server: DnsResponder) -> None:
    store = make_store(tmp_path / "p.json", ["ok.example"])
    dns_server.set("ok.example", mx("aspmx.l.google.com"))
    saved = store.record_checks({99: DomainCheck(verdict="mail", message="m")})
    assert saved == 0
    _, progress = run([(1, "exa mple.com")], store.record_checks, dns_server)
    check = store.get_prospect(1).domain_check
    assert check is not None and check.verdict == "unknown"
    assert "spaces are not allowed" in check.message and progress.could_not_check == 1


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("--db", db, *args)


def test_cli_verify_all(tmp_path: Path, dns_server: DnsResponder) -> None:
    db = tmp_path / "p.json"
    make_store(db, serve_many(dns_server, 6)).close()
    out = cli(db, "--nameserver", dns_server.env, "verify", "--all", "--json")
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert [r["id"] for r in results] == [1, 2, 3, 4, 5, 6]
    assert list(results[0])[:4] == ["id", "domain", "domain_unicode", "verdict"]
    assert re.search(r"checked 6 of 6 prospects .* saved 6 in [1-4] writes?$", out.stderr)
    stored = orjson.loads(db.read_bytes())["prospects"]
    assert all(r["domain_check"]["verdict"] == "mail" for r in stored.values())
    again = cli(db, "--nameserver", dns_server.env, "verify", "--all", "--older-than", "1")
    assert again.returncode == 0 and "checked 0 of 6 prospects" in again.stderr
    dns_server.set("firm0.example", SILENT)
    stale = cli(db, "--nameserver", dns_server.env, "verify", "--all", "--older-than", "0",
                "--lifetime", "0.3")
    assert stale.returncode == 3 and "(1 could not be checked)" in stale.stderr
    assert "firm0.example\tcould not check" in stale.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["verify"], "give a DOMAIN or --all"),
    (["verify", "x.example", "--all"], "give a DOMAIN or --all"),
    (["verify", "x.example", "--older-than", "3"], "--older-than goes with --all"),
    (["verify", "--all", "--older-than", "-1"], "must be a number of days"),
])
def test_cli_verify_usage(tmp_path: Path, args: list[str], message: str) -> None:
    out = cli(tmp_path / "p.json", *args)
    assert out.returncode == 2 and message in out.stderr


def test_every_session_sees_a_recorded_check(tmp_path: Path) -> None:
    store = make_store(tmp_path / "p.json", ["a.example", "b.example"])
    other = Store(tmp_path / "p.json")
    store.poll(), other.poll()
    store.record_checks({2: DomainCheck(verdict="mail", message="m", gateway="Mimecast")})
    for session in (store, other):
        changes = session.poll()
        assert list(changes.prospects) == [2]
        assert changes.prospects[2]["domain_check"]["gateway"] == "Mimecast"  # type: ignore[index]
