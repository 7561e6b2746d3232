"""A prospect's domain: normalise what people paste.

Pure and fast: IDNA 2008 / UTS 46 via ``idna``, the Public Suffix List bundled
with ``publicsuffixlist``; nothing is downloaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import idna

from store.text import clean_for_display

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.\-]*:)?//|^mailto:", re.IGNORECASE)
_ANGLED = re.compile(r"<([^<>]*)>")
_CODEPOINT = re.compile(r"Codepoint (U\+[0-9A-F]+)")


class DomainError(ValueError):
    """A domain name that cannot be used; str(error) is a message for a person."""


@dataclass(frozen=True)
class Domain:
    """A normalised domain: ``ascii`` is stored and unique, ``unicode`` is shown."""

    ascii: str
    unicode: str


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(
        only_icann=True, accept_unknown=False
    )  # the bundled list, never a download


def _host_of(text: str) -> str:
    """Cut a pasted URL or e-mail address down to its host name."""
    angled = _ANGLED.search(text)  # "Bob Smith <bob@example.com>"
    if angled:
        text = angled.group(1).strip()
    text = _SCHEME.sub("", text)
    text = re.split(r"[/?#\\]", text, maxsplit=1)[0]
    text = text.rpartition("@")[2]  # userinfo, or an e-mail address's local part
    if not text.startswith("["):
        host, colon, port = text.rpartition(":")
        if colon and host and (port.isdigit() or not port):
            text = host
    return text


def _ascii_len(label: str) -> int:
    return len(label) if label.isascii() else 4 + len(label.encode("punycode"))


def _idna_problem(error: Exception) -> str:
    found = _CODEPOINT.search(str(error))
    if found:
        c = chr(int(found.group(1)[2:], 16))
        return f"{c!r} ({found.group(1)}) is not allowed in a domain name"
    return f"it is not a valid international domain name ({error})"


def normalise_domain(raw: str) -> Domain:
    """Return the normalised form of a typed or pasted domain, URL or e-mail address.

    Raises DomainError, whose message names the problem, when it is not a usable
    company domain (empty, bad characters, too long, a single label, an IP address
    or a bare public suffix such as ``co.uk``).
    """
    shown = clean_for_display(raw.strip(), 60)

    def bad(reason: str) -> DomainError:
        return DomainError(f"{shown!r} is not a valid domain name: {reason}")

    if not shown:
        raise DomainError("enter a domain name, e.g. example.com")
    host = _host_of(raw.strip())
    if not host:
        raise bad("there is no domain name in it")
    if any(c.isspace() for c in host):
        raise bad("spaces are not allowed")
    if host.startswith("["):
        raise bad("that is an IP address; enter the company's domain, e.g. example.com")
    try:
        name = idna.uts46_remap(host.lower(), std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError) as e:
        raise bad(_idna_problem(e)) from None
    for c in name:
        if c.isascii() and not (c.isalnum() or c in "-."):
            raise bad(f"{c!r} is not allowed: use only letters, digits, hyphens and dots")
    name = name.removesuffix(".")
    labels = name.split(".")
    if all(label.isdigit() for label in labels):
        raise bad("that is an IP address; enter the company's domain, e.g. example.com")
    if labels[-1].isdigit():
        raise bad(f"the last label {labels[-1]!r} cannot be all digits")
    for label in labels:
        if not label:
            raise bad("it has an empty label (a dot at the start or two dots in a row)")
        if label.startswith("-") or label.endswith("-"):
            raise bad(f"the label {label!r} must not start or end with a hyphen")
        if (n := _ascii_len(label)) > 63:
            raise bad(f"the label {label[:12]}… is {n} characters long (the limit is 63)")
    if (total := sum(map(_ascii_len, labels)) + len(labels) - 1) > 253:
        raise bad(f"it is {total} characters long (the limit is 253)")
    try:
        ascii_name = idna.encode(name, uts46=True, std3_rules=True).decode("ascii")
        unicode_name = idna.decode(ascii_name)
    except (idna.IDNAError, UnicodeError) as e:
        raise bad(_idna_problem(e)) from None
    psl = _psl()
    rest = ascii_name.removeprefix("www.")
    if rest != ascii_name and "." in rest and not psl.is_public(rest):
        ascii_name, unicode_name = rest, unicode_name.removeprefix("www.")
    if psl.is_public(ascii_name):
        raise DomainError(
            f"{unicode_name!r} is a public suffix, not a company's domain: "
            f"enter e.g. example.{unicode_name}"
        )
    if "." not in ascii_name:
        raise bad("it needs a dot, e.g. example.com")
    return Domain(ascii=ascii_name, unicode=unicode_name)
