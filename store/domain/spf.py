"""SPF (RFC 7208) as Verify reads it: the record, its `all`, the vendors it names, its lookups.

Records are hostile input: a 10,000-character record, an include loop, 50 includes or
a syntax error each end in a short error, never a crash; lookups stop at the limit,
so a record can never make Verify ask more than a few dozen questions.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from store.domain.mailmap import MailMap
from store.models import SpfAll, SpfCheck
from store.text import quoted

MAX_LOOKUPS = 10  # RFC 7208 4.6.4: more is a permanent error
_LOOKUP_TERMS = {"include", "a", "mx", "ptr", "exists"}  # and the redirect modifier
_TERMS = _LOOKUP_TERMS | {"all", "ip4", "ip6"}
_NEEDS_VALUE = {"include", "exists", "ip4", "ip6"}
_TERM = re.compile(r"([+\-~?]?)([a-z0-9]+)(?:([:/])(.*))?", re.IGNORECASE | re.DOTALL)
_MODIFIER = re.compile(r"([a-z][a-z0-9_.\-]*)=(.*)", re.IGNORECASE | re.DOTALL)
_QUALIFIERS: dict[str, SpfAll] = {"+": "+all", "": "+all", "-": "-all", "~": "~all", "?": "?all"}

TxtLookup = Callable[[str], Awaitable[list[str]]]
"""Ask DNS for a name's TXT strings ([] when there are none); raises ValueError for a
name that is not a domain name, anything else when it cannot tell."""


class SpfError(Exception):
    """Makes the record invalid (a permanent error); str() says why."""


class SpfUnchecked(Exception):
    """A lookup the record needs got no answer: it cannot be judged now."""


def spf_records(txts: list[str]) -> list[str]:
    """The TXT strings that are SPF records ("v=spf1" then a space or nothing)."""
    return [t for t in txts if t[:6].lower() == "v=spf1" and (len(t) == 6 or t[6] == " ")]


@dataclass
class Parsed:
    """One record's terms: what the caller needs of it."""

    all: SpfAll | None = None
    includes: list[str] = field(default_factory=list)
    redirect: str | None = None
    lookups: int = 0


def parse_spf(record: str) -> Parsed:
    """The record's terms; SpfError names the first term that is not SPF."""
    parsed = Parsed()
    for token in record.split()[1:]:
        modifier = _MODIFIER.fullmatch(token)
        if modifier is not None and ":" not in modifier.group(1):
            name, value = modifier.group(1).lower(), modifier.group(2)
            if name == "redirect":
                if not value:
                    raise SpfError("redirect= needs a domain")
                parsed.redirect = value.lower().rstrip(".")
            continue  # exp= and unknown modifiers are ignored, as the RFC says
        term = _TERM.fullmatch(token)
        name = term.group(2).lower() if term else ""
        if term is None or name not in _TERMS:
            raise SpfError(f"syntax error at {quoted(token, 40)}")
        value = term.group(4) or ""
        if (name in _NEEDS_VALUE and not value) or (name == "all" and term.group(3)):
            raise SpfError(f"syntax error at {quoted(token, 40)}")
        if name == "all" and parsed.all is None:
            parsed.all = _QUALIFIERS[term.group(1)]
        elif name == "include":
            parsed.includes.append(value.lower().rstrip("."))
        parsed.lookups += name in _LOOKUP_TERMS
    if parsed.all is not None:
        parsed.redirect = None  # RFC 7208 6.1: redirect is ignored when there is an all
    parsed.lookups += parsed.redirect is not None
    return parsed


class _Walk:
    """Follow includes and redirects level by level, each level's lookups at once."""

    def __init__(self, txt: TxtLookup) -> None:
        self.txt = txt
        self.lookups = 0

    def count(self, n: int) -> None:
        self.lookups += n
        if self.lookups > MAX_LOOKUPS:
            raise SpfError(f"needs more than {MAX_LOOKUPS} DNS lookups (at least "
                           f"{self.lookups}); receivers treat it as invalid")

    async def record_of(self, name: str, how: str) -> str:
        try:
            records = spf_records(await self.txt(name))
        except ValueError:  # the lookup's way to say the name cannot be asked at all
            raise SpfError(f"{how}{quoted(name)} is not a domain name") from None
        except Exception as error:
            raise SpfUnchecked(f"no answer for {how}{quoted(name)}") from error
        if not records:
            raise SpfError(f"{how}{quoted(name)} has no SPF record")
        if len(records) > 1:
            raise SpfError(f"{how}{quoted(name)} has {len(records)} SPF records")
        return records[0]

    async def follow(self, parsed: Parsed, chain: tuple[str, ...]) -> SpfAll | None:
        """Check what parsed names, below chain; the `all` a redirect leads to, if any."""
        self.count(parsed.lookups)
        targets = [(t, "include:") for t in parsed.includes if "%" not in t]
        if parsed.redirect is not None and "%" not in parsed.redirect:
            targets.append((parsed.redirect, "redirect="))
        for target, _ in targets:
            if target in chain:
                loop = " -> ".join(quoted(n, 40) for n in (*chain[chain.index(target):], target))
                raise SpfError(f"include loop: {loop}")
        results = await asyncio.gather(
            *(self._below(target, how, chain) for target, how in targets), return_exceptions=True
        )
        for result in results:  # the first error in record order decides
            if isinstance(result, BaseException):
                raise result
        if parsed.redirect is not None and results:
            return results[-1]  # type: ignore[return-value]
        return None

    async def _below(self, name: str, how: str, chain: tuple[str, ...]) -> SpfAll | None:
        parsed = parse_spf(await self.record_of(name, how))
        redirected = await self.follow(parsed, (*chain, name))
        return parsed.all or redirected


async def check_spf(domain: str, txts: list[str], txt: TxtLookup,
                    mailmap: MailMap) -> tuple[SpfCheck, bool]:
    """The domain's SPF from its TXT strings, following includes with `txt`.

    Returns the result and whether it is complete (False: a lookup got no answer).
    """
    records = spf_records(txts)
    if not records:
        return SpfCheck(), True
    record = records[0]
    if len(records) > 1:
        return SpfCheck(record=record, error=f"{len(records)} SPF records; there must be one"), True
    try:
        parsed = parse_spf(record)
    except SpfError as error:
        return SpfCheck(record=record, error=str(error)), True
    named = [*parsed.includes, *([parsed.redirect] if parsed.redirect else [])]
    vendors = list(dict.fromkeys(v for v in map(mailmap.vendor, named) if v))
    walk = _Walk(txt)
    result = SpfCheck(record=record, all=parsed.all, vendors=vendors)
    complete = True
    try:
        redirected = await walk.follow(parsed, (domain,))
        result.all = parsed.all or redirected
    except SpfError as error:
        result.error = str(error)
    except SpfUnchecked as error:
        result.error, complete = f"could not check: {error}", False
    result.lookups = walk.lookups
    return result, complete
