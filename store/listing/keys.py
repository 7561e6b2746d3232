"""What the prospect list shows, searches and sorts by, worked out from raw records.

Each function takes a list of records, so a fresh list works out 100k rows in one
pass and ProspectList.apply works out one changed row with the very same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from string import ascii_lowercase
from typing import Any

from store.domain.summary import dmarc_text, mail_text
from store.text import fold, search_key

Record = Mapping[str, Any]
LETTERS = (*ascii_lowercase, "other")
"""The A-Z buckets of a company name; 'other' holds digits, symbols and other scripts."""
ALL = "all"  # no letter chosen: every bucket
NO_NUMBER = -1  # the sort key of an empty (or not a number) Permitted Users: sorts first, moved last

COLUMNS: dict[str, str] = {
    "company_name": "Company Name",
    "domain": "Domain",
    "mail": "Mail",
    "dmarc": "DMARC",
    "company_type": "Company Type",
    "sector": "Sector",
    "implementation_lead": "Implementation Lead",
    "expected_provision_date": "Expected Provision Date",
    "permitted_users": "Permitted Users",
    "products": "Products",
    "status": "Status",
}
SORT_FIELDS = (*COLUMNS, "created_at", "updated_at")
ALWAYS_SHOWN = "company_name"  # the one column that cannot be hidden: it says which prospect a row is


def column_choice(keys: Iterable[str]) -> list[str]:
    """The known column keys among `keys`, once each in their order, always with the company name.

    A saved choice is input: a key a later version dropped, or a hand edit, is left out.
    """
    chosen = list(dict.fromkeys(key for key in keys if key in COLUMNS))
    return chosen if ALWAYS_SHOWN in chosen else [ALWAYS_SHOWN, *chosen]


def chosen_letter(text: str) -> str | None:
    """A letter as typed ('A', ' other', 'ALL') as the list takes it, or None if it is none."""
    chosen = text.strip().lower()
    return chosen if chosen == ALL or chosen in LETTERS else None


def display_domain(domain: str) -> str:
    """The Unicode form of a stored (punycode) domain, for people to read."""
    if "xn--" not in domain:
        return domain
    try:
        # Stored domains were checked by idna on the way in; decoding each label
        # with the punycode codec is 50x faster than idna.decode's full checks.
        return ".".join(
            label[4:].encode("ascii").decode("punycode") if label.startswith("xn--") else label
            for label in domain.split(".")
        )
    except (UnicodeError, ValueError):
        return domain


def products_text(products: Sequence[Mapping[str, Any]]) -> str:
    """'Cloud Archive, Mimecast for Mac (25)'."""
    # A list, not a generator: join is twice as fast on one, and the products sort
    # builds this text for every row.
    return ", ".join([
        (f"{p.get('product', '')} ({p['seats']})" if p.get("seats") else str(p.get("product", "")))
        if isinstance(p, dict) else str(p)  # a hand-edited file may hold bare names
        for p in products
    ])


def check_texts(record: Record) -> tuple[str, str]:
    """The Mail and DMARC cells of a stored record, from its last Verify ("" if none)."""
    check = record.get("domain_check")
    if not isinstance(check, dict):
        return "", ""
    dmarc = check.get("dmarc")
    dmarc = dmarc if isinstance(dmarc, dict) else {}
    return (mail_text(check.get("mail_provider"), check.get("gateway"), check.get("mail_host")),
            dmarc_text(dmarc.get("record"), dmarc.get("policy"), check.get("signals")))


CHECK_COLUMNS = ("mail", "dmarc")  # the cells check_texts gives, in its order
CHECK_VALUES = ("gateway", "checked_at")  # filtered on (store.listing.filter), not shown
USER_COLUMNS = ("implementation_lead", "secondary_contact")  # a user's id, shown by name


def _letter(folded_name: str) -> str:
    first = folded_name[:1]
    return first if "a" <= first <= "z" else "other"


def row_keys(records: Sequence[Record]) -> tuple[list[str], list[str], list[str], list[str]]:
    """Each record's name key, letter, search string and domain sort key."""
    # Names as shown, folded and stripped: "  zed" sorts, and is filed, under Z.
    names = [search_key(str(r.get("company_name", ""))).strip() for r in records]
    letters = [_letter(n) for n in names]
    domains = [str(r.get("domain") or "") for r in records]
    search = [f"{n}\x00{d}" for n, d in zip(names, domains, strict=True)]
    # Stored domains are lowercase punycode, their own sort keys; an internationalised
    # one also matches, and sorts, as people read it. Built here at little cost so
    # that the first sort by domain needs no pass over the records.
    for row, domain in enumerate(domains):
        if "xn--" in domain:
            domains[row] = fold(display_domain(domain))
            search[row] += "\x00" + domains[row]
    # The Mail and DMARC cells are searched too.
    for row, record in enumerate(records):
        if record.get("domain_check"):
            search[row] += "".join(f"\x00{fold(text)}" for text in check_texts(record))
    return names, letters, search, domains


def empty_key(key: str) -> Any:
    """The sort key of an empty cell of a column: the smallest key, shown last."""
    return NO_NUMBER if key == "permitted_users" else ""


def column_keys(key: str, records: Sequence[Record], user_names: Mapping[int, str]) -> list[Any]:
    """Each record's sort key for a column other than the name and the domain."""
    if key in CHECK_COLUMNS:  # worked out from the record's domain_check
        at = CHECK_COLUMNS.index(key)
        return [fold(check_texts(r)[at]) if r.get("domain_check") else "" for r in records]
    if key in CHECK_VALUES:
        # checked_at stays as stored (not folded): it is compared with stored_time's text.
        keep = fold if key == "gateway" else str
        return [keep(_check_value(r, key)) for r in records]
    values = [r.get(key) for r in records]
    try:
        return _keys_of(key, values, user_names)
    except TypeError:  # a list or dict where a hand-edited file should hold text
        return _keys_of(key, [v if v.__hash__ is not None else str(v) for v in values], user_names)


def _check_value(record: Record, key: str) -> str:
    check = record.get("domain_check")
    value = check.get(key) if isinstance(check, dict) else None
    return value if isinstance(value, str) else ""


def _keys_of(key: str, values: list[Any], user_names: Mapping[int, str]) -> list[Any]:
    if key == "permitted_users":
        return [v if type(v) is int and v > NO_NUMBER else NO_NUMBER for v in values]
    if key == "products":
        return [fold(products_text(v) if type(v) is list else str(v or "")) for v in values]
    show: Callable[[Any], str] = str
    if key in USER_COLUMNS:
        show = lambda v: user_names.get(v, "") if isinstance(v, int) else ""  # noqa: E731
    elif key == "status":
        show = lambda v: str(v or "prospect")  # noqa: E731
    # Types, sectors, leads, statuses and dates repeat: fold each distinct value once.
    folded: dict[Any, str] = {None: fold(show(None)) if key == "status" else ""}
    keys = []
    for value in values:
        text = folded.get(value)
        if text is None:
            text = folded[value] = fold(show(value))
        keys.append(text)
    return keys
