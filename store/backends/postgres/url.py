"""PostgreSQL targets: which `--db` values are one, and how to show them without the password.

The URL itself goes to libpq untouched (sslmode, client certificates, service
names and every other parameter work as libpq documents them); only what
people see is rewritten, with the password as ``***``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_SCHEMES = ("postgresql:", "postgres:")
_QUERY_PASSWORD = re.compile(r"(?i)([?&]password=)([^&#]*)")
BARE_LOCATION = "postgresql: (the PG* variables and service file)"


def conninfo(target: str) -> str:
    """What psycopg gets: the URL as is; a bare scheme leaves everything to libpq's PG* settings.

    store.backends.open decides what is a PostgreSQL target."""
    return "" if target in _SCHEMES else target


def _split_netloc(url: str) -> tuple[str, str, str] | None:
    """(scheme and //, the userinfo, the rest) of a URL with a userinfo part, else None."""
    scheme, sep, rest = url.partition("//")
    if not sep:
        return None
    end = len(rest)
    for stop in "/?#":
        found = rest.find(stop)
        if found != -1:
            end = min(end, found)
    userinfo, at, _ = rest[:end].rpartition("@")
    if not at:
        return None
    return scheme + sep, userinfo, rest[len(userinfo):]


def masked(url: str) -> str:
    """The URL for people: any password (in the user part or a `password=` parameter) as ***."""
    parts = _split_netloc(url)
    if parts is not None:
        head, userinfo, rest = parts
        user, colon, _ = userinfo.partition(":")
        url = head + user + (":***" if colon else "") + rest
    return _QUERY_PASSWORD.sub(r"\1***", url)


def passwords(url: str) -> list[str]:
    """The passwords written in the URL, as written and decoded: to scrub from messages."""
    found: list[str] = []
    parts = _split_netloc(url)
    if parts is not None:
        _, colon, password = parts[1].partition(":")
        if colon:
            found.append(password)
    found.extend(match.group(2) for match in _QUERY_PASSWORD.finditer(url))
    found = [p for p in found if p]
    return found + [unquote(p) for p in found if unquote(p) != p]


def scrubbed(message: str, url: str) -> str:
    """A message (libpq's, say) with every password of the URL replaced by ***."""
    for password in sorted(passwords(url), key=len, reverse=True):
        message = message.replace(password, "***")
    return message
