"""Verify all against the loopback DNS responder answering every query after a latency.

    python bench/bench_verify.py [--runs 1000:0.1,10000:0.02] [--repeat 3] [--concurrency 50]

For each N:LATENCY, N prospects in a data file, every domain served (MX to a provider or
a gateway, an SPF record with one include, DMARC, MTA-STS on some) by the responder in
its own process (so it never shares this one's GIL), answering each query after LATENCY
seconds. Printed, as medians of --repeat runs:
- verify all: store.rules.verify_all.VerifyAll saving through Store.record_checks into
  the file (targets: 1,000 at 100 ms <= 15 s; 10,000 at 20 ms <= 60 s), the writes of
  the file (target <= 5) and the longest stall of an event loop beside it (the UI's,
  while the checks run on their own loop in a thread, as from the list; target <= 50 ms);
- the floor, in the same run: the same questions (MX, TXT, _dmarc, _mta-sts,
  _smtp._tls, then the include's TXT) asked with dnspython at the same concurrency, with
  no parsing, signals or saving around them; and the ratio of the two.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
HOSTS = [("x.mail.protection.outlook.com", "spf.protection.outlook.com"),
         ("aspmx.l.google.com", "_spf.google.com"),
         ("eu-smtp-inbound-1.mimecast.com", "spf.protection.outlook.com"),
         ("mx0a-001.pphosted.com", "_spf.google.com")]
TICK = 0.02  # the stall probe's sleep: often enough to see a 50 ms stall, seldom enough not to cause one


def zone(domains: list[str]) -> dict[str, object]:
    """Every domain's records: six questions each, one of them an SPF include."""
    from tests.dns_responder import mx, spf, txt  # noqa: PLC0415

    served: dict[str, object] = {
        include: spf("ip4:192.0.2.0/24", "-all") for _, include in HOSTS}
    for n, domain in enumerate(domains):
        host, include = HOSTS[n % len(HOSTS)]
        served[domain] = {**mx(host), **spf(f"include:{include}", "~all" if n % 3 else "-all"),
                          "A": ["192.0.2.1"]}
        served[f"_dmarc.{domain}"] = {"TXT": txt(f"v=DMARC1; p={('none', 'reject')[n % 2]}")}
        if n % 5 == 0:
            served[f"_mta-sts.{domain}"] = {"TXT": txt("v=STSv1; id=1")}
    return served


def serve(db: str, latency: float) -> None:
    """The responder process: serve the file's domains; print the port, wait for stdin EOF."""
    import orjson  # noqa: PLC0415

    from tests.dns_responder import DnsResponder  # noqa: PLC0415

    domains = [r["domain"] for r in orjson.loads(Path(db).read_bytes())["prospects"].values()]
    with DnsResponder(zone(domains), latency=latency) as server:
        print(server.port, flush=True)
        sys.stdin.read()


class StallProbe:
    """The event loop's longest lateness waking from a short sleep."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            late = time.perf_counter() - before - TICK
            if late > 0.02 and os.environ.get("STALLS"):
                print(f"stall {late * 1000:.0f} ms at {time.perf_counter():.3f}", file=sys.stderr)
            self.longest = max(self.longest, late)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()


async def verify_all(db: Path, port: int, concurrency: int) -> tuple[float, int, float, int]:
    """(seconds, writes, longest stall of this loop, could not check) of one Verify all."""
    from store.domain.dns import Nameserver  # noqa: PLC0415
    from store.rules.store import Store  # noqa: PLC0415
    from store.rules.verify_all import VerifyAll, due_for_check, warm_up  # noqa: PLC0415

    warm_up()  # as the app does after its first paint: imports and the suffix list
    store = Store(db)
    job = VerifyAll(due_for_check(store.prospect_rows()), store.record_checks,
                    nameserver=Nameserver("127.0.0.1", port), concurrency=concurrency)
    probe = StallProbe()
    probe.start()
    # As the list runs it: on its own loop in a worker thread; the probe is the UI's loop.
    progress = await asyncio.to_thread(asyncio.run, job.run())
    probe.stop()
    store.close()
    return progress.seconds(), progress.writes, probe.longest, progress.could_not_check


async def floor(domains: list[str], port: int, concurrency: int) -> float:
    """The same questions with nothing around them: seconds."""
    import dns.asyncresolver  # noqa: PLC0415
    import dns.nameserver  # noqa: PLC0415

    resolver = dns.asyncresolver.Resolver(configure=False)
    resolver.nameservers = [dns.nameserver.Do53Nameserver("127.0.0.1", port)]

    async def ask(name: str, rdtype: str) -> None:
        await resolver.resolve(name, rdtype, search=False, lifetime=3, raise_on_no_answer=False)

    async def one(n: int, domain: str) -> None:
        await asyncio.gather(ask(domain, "MX"), ask(domain, "TXT"),
                             ask(f"_dmarc.{domain}", "TXT"), ask(f"_mta-sts.{domain}", "TXT"),
                             ask(f"_smtp._tls.{domain}", "TXT"), return_exceptions=True)
        await ask(HOSTS[n % len(HOSTS)][1], "TXT")

    todo = iter(enumerate(domains))

    async def worker() -> None:
        for n, domain in todo:
            await one(n, domain)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


def measure(n: int, latency: float, repeat: int, concurrency: int) -> None:
    import orjson  # noqa: PLC0415

    from bench.generate import make_db  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir(mode=0o700)
        db = folder / "prospects.json"
        make_db(db, n, seed=n)
        pristine = db.read_bytes()
        domains = [r["domain"] for r in orjson.loads(pristine)["prospects"].values()]
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(db), str(latency)], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline())
            runs, floors = [], []
            for _ in range(repeat):
                db.write_bytes(pristine)
                runs.append(asyncio.run(verify_all(db, port, concurrency)))
                floors.append(asyncio.run(floor(domains, port, concurrency)))
        finally:
            server.communicate("")
    seconds = statistics.median(r[0] for r in runs)
    low = statistics.median(floors)
    print(f"{n:>7,} prospects, {latency * 1000:.0f} ms a query, {concurrency} in flight:")
    print(f"  verify all  {seconds:7.2f} s   floor {low:6.2f} s   ratio {seconds / low:5.2f}x")
    print(f"  writes      {max(r[1] for r in runs):7d}     longest stall "
          f"{max(r[2] for r in runs) * 1000:6.1f} ms   could not check "
          f"{max(r[3] for r in runs):,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="1000:0.1,10000:0.02",
                        help="N:LATENCY pairs, comma-separated (default 1000:0.1,10000:0.02)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--serve", nargs=2, metavar=("DB", "LATENCY"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve[0], float(args.serve[1]))
        return 0
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"MSP Prospects Verify-all benchmark; Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load {load}; medians of {args.repeat}")
    for pair in args.runs.split(","):
        n, latency = pair.split(":")
        measure(int(n), float(latency), args.repeat, args.concurrency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
