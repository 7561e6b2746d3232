"""Who runs a domain's mail: mailbox providers, security gateways and senders, as data.

The defaults ship beside the catalog (store/mailmap.toml); a TOML file of the same
shape replaces them (PROSPECTS_MAILMAP=PATH). Read once per path and kept.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from store.catalog import MAX_ENTRY, CatalogError, read_data_file
from store.text import unsafe_character

ENV_MAILMAP = "PROSPECTS_MAILMAP"
DEFAULT_MAILMAP = Path(__file__).parents[1] / "mailmap.toml"
KINDS = ("provider", "gateway", "sender")
OTHER = "other"  # mail_host when the MX names no one we know


@dataclass(frozen=True)
class Vendor:
    name: str
    mx: tuple[str, ...]
    spf: tuple[str, ...]


def _under(host: str, suffixes: Iterable[str]) -> bool:
    """Whether host is one of the suffixes or below one, on whole labels."""
    host = host.lower().rstrip(".")
    return any(host == s or host.endswith("." + s) for s in suffixes)


@dataclass(frozen=True)
class MailMap:
    providers: tuple[Vendor, ...]
    gateways: tuple[Vendor, ...]
    senders: tuple[Vendor, ...]

    def _by_mx(self, vendors: tuple[Vendor, ...], mx_hosts: list[str]) -> str | None:
        """The first vendor an MX host (most preferred first) belongs to."""
        for host in mx_hosts:
            for vendor in vendors:
                if _under(host, vendor.mx):
                    return vendor.name
        return None

    def mail_host(self, mx_hosts: list[str]) -> str | None:
        """Who the MX points at: gateway or provider, "other", or None without MX."""
        if not mx_hosts:
            return None
        return self._by_mx(self.gateways + self.providers, mx_hosts) or OTHER

    def gateway(self, mx_hosts: list[str]) -> str | None:
        """The security gateway the MX points at, if any."""
        return self._by_mx(self.gateways, mx_hosts)

    def provider(self, mx_hosts: list[str], spf_vendors: list[str]) -> str | None:
        """The mailbox platform: from MX, else (behind a gateway) from the SPF's vendors."""
        names = {v.name for v in self.providers}
        return self._by_mx(self.providers, mx_hosts) or next(
            (v for v in spf_vendors if v in names), None)

    def vendor(self, include: str) -> str | None:
        """Whose service an SPF include names, if we know it."""
        for vendor in self.providers + self.gateways + self.senders:
            if _under(include, vendor.spf):
                return vendor.name
        return None


def load_mailmap(path: Path | str | None = None) -> MailMap:
    """The mail map from path, PROSPECTS_MAILMAP, or the built-in one; CatalogError names
    the file and the entry when it cannot be used."""
    return _load(Path(path or os.environ.get(ENV_MAILMAP) or DEFAULT_MAILMAP))


@lru_cache(maxsize=4)
def _load(source: Path) -> MailMap:
    try:
        data = tomllib.loads(read_data_file(source, "mail map"))
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{source}: not a valid TOML file: {error}") from None
    try:
        unknown = sorted(set(data) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown table {unknown[0]!r}; use [[provider]], [[gateway]] "
                             f"and [[sender]]")
        return MailMap(*(_vendors(data, kind) for kind in KINDS))
    except ValueError as error:
        raise CatalogError(f"{source}: {error}; nothing was loaded") from None


def _vendors(data: dict[str, Any], kind: str) -> tuple[Vendor, ...]:
    entries = data.get(kind, [])
    if not isinstance(entries, list):
        raise ValueError(f"{kind} must be [[{kind}]] tables")
    vendors = []
    for n, entry in enumerate(entries, 1):
        where = f"{kind} entry {n}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where} must be a [[{kind}]] table")
        unknown = sorted(set(entry) - {"name", "mx", "spf"})
        if unknown:
            raise ValueError(f"{where}: unknown key {unknown[0]!r}; an entry has name, mx and spf")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_ENTRY:
            raise ValueError(f"{where}: name must be a quoted name of 1 to {MAX_ENTRY} characters")
        problem = unsafe_character(name)
        if problem is not None:
            raise ValueError(f"{where}: name {problem}")
        where = f"{kind} entry {n} ({name.strip()!r})"
        vendors.append(Vendor(name.strip(), _suffixes(entry, "mx", where),
                              _suffixes(entry, "spf", where)))
    return tuple(vendors)


def _suffixes(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = entry.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{where}: {key} must be a list of host names, e.g. [\"example.com\"]")
    suffixes = tuple(v.strip().lower().rstrip(".") for v in values)
    for suffix in suffixes:
        if not suffix or not suffix.isascii() or any(c.isspace() for c in suffix):
            raise ValueError(f"{where}: {key} holds {suffix[:60]!r}, which is not a host name")
    return suffixes
