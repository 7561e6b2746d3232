"""A check in a few words, the same in the list's columns, the form and the CLI.

Over plain values, so the list can call them on stored records without building models.
"""

from __future__ import annotations

from store.domain.mailmap import OTHER
from store.domain.signals import NO_DMARC
from store.models import DomainCheck


def mail_text(provider: object, gateway: object, mail_host: object = None) -> str:
    """'Microsoft 365 + Mimecast', 'Google Workspace', 'Mimecast', 'other' or ''."""
    named = [str(v) for v in (provider, gateway) if isinstance(v, str) and v]
    if named:
        return " + ".join(named)
    return OTHER if mail_host == OTHER else ""


def dmarc_text(record: object, policy: object, signals: object) -> str:
    """'p=reject', 'p=none', 'invalid', 'missing', or '' when DNS gave no answer about it."""
    if isinstance(policy, str) and policy:
        return f"p={policy}"
    if record:
        return "invalid"
    return "missing" if isinstance(signals, list) and NO_DMARC in signals else ""


def summary_line(check: DomainCheck) -> str:
    """'Mail: Microsoft 365 + Mimecast; DMARC p=none; SPF ~all', or '' when nothing is known."""
    parts = []
    mail = mail_text(check.mail_provider, check.gateway, check.mail_host)
    if mail:
        parts.append(f"Mail: {mail}")
    dmarc = dmarc_text(check.dmarc.record, check.dmarc.policy, check.signals)
    if dmarc:
        parts.append(f"DMARC {dmarc}")
    if check.spf.error:
        parts.append("SPF invalid")
    elif check.spf.all:
        parts.append(f"SPF {check.spf.all}")
    return "; ".join(parts)
