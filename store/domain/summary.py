"""A check in a few words, the same in the list's columns, the form and the CLI.

Over plain values, so the list can call them on stored records without building models.
"""

from __future__ import annotations

from store.domain.mailmap import OTHER
from store.models import DomainCheck


def mail_text(provider: object, gateway: object, mail_host: object = None) -> str:
    """'Microsoft 365 + Mimecast', 'Google Workspace', 'Mimecast', 'other' or ''."""
    named = [str(v) for v in (provider, gateway) if isinstance(v, str) and v]
    if named:
        return " + ".join(named)
    return OTHER if mail_host == OTHER else ""


def dmarc_text(verdict: object, record: object, policy: object) -> str:
    """'p=reject', 'p=none', 'invalid', 'missing', or '' when DNS gave no answer about it."""
    if verdict not in ("mail", "no_mx", "null_mx"):
        return ""
    if isinstance(policy, str) and policy:
        return f"p={policy}"
    return "invalid" if record else "missing"


def summary_line(check: DomainCheck) -> str:
    """'Mail: Microsoft 365 + Mimecast; DMARC p=none; SPF ~all', or '' when nothing is known."""
    parts = []
    mail = mail_text(check.mail_provider, check.gateway, check.mail_host)
    if mail:
        parts.append(f"Mail: {mail}")
    dmarc = dmarc_text(check.verdict, check.dmarc.record, check.dmarc.policy)
    if dmarc:
        parts.append(f"DMARC {dmarc}")
    if check.spf.error:
        parts.append("SPF invalid")
    elif check.spf.all:
        parts.append(f"SPF {check.spf.all}")
    return "; ".join(parts)
