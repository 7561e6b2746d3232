"""Check a domain in DNS: does it receive mail, who hosts it, how it is protected.

dnspython's async resolver is imported only when a check runs, and a check is
bounded in time: it always returns a ``DomainCheck``, never raises for DNS trouble.

Why not checkdmarc, which parses SPF and DMARC well: it asks DNS with dnspython's
blocking resolver, one question after another, with a timeout per question and
retries but no bound on the whole check and no way to cancel it. Verify all needs
hundreds of questions in flight on one event loop, and a form that can drop a check
the moment the domain is edited; threads around a blocking library give neither.
It also imports an HTTP client and has code that fetches MTA-STS policies over
HTTPS and connects to port 25; we want DNS only. So the few RFC rules we need
(SPF terms, lookup counting, DMARC tags) are here, in spf.py and policy.py.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import time
from dataclasses import dataclass
from typing import Any

from store.domain.mailmap import OTHER, MailMap, load_mailmap
from store.domain.names import Domain
from store.domain.policy import has_record, parse_dmarc
from store.domain.signals import signals_of
from store.domain.spf import check_spf
from store.models import DmarcCheck, DomainCheck, SpfCheck

ENV_NAMESERVER = "PROSPECTS_NAMESERVER"


@dataclass(frozen=True)
class Nameserver:
    """A DNS server to ask instead of the system resolver."""

    host: str
    port: int = 53

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_nameserver(text: str) -> Nameserver:
    """Parse "127.0.0.1:5353", "[::1]:53", "::1" or "10.0.0.1"; ValueError if malformed."""
    text = text.strip()
    host, port = text, "53"
    if text.startswith("["):
        host, _, port = text[1:].partition("]")
        port = port.removeprefix(":") or "53"
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    problem = f"{text!r} is not a nameserver: use an IP address and port, e.g. 127.0.0.1:53"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(problem) from None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(problem)
    return Nameserver(str(address), int(port))


def nameserver_from_env() -> Nameserver | None:
    """The nameserver set in PROSPECTS_NAMESERVER, or None; ValueError if malformed."""
    value = os.environ.get(ENV_NAMESERVER, "").strip()
    if not value:
        return None
    try:
        return parse_nameserver(value)
    except ValueError as e:
        raise ValueError(f"{ENV_NAMESERVER}: {e}") from None


def _unknown(why: str) -> DomainCheck:
    return DomainCheck(verdict="unknown", message=f"could not check: {why}")


def _why_no_nameservers(error: Any) -> str:
    """Say why every nameserver failed, from dnspython's NoNameservers."""
    import dns.message
    import dns.rcode

    for _ns, _tcp, _port, err, answer in error.kwargs.get("errors") or []:
        if isinstance(err, dns.message.ChainTooLong):
            return "the name is an alias (CNAME) chain that loops or is too long"
        if answer is not None:
            return f"the nameserver answered {dns.rcode.to_text(answer.rcode())}"
        if isinstance(err, ConnectionRefusedError):
            return "the nameserver refused the connection (nothing listening)"
        if err is not None:
            return f"no usable answer from the nameserver ({err})"
    return "no usable answer from the nameserver"


def make_resolver(nameserver: Nameserver | None, lifetime: float) -> Any:
    """dnspython's async resolver asking `nameserver` (else the system's), trying each
    question up to three times within `lifetime`; NoResolverConfiguration when the
    system has none."""
    import dns.asyncresolver
    import dns.nameserver

    if nameserver is None:
        resolver = dns.asyncresolver.Resolver()
    else:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(nameserver.host, nameserver.port)]
    # A lost UDP answer is asked again (dnspython retries on a timeout) within the lifetime.
    resolver.timeout = lifetime / 3
    return resolver


class _Ask:
    """Questions to one resolver, each bounded by a shared deadline."""

    def __init__(self, resolver: Any, deadline: float) -> None:
        self.resolver, self.deadline = resolver, deadline

    async def __call__(self, name: str, rdtype: str) -> list[Any]:
        """The records, [] when the name has none of that type; raises NXDOMAIN,
        TimeoutError..."""
        import dns.name
        import dns.resolver

        try:
            qname = dns.name.from_text(name)
        except Exception as error:  # a hostile include: too long, empty labels, bad IDNA
            raise ValueError(f"not a domain name ({error})") from None
        left = max(self.deadline - time.monotonic(), 0.001)
        try:
            # dnspython's own lifetime overshoots by ~0.1 s; this bound is exact.
            async with asyncio.timeout(left):
                answer = await self.resolver.resolve(qname, rdtype, search=False, lifetime=left + 1)
        except dns.resolver.NoAnswer:
            return []
        return list(answer)

    async def txt(self, name: str) -> list[str]:
        """The name's TXT records, each one's strings joined (RFC 7208 3.3); [] if none."""
        import dns.resolver

        try:
            records = await self(name, "TXT")
        except dns.resolver.NXDOMAIN:
            return []
        return [b"".join(r.strings).decode("utf-8", "replace") for r in records]


async def _spf(name: str, ask: _Ask, mailmap: MailMap) -> tuple[SpfCheck, bool]:
    return await check_spf(name, await ask.txt(name), ask.txt, mailmap)


