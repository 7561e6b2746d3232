"""A prospect's domain: normalise what people paste.

Pure and fast: IDNA 2008 / UTS 46 via ``idna``, the Public Suffix List bundled
with ``publicsuffixlist``; nothing is downloaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import idna

from store.text import clean_for_display

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.\-]*:)?//|^mailto:", re.IGNORECASE)
_ANGLED = re.compile(r"<([^<>]*)>")
_CODEPOINT = re.compile(r"Codepoint (U\+[0-9A-F]+)")
# Lower-case letters, digits and inner hyphens, labels of 1-63, two or more, the last
# starting with a letter: a name IDNA returns as it is (with no "--", so no punycode).
_PLAIN = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")
# _PLAIN one a line, for names of at most 63 characters (so every label fits) and no "--":
# possessive, so that it never backtracks over a long column.
_LINE = r"(?:[a-z0-9]++(?:-[a-z0-9]++)*+\.)++[a-z][a-z0-9]*+(?:-[a-z0-9]++)*+"
_PLAIN_LINES = re.compile(f"{_LINE}(?:\n{_LINE})*+")


class DomainError(ValueError):
    """A domain name that cannot be used; str(error) is a message for a person."""


class Domain(NamedTuple):  # a tuple: made 100k times an import, 40% faster than a dataclass
    """A normalised domain: ``ascii`` is stored and unique, ``unicode`` is shown."""

    ascii: str
    unicode: str


class _Suffixes(NamedTuple):
    psl: PublicSuffixList
    named: frozenset[str]  # every name a rule names: 'kobe.jp' for '*.kobe.jp', 'www.ck' for '!www.ck'
    wild: frozenset[str]  # the bases of wildcard rules: 'kobe.jp' for '*.kobe.jp'


@lru_cache(maxsize=1)
def _suffixes() -> _Suffixes:
    """The Public Suffix List bundled with publicsuffixlist (never a download), and an index
    of the names its rules mention, read from the same lines."""
    from importlib.resources import files

    from publicsuffixlist import PublicSuffixList

    lines = (files("publicsuffixlist") / "public_suffix_list.dat").read_text("utf-8").splitlines()
    psl = PublicSuffixList(lines, only_icann=True, accept_unknown=False)
    # Every section, not only ICANN's: a superset is safe, see _plain_is_public.
    rules = {line.split()[0].lower() for line in lines if line.strip() and not line.startswith("//")}
    return _Suffixes(psl, frozenset(rule.lstrip("!").removeprefix("*.") for rule in rules),
                     frozenset(rule[2:] for rule in rules if rule.startswith("*.")))


def _is_public(name: str) -> bool:
    return _suffixes().psl.is_public(name)


def _plain_is_public(name: str) -> bool:
    """_is_public for a plain ASCII name, asking the list only when a rule could say yes.

    By the list's algorithm x.example is public only when a rule names x.example itself
    or is '*.example', so most names need no lookup (which would cost as much as the
    rest of a row's checks).
    """
    suffixes = _suffixes()
    if name in suffixes.named or name.partition(".")[2] in suffixes.wild:
        return suffixes.psl.is_public(name)
    return False


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
    name = raw.strip()
    if name.isascii():
        name = name.lower()
        if len(name) <= 253 and "--" not in name and _PLAIN.fullmatch(name):
            # IDNA would hand it back unchanged (tested): skip it, 40x faster.
            if not name.startswith("www.") and not _plain_is_public(name):
                return Domain(name, name)  # the usual case, in short
            return _company_domain(name, name, raw, _plain_is_public)
    return _company_domain(*_idna_names(raw), raw, _is_public)


def plain_domains(raws: Sequence[str]) -> list[str] | None:
    """normalise_domain(raw).ascii of every raw, worked out together (an import's column),
    when each is a plain ASCII name with no 'www.' that no suffix rule names; else None,
    and normalise_domain must judge them one by one."""
    joined = "\n".join(map(str.strip, raws))
    if not joined.isascii():
        return None
    joined = joined.lower()
    if "--" in joined or "www." in joined or _PLAIN_LINES.fullmatch(joined) is None:
        return None
    names = joined.split("\n")
    if len(names) != len(raws) or max(map(len, names), default=0) > 63:
        return None
    suffixes = _suffixes()
    if not (suffixes.named.isdisjoint(names)
            and suffixes.wild.isdisjoint([name.partition(".")[2] for name in names])):
        return None
    return names


def _invalid(raw: str, reason: str) -> DomainError:
    shown = clean_for_display(raw.strip(), 60)
    return DomainError(f"{shown!r} is not a valid domain name: {reason}")


def _idna_names(raw: str) -> tuple[str, str]:
    """The ASCII and Unicode forms of the name in raw, by IDNA 2008 / UTS 46."""
    def bad(reason: str) -> DomainError:
        return _invalid(raw, reason)

    if not raw.strip():
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
    return ascii_name, unicode_name


def _company_domain(ascii_name: str, unicode_name: str, raw: str,
                    is_public: Callable[[str], bool]) -> Domain:
    """The domain without a leading 'www.'; DomainError for a public suffix or a single label."""
    rest = ascii_name.removeprefix("www.")
    if rest != ascii_name and "." in rest and not is_public(rest):
        ascii_name, unicode_name = rest, unicode_name.removeprefix("www.")
    if is_public(ascii_name):
        raise DomainError(
            f"{unicode_name!r} is a public suffix, not a company's domain: "
            f"enter e.g. example.{unicode_name}"
        )
    if "." not in ascii_name:
        raise _invalid(raw, "it needs a dot, e.g. example.com")
    return Domain(ascii=ascii_name, unicode=unicode_name)
