"""Short sentences a salesperson acts on, from what Verify found."""

from __future__ import annotations

from store.models import DomainCheck

NO_DMARC = "no DMARC"  # only when DNS said so: the list tells "missing" from "not known" by it
_ALL = {"+all": "SPF allows anyone (+all)", "?all": "SPF ?all: neutral, protects nothing"}


def signals_of(check: DomainCheck, *, spf_checked: bool, dmarc_checked: bool,
               dmarc_problem: str | None) -> list[str]:
    """The signals for a check; a part that could not be checked says nothing."""
    if check.verdict not in ("mail", "no_mx", "null_mx"):
        return []
    found: list[str] = []
    if check.gateway:
        found.append(f"already a {check.gateway} customer")
    elif check.mail_provider:
        found.append(f"{check.mail_provider} with no gateway")
    spf, dmarc = check.spf, check.dmarc
    if spf_checked:
        if spf.record is None:
            found.append("no SPF")
        elif spf.error:
            found.append(f"SPF invalid: {spf.error}")
        elif spf.all in _ALL:
            found.append(_ALL[spf.all])
    if dmarc_checked:
        if dmarc.record is None:
            found.append(NO_DMARC)
        elif dmarc_problem:
            found.append(f"{dmarc_problem}: spoofable")
        elif dmarc.policy == "none":
            found.append("DMARC p=none: spoofable")
        elif dmarc.pct is not None and dmarc.pct < 100:
            found.append(f"DMARC p={dmarc.policy} on only {dmarc.pct}% of mail")
        if dmarc.record is not None and not dmarc.rua:
            found.append("DMARC asks for no reports")
    if check.verdict == "mail" and check.mta_sts is False:
        found.append("no MTA-STS: TLS not enforced")
    return found