async def check_dns(
    domain: Domain, *, nameserver: Nameserver | None = None, lifetime: float = 3.0,
    resolver: Any = None, mailmap: MailMap | None = None,
) -> DomainCheck:
    """Check the domain's mail in DNS within ``lifetime`` seconds: MX, SPF, DMARC,
    MTA-STS and TLS-RPT, all asked at once (then SPF includes, or A and AAAA when
    there is no MX).

    Asks ``resolver`` (from make_resolver, shared by a batch) or else ``nameserver``,
    else the system resolver. Never raises for DNS trouble: a timeout, server failure
    or missing resolver gives verdict "unknown"; a part that got no answer is null.
    """
    import dns.resolver

    system = nameserver is None and resolver is None
    if resolver is None:
        try:
            resolver = make_resolver(nameserver, lifetime)
        except dns.resolver.NoResolverConfiguration:
            return _unknown(f"no nameserver is configured on this machine (set {ENV_NAMESERVER})")
    mailmap = mailmap or load_mailmap()
    # Each question gives up a little before the whole check does, so that the parts
    # that answered are kept when one part is silent.
    ask = _Ask(resolver, time.monotonic() + lifetime * 0.9)
    name = domain.ascii
    try:
        async with asyncio.timeout(lifetime):
            mx, spf, dmarc, sts, tls_rpt = await asyncio.gather(
                ask(name, "MX"), _spf(name, ask, mailmap), ask.txt(f"_dmarc.{name}"),
                ask.txt(f"_mta-sts.{name}"), ask.txt(f"_smtp._tls.{name}"),
                return_exceptions=True,
            )
            a = aaaa = None  # asked only when there is no MX: does mail go to the host?
            if isinstance(mx, list) and not mx:
                a, aaaa = await asyncio.gather(ask(name, "A"), ask(name, "AAAA"),
                                               return_exceptions=True)
    except TimeoutError:
        return _unknown(f"no answer within {lifetime:g} s")
    spf_check, spf_checked = (SpfCheck(), False) if isinstance(spf, BaseException) else spf
    dmarc_checked = not isinstance(dmarc, BaseException)
    dmarc_check, dmarc_problem = (
        (DmarcCheck(), None) if isinstance(dmarc, BaseException) else parse_dmarc(dmarc))
    check = _mail(mx, a, aaaa, system, lifetime)
    targets = check.pop("targets")
    result = DomainCheck(
        **check,
        mail_provider=mailmap.provider(targets, spf_check.vendors),
        gateway=mailmap.gateway(targets),
        spf=spf_check,
        dmarc=dmarc_check,
        mta_sts=None if isinstance(sts, BaseException) else has_record(sts, "STSv1"),
        tls_rpt=None if isinstance(tls_rpt, BaseException) else has_record(tls_rpt, "TLSRPTv1"),
    )
    if targets:
        result.mail_host = mailmap.mail_host(targets)
        where = targets[0] if result.mail_host == OTHER else f"{result.mail_host}: {targets[0]}"
        more = f" and {len(targets) - 1} more" if len(targets) > 1 else ""
        result.message = f"receives mail ({where}{more})"
    result.signals = signals_of(result, spf_checked=spf_checked, dmarc_checked=dmarc_checked,
                                dmarc_problem=dmarc_problem)
    return result


def _mail(mx: Any, a: Any, aaaa: Any, system: bool, lifetime: float) -> dict[str, Any]:
    """The verdict and message from the MX, A and AAAA answers (or their exceptions)."""
    import dns.exception
    import dns.resolver

    def verdict(verdict: str, message: str, targets: list[str] | None = None) -> dict[str, Any]:
        return {"verdict": verdict, "message": message, "targets": targets or []}

    if not isinstance(mx, BaseException):
        records = sorted(mx, key=lambda r: (r.preference, str(r.exchange)))
        targets = [r.exchange.to_text(omit_final_dot=True) for r in records
                   if r.exchange.labels != (b"",)]
        if records and not targets:
            return verdict("null_mx", "accepts no mail (null MX)")
        if targets:
            return verdict("mail", "receives mail", targets)
        if any(r and not isinstance(r, BaseException) for r in (a, aaaa)):
            return verdict("no_mx", "no MX records, but it has an address: mail goes to the "
                           "host itself")
        mx = next((r for r in (a, aaaa) if isinstance(r, BaseException)), None)
        if mx is None:
            return verdict("nxdomain", "has no mail or address records")
    if isinstance(mx, dns.resolver.NXDOMAIN):
        message = "does not exist in DNS"
        if system:
            message += (" (answer from the system resolver; if this machine has no internet,"
                        f" set {ENV_NAMESERVER})")
        return verdict("nxdomain", message)
    if isinstance(mx, (dns.exception.Timeout, TimeoutError)):
        why = f"no answer within {lifetime:g} s"
    elif isinstance(mx, dns.resolver.NoNameservers):
        why = _why_no_nameservers(mx)
    else:
        why = str(mx) or type(mx).__name__
    return verdict("unknown", f"could not check: {why}")


def check_dns_sync(
    domain: Domain, *, nameserver: Nameserver | None = None, lifetime: float = 3.0
) -> DomainCheck:
    """Run check_dns in a fresh event loop (for the CLI)."""
    return asyncio.run(check_dns(domain, nameserver=nameserver, lifetime=lifetime))


_EXIT_CODES = {"mail": 0, "no_mx": 0, "duplicate": 1, "nxdomain": 1, "null_mx": 1}


def verify_exit_code(check: DomainCheck) -> int:
    """The CLI's exit code: 0 fine, 1 a problem found, 3 could not check."""
    return _EXIT_CODES.get(check.verdict, 3)
