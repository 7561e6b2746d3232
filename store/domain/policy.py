"""DMARC (RFC 7489), MTA-STS and TLS-RPT records, read from TXT strings.

Tags that are not DMARC, or whose values are junk, are ignored: a record is
hostile input, and the one thing it must never do is crash Verify.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from store.models import DmarcCheck

_DMARC = re.compile(r"v\s*=\s*DMARC1\s*(;|$)", re.IGNORECASE)
_POLICIES = ("none", "quarantine", "reject")


def dmarc_records(txts: Sequence[str]) -> list[str]:
    return [t for t in txts if _DMARC.match(t.lstrip())]


def parse_dmarc(txts: Sequence[str]) -> tuple[DmarcCheck, str | None]:
    """The DMARC record among a name's TXT strings, and what makes it useless, if anything."""
    records = dmarc_records(txts)
    if not records:
        return DmarcCheck(), None
    record = records[0]
    if len(records) > 1:  # RFC 7489 6.6.3: then no policy applies
        return DmarcCheck(record=record), f"{len(records)} DMARC records: none applies"
    tags: dict[str, str] = {}
    for part in record.split(";")[1:]:
        key, _, value = part.partition("=")
        tags.setdefault(key.strip().lower(), value.strip())
    policy = tags.get("p", "").lower()
    sub = tags.get("sp", "").lower()
    pct = tags.get("pct", "")
    check = DmarcCheck(
        record=record,
        policy=policy if policy in _POLICIES else None,  # type: ignore[arg-type]
        sp=sub if sub in _POLICIES else None,  # type: ignore[arg-type]
        pct=int(pct) if pct.isascii() and pct.isdigit() and int(pct) <= 100 else None,
        rua=bool(tags.get("rua")),
    )
    return check, None if check.policy else "the DMARC record has no valid p= policy"


def has_record(txts: Sequence[str], version: str) -> bool:
    """Whether a TXT string starts with the version tag, e.g. "v=STSv1"."""
    return any(re.match(rf"v\s*=\s*{version}\s*(;|$)", t.lstrip(), re.IGNORECASE) for t in txts)
