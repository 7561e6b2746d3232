"""Check a domain in DNS: does it exist and receive mail, and who hosts it.

dnspython's async resolver is imported only when a check runs, and a check is
bounded in time: it always returns a ``DomainCheck``, never raises for DNS trouble.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import time
from dataclasses import dataclass
from typing import Any

from store.domain.names import Domain
from store.models import DomainCheck

ENV_NAMESERVER = "PROSPECTS_NAMESERVER"

# Who hosts the mail: provider -> MX target suffixes.
_MAIL_HOSTS = {
    "Microsoft 365": "mail.protection.outlook.com mx.microsoft",
    "Google Workspace": "google.com googlemail.com",
    "Mimecast": "mimecast.com mimecast.co.za mimecast-offshore.com",
    "Proofpoint": "pphosted.com ppe-hosted.com",
    "Barracuda": "barracudanetworks.com",
    "Cisco": "iphmx.com",
    "Sophos": "sophos.com",
    "Trend Micro": "trendmicro.com trendmicro.eu",
    "Broadcom (Symantec)": "messagelabs.com",
    "Forcepoint": "mailcontrol.com",
    "Hornetsecurity": "hornetsecurity.com",
    "Zoho Mail": "zoho.com zoho.eu",
    "Fastmail": "messagingengine.com",
    "Amazon SES": "amazonaws.com",
}


def mail_host_of(mx_hosts: list[str]) -> str | None:
    """Return who hosts the mail ("Microsoft 365", "Mimecast", ..., or "other").

    ``mx_hosts`` are MX targets, most preferred first; the first one that belongs
    to a known provider decides. None when there are no targets.
    """
    for host in mx_hosts:
        host = host.lower().rstrip(".")
        for provider, suffixes in _MAIL_HOSTS.items():
            if any(host == s or host.endswith("." + s) for s in suffixes.split()):
                return provider
    return "other" if mx_hosts else None


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
    for _ns, _tcp, _port, err, answer in error.kwargs.get("errors") or []:
        if answer is not None:
            import dns.rcode

            return f"the nameserver answered {dns.rcode.to_text(answer.rcode())}"
        if isinstance(err, ConnectionRefusedError):
            return "the nameserver refused the connection (nothing listening)"
        if err is not None:
            return f"no usable answer from the nameserver ({err})"
    return "no usable answer from the nameserver"


async def check_dns(
    domain: Domain, *, nameserver: Nameserver | None = None, lifetime: float = 3.0
) -> DomainCheck:
    """Check whether the domain exists in DNS and receives mail, within ``lifetime`` seconds.

    Asks ``nameserver`` when given, else the system resolver. Never raises for DNS
    trouble: a timeout, server failure or missing resolver gives verdict "unknown".
    """
    import dns.asyncresolver
    import dns.exception
    import dns.name
    import dns.nameserver
    import dns.resolver

    try:
        if nameserver is None:
            resolver = dns.asyncresolver.Resolver()
        else:
            resolver = dns.asyncresolver.Resolver(configure=False)
            resolver.nameservers = [dns.nameserver.Do53Nameserver(nameserver.host, nameserver.port)]
    except dns.resolver.NoResolverConfiguration:
        return _unknown(f"no nameserver is configured on this machine (set {ENV_NAMESERVER})")
    resolver.timeout = lifetime
    deadline = time.monotonic() + lifetime

    async def ask(rdtype: str) -> Any:
        """The answer's records, or [] for NoAnswer (the name exists, no such records)."""
        left = max(deadline - time.monotonic(), 0.001)
        try:
            return await resolver.resolve(qname, rdtype, search=False, lifetime=left)
        except dns.resolver.NoAnswer:
            return []

    try:
        async with asyncio.timeout(lifetime):
            qname = dns.name.from_text(domain.ascii)
            mx = sorted(await ask("MX"), key=lambda r: (r.preference, str(r.exchange)))
            targets = [
                r.exchange.to_text(omit_final_dot=True) for r in mx if r.exchange.labels != (b"",)
            ]
            if mx and not targets:
                return DomainCheck(verdict="null_mx", message="accepts no mail (null MX)")
            if targets:
                host = mail_host_of(targets)
                more = f" and {len(targets) - 1} more" if len(targets) > 1 else ""
                where = targets[0] if host == "other" else f"{host}: {targets[0]}"
                return DomainCheck(
                    verdict="mail", message=f"receives mail ({where}{more})", mail_host=host
                )
            found = await asyncio.gather(ask("A"), ask("AAAA"), return_exceptions=True)
            if not any(r and not isinstance(r, BaseException) for r in found):
                for r in found:
                    if isinstance(r, BaseException):
                        raise r
    except dns.resolver.NXDOMAIN:
        message = "does not exist in DNS"
        if nameserver is None:
            message += (
                " (answer from the system resolver; if this machine has no internet,"
                f" set {ENV_NAMESERVER})"
            )
        return DomainCheck(verdict="nxdomain", message=message)
    except (TimeoutError, dns.exception.Timeout):
        return _unknown(f"no answer within {lifetime:g} s")
    except dns.resolver.NoNameservers as e:
        return _unknown(_why_no_nameservers(e))
    except Exception as e:  # never raise: Verify must always give a verdict
        return _unknown(str(e) or type(e).__name__)
    if any(r and not isinstance(r, BaseException) for r in found):
        return DomainCheck(
            verdict="no_mx",
            message="no MX records, but it has an address: mail goes to the host itself",
        )
    return DomainCheck(verdict="nxdomain", message="has no mail or address records")


def check_dns_sync(
    domain: Domain, *, nameserver: Nameserver | None = None, lifetime: float = 3.0
) -> DomainCheck:
    """Run check_dns in a fresh event loop (for the CLI)."""
    return asyncio.run(check_dns(domain, nameserver=nameserver, lifetime=lifetime))


_EXIT_CODES = {"mail": 0, "no_mx": 0, "duplicate": 1, "nxdomain": 1, "null_mx": 1}


def verify_exit_code(check: DomainCheck) -> int:
    """The CLI's exit code: 0 fine, 1 a problem found, 3 could not check."""
    return _EXIT_CODES.get(check.verdict, 3)
