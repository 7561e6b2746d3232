"""Verify a domain the way the portal means it: is it already here, and does it take mail?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from store.domain.dns import (
    Nameserver,
    check_dns,
    nameserver_from_env,
    parse_nameserver,
    verify_exit_code,
)
from store.domain.names import Domain, DomainError, normalise_domain
from store.models import DomainCheck
from store.text import quoted

if TYPE_CHECKING:
    from store.rules.store import Store

INVALID = 1


@dataclass(frozen=True)
class Verification:
    """What Verify found for one domain."""

    raw: str
    domain: Domain | None
    check: DomainCheck

    @property
    def domain_display(self) -> str:
        """The domain as a person reads it (Unicode), or what they typed if it is invalid."""
        return self.domain.unicode if self.domain else self.raw

    @property
    def exit_code(self) -> int:
        """0 fine, 1 a problem found (invalid, duplicate, does not exist, no mail), 3 could not check."""
        return INVALID if self.domain is None else verify_exit_code(self.check)

    def as_json(self) -> dict[str, Any]:
        """The `verify --json` object."""
        found = check_json(self.check)
        if self.domain is None:
            found["verdict"] = "invalid"  # not a domain name: nothing was asked
        return {
            "input": self.raw,
            "domain": self.domain.ascii if self.domain else None,
            "domain_unicode": self.domain.unicode if self.domain else None,
            **found,
        }


# The verdicts as the CLI contract names them (DESIGN.md, `verify --json`); stored checks
# keep the model's names, which files written before this contract already hold.
CONTRACT_VERDICTS = {"mail": "ok", "null_mx": "no_mail", "no_mx": "a_only",
                     "nxdomain": "nxdomain", "duplicate": "duplicate", "unknown": "could_not_check"}


def check_json(check: DomainCheck) -> dict[str, Any]:
    """A check as `verify --json` prints it: the model's fields, the contract's verdict."""
    found = check.model_dump(mode="json")
    found["verdict"] = CONTRACT_VERDICTS[check.verdict]
    return found


def resolve_nameserver(text: str | None) -> Nameserver | None:
    """--nameserver if given, else PROSPECTS_NAMESERVER, else None (the system resolver)."""
    return parse_nameserver(text) if text else nameserver_from_env()


def duplicate_check(store: Store, domain: Domain, exclude: int | None) -> DomainCheck | None:
    """A 'duplicate' result if another prospect or customer already has this domain."""
    other = store.prospect_with_domain(domain.ascii, exclude=exclude)
    if other is None:
        return None
    return DomainCheck(
        verdict="duplicate",
        message=f"already here: {other.status} {quoted(other.company_name)} has {domain.unicode}",
    )


async def verify_async(
    store: Store,
    raw: str,
    *,
    nameserver: str | Nameserver | None = None,
    lifetime: float = 3.0,
    exclude: int | None = None,
) -> Verification:
    """Normalise, look for a duplicate here, then ask DNS; bounded by `lifetime`."""
    try:
        domain = normalise_domain(raw)
    except DomainError as error:
        return Verification(raw, None, DomainCheck(verdict="unknown", message=str(error)))
    duplicate = duplicate_check(store, domain, exclude)
    if duplicate is not None:
        return Verification(raw, domain, duplicate)
    server = nameserver if isinstance(nameserver, Nameserver) else resolve_nameserver(nameserver)
    check = await check_dns(domain, nameserver=server, lifetime=lifetime)
    return Verification(raw, domain, check)


def verify(
    store: Store, raw: str, *, nameserver: str | Nameserver | None = None, lifetime: float = 3.0
) -> Verification:
    """verify_async for the CLI."""
    import asyncio  # noqa: PLC0415

    return asyncio.run(verify_async(store, raw, nameserver=nameserver, lifetime=lifetime))
