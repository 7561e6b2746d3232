"""The prospect list in memory: search, A-Z letter, sort, over row indexes.

Built once from the raw records (no validation: 100k rows in well under a
second); sorting and filtering produce sequences of row indexes, never copies
of the records, so the UI can show them in a virtual table.

Rows are kept in company-name order, so the name sort is `range(n)`, a search
scans in the order it shows, and each letter A-Z is one contiguous block of
rows (its count under a search is one C-speed `count` over a slice).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from itertools import compress
from string import ascii_lowercase
from typing import Any

from store.text import clean_for_display, fold

Record = dict[str, Any]
LETTERS = (*ascii_lowercase, "other")
"""The A-Z buckets of a company name; 'other' holds digits, symbols and other scripts."""

COLUMNS: dict[str, str] = {
    "company_name": "Company Name",
    "domain": "Domain",
    "company_type": "Company Type",
    "sector": "Sector",
    "implementation_lead": "Implementation Lead",
    "expected_provision_date": "Expected Provision Date",
    "permitted_users": "Permitted Users",
    "products": "Products",
    "status": "Status",
}
SORT_FIELDS = (*COLUMNS, "created_at", "updated_at")
# Columns with few distinct values: sorted by grouping the rows under each value
# (one pass, no string comparisons), the values themselves sorted as shown.
GROUPED = frozenset({"company_type", "sector", "status", "implementation_lead",
                     "expected_provision_date", "permitted_users"})


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
    return ", ".join(
        f"{p.get('product', '')} ({p['seats']})" if p.get("seats") else str(p.get("product", ""))
        for p in products
    )


class ProspectList:
    """Rows for the list screen and `list` command, with search, letter and sort."""

    def __init__(self, records: Sequence[tuple[int, Record]], user_names: Mapping[int, str]):
        names = [fold(clean_for_display(str(r.get("company_name", "")))).strip() for _, r in records]
        by_name = sorted(range(len(names)), key=names.__getitem__)
        self.ids = [records[i][0] for i in by_name]
        self.records = [records[i][1] for i in by_name]
        self.user_names = dict(user_names)
        names = [names[i] for i in by_name]
        domains = [str(r.get("domain") or "") for r in self.records]
        # Stored domains are lowercase punycode: they sort and match as they are,
        # except internationalised ones, which also match (and sort) as people read them.
        domain_keys = [fold(display_domain(d)) if "xn--" in d else d for d in domains]
        self._search = [f"{n}\x00{d}\x00{k}" if "xn--" in d else f"{n}\x00{d}"
                        for n, d, k in zip(names, domains, domain_keys, strict=True)]
        # Every name starting with "b" sorts between "b" and "c": one block of rows each.
        self._letter_rows = {
            letter: range(bisect_left(names, letter), bisect_left(names, chr(ord(letter) + 1)))
            for letter in ascii_lowercase
        }
        self._sort_keys: dict[str, list[str]] = {"company_name": names, "domain": domain_keys}
        self._orders: dict[tuple[str, bool], Sequence[int]] = {}
        self._last_hits: tuple[str, list[bool]] | None = None
        self.sort_key = "company_name"
        self.descending = False
        self._sorted = self._order("company_name", False)

    def __len__(self) -> int:
        return len(self.records)

    def row_of(self, prospect_id: int) -> int | None:
        """The row index of a prospect, if it is in the list."""
        try:
            return self.ids.index(prospect_id)
        except ValueError:
            return None

    def cell(self, row: int, key: str) -> str:
        """The text of one cell, as the list shows it."""
        return self._shown(key, self.records[row].get(key))

    def _shown(self, key: str, value: Any) -> str:
        if key == "implementation_lead":
            return self.user_names.get(value, "") if isinstance(value, int) else ""
        if key == "domain":
            return display_domain(str(value or ""))
        if key == "products":
            return products_text(value or [])
        if key == "status":
            return str(value or "prospect").capitalize()
        return "" if value is None else str(value)

    # -- sorting ----------------------------------------------------------------

    def _order(self, key: str, descending: bool) -> Sequence[int]:
        order = self._orders.get((key, descending))
        if order is None:
            if key == "company_name" and not descending:
                # Rows are in name order already; empty names ("" sorts first) go last.
                empty = self._sort_keys[key].count("")
                everyone = range(len(self.records))
                order = everyone if not empty else [*everyone[empty:], *everyone[:empty]]
            elif key in GROUPED:
                order = self._grouped_order(key, descending)
            else:
                order = self._sorted_order(self._text_keys(key), descending)
            self._orders[(key, descending)] = order
        return order

    def _text_keys(self, key: str) -> list[str]:
        keys = self._sort_keys.get(key)
        if keys is None:
            values: Iterable[Any] = (r.get(key) for r in self.records)
            if key == "products":
                values = (products_text(v) if isinstance(v, list) else v for v in values)
            keys = self._sort_keys[key] = ["" if v is None else fold(str(v)) for v in values]
        return keys

    @staticmethod
    def _sorted_order(keys: list[str], descending: bool) -> Sequence[int]:
        # Rows are in name order and the sort is stable, so ties stay A to Z by name
        # both ways (reverse=True keeps ties in their order too).
        empty = keys.count("")  # "" sorts first; empty cells go last either way
        order = sorted(range(len(keys)), key=keys.__getitem__, reverse=descending)
        return order if descending or not empty else order[empty:] + order[:empty]

    def _grouped_order(self, key: str, descending: bool) -> list[int]:
        groups: dict[Any, list[int]] = {}
        for row, value in enumerate(_hashable(r.get(key) for r in self.records)):
            group = groups.get(value)
            if group is None:
                group = groups[value] = []
            group.append(row)  # rows come in name order: ties stay A to Z by name
        # Values that read the same ("Retail", "retail") are one group, still in name order.
        merged: dict[tuple[int, float, str], list[int]] = {}
        empty: list[int] = []
        for value, rows in groups.items():
            shown = self._shown(key, value)
            if shown == "":
                empty += rows
                continue
            order_key = _value_order(value, shown)
            merged[order_key] = sorted(merged[order_key] + rows) if order_key in merged else rows
        order: list[int] = []
        for order_key in sorted(merged, reverse=descending):
            order += merged[order_key]
        return order + sorted(empty)

    def sort(self, key: str, descending: bool = False) -> None:
        """Sort by a column (see SORT_FIELDS); empty cells go last either way."""
        if key not in SORT_FIELDS:
            raise ValueError(f"cannot sort by {key!r}; choose one of: {', '.join(SORT_FIELDS)}")
        self.sort_key, self.descending = key, descending
        self._sorted = self._order(key, descending)

    def prepare_sorts(self) -> None:
        """Work out every column's A-Z and Z-A order ahead of time (for a background thread)."""
        for key in COLUMNS:
            self._order(key, False)
            self._order(key, True)

    # -- search and letters -------------------------------------------------------

    def _hits(self, query: str) -> list[bool]:
        # One scan in row order, shared by matching and letter_counts.
        if self._last_hits is None or self._last_hits[0] != query:
            self._last_hits = (query, [query in key for key in self._search])
        return self._last_hits[1]

    def _other_rows(self) -> tuple[range, range]:
        """The rows whose name starts with neither a to z: before "a" and after "z"."""
        first, last = self._letter_rows["a"].start, self._letter_rows["z"].stop
        return range(first), range(last, len(self.records))

    def matching(self, search: str = "", letter: str = "all") -> Sequence[int]:
        """Row indexes, in sort order, whose name or domain contains `search` and
        whose name starts with `letter` ('a'..'z', 'other' or 'all')."""
        rows = self._sorted
        query = fold(search.strip())
        if letter in self._letter_rows and isinstance(rows, range):
            rows = self._letter_rows[letter]  # name order: the letter's block itself
        elif letter != "all":
            if letter == "other":
                before, after = self._other_rows()
                rows = [i for i in rows if i < before.stop or i >= after.start]
            else:
                block = self._letter_rows[letter]
                rows = [i for i in rows if block.start <= i < block.stop]
        if query:
            hits = self._hits(query)
            if isinstance(rows, range):
                rows = list(compress(rows, hits[rows.start:rows.stop]))
            else:
                rows = list(compress(rows, map(hits.__getitem__, rows)))
        return rows

    def letter_counts(self, search: str = "") -> dict[str, int]:
        """How many rows matching `search` start with each letter ('other' included)."""
        query = fold(search.strip())
        before, after = self._other_rows()
        if not query:
            counts = {letter: len(rows) for letter, rows in self._letter_rows.items()}
            counts["other"] = len(before) + len(after)
            return counts
        hits = self._hits(query)
        counts = {letter: hits[rows.start:rows.stop].count(True)
                  for letter, rows in self._letter_rows.items()}
        counts["other"] = hits[: before.stop].count(True) + hits[after.start:].count(True)
        return counts


def _hashable(values: Iterable[Any]) -> Iterable[Any]:
    """Values as they are, but a list or dict from a hand-edited file as its text."""
    for value in values:
        yield value if value.__hash__ is not None else str(value)


def _value_order(value: Any, shown: str) -> tuple[int, float, str]:
    """Numbers in numeric order before text in case- and accent-blind order."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, fold(shown))
