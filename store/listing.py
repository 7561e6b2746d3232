"""The prospect list in memory: search, A-Z letter, sort, over row indexes.

Built once from the raw records (no validation: 100k rows in well under a
second); sorting and filtering produce lists of row indexes, never copies of
the records, so the UI can show them in a virtual table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from itertools import compress
from string import ascii_lowercase
from typing import Any

from store.text import fold, search_key

Record = Mapping[str, Any]
LETTERS = (*ascii_lowercase, "other")
"""The A-Z buckets of a company name; 'other' holds digits, symbols and other scripts."""
NO_NUMBER = -1  # the sort key of an empty (or not a number) Permitted Users: sorts first, moved last

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


def _letter(folded_name: str) -> str:
    first = folded_name[:1]
    return first if "a" <= first <= "z" else "other"


class ProspectList:
    """Rows for the list screen and `list` command, with search, letter and sort."""

    def __init__(self, records: Sequence[tuple[int, Record]], user_names: Mapping[int, str]):
        self.ids = [prospect_id for prospect_id, _ in records]
        self.records = [record for _, record in records]
        self.user_names = dict(user_names)
        # Names as shown, folded and stripped: "  zed" sorts, and is filed, under Z.
        names = [search_key(str(r.get("company_name", ""))).strip() for r in self.records]
        self._letters = [_letter(n) for n in names]
        domains = [str(r.get("domain") or "") for r in self.records]
        self._search = [f"{n}\x00{d}" for n, d in zip(names, domains, strict=True)]
        # Stored domains are lowercase punycode, their own sort keys; an internationalised
        # one also matches, and sorts, as people read it. Built here at little cost so
        # that the first sort by domain needs no pass over the records.
        for row, domain in enumerate(domains):
            if "xn--" in domain:
                domains[row] = fold(display_domain(domain))
                self._search[row] += "\x00" + domains[row]
        self._sort_keys: dict[str, list[Any]] = {"company_name": names, "domain": domains}
        self._name_order = sorted(range(len(names)), key=names.__getitem__)
        self._orders: dict[tuple[str, bool], list[int]] = {}
        self._stored = _Scan(range(len(names)), self._search, self._letters)
        self._view: _Scan | None = None
        self._all_counts: Counter[str] | None = None
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
        record = self.records[row]
        value = record.get(key)
        if key == "implementation_lead":
            return self.user_names.get(value, "") if isinstance(value, int) else ""
        if key == "domain":
            return display_domain(str(value or ""))
        if key == "products":
            return products_text(value or [])
        if key == "status":
            return str(value or "prospect").capitalize()
        return "" if value is None else str(value)

    def _keys(self, key: str) -> list[Any]:
        if key not in self._sort_keys:
            self._sort_keys[key] = self._build_keys(key)
        return self._sort_keys[key]

    def _build_keys(self, key: str) -> list[Any]:
        values = [r.get(key) for r in self.records]
        try:
            return self._keys_of(key, values)
        except TypeError:  # a list or dict where a hand-edited file should hold text
            return self._keys_of(key, [v if v.__hash__ is not None else str(v) for v in values])

    def _keys_of(self, key: str, values: list[Any]) -> list[Any]:
        if key == "permitted_users":
            return [v if type(v) is int and v > NO_NUMBER else NO_NUMBER for v in values]
        if key == "products":
            return [fold(products_text(v) if type(v) is list else str(v or "")) for v in values]
        show: Callable[[Any], str] = str
        if key == "implementation_lead":
            show = lambda v: self.user_names.get(v, "") if isinstance(v, int) else ""  # noqa: E731
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

    def _order(self, key: str, descending: bool) -> list[int]:
        order = self._orders.get((key, descending))
        if order is None:
            keys = self._keys(key)
            if not descending:
                # A stable sort of the name order keeps ties A to Z by name; empty keys
                # sort first, and are moved last.
                empty = keys.count(NO_NUMBER if key == "permitted_users" else "")
                order = self._name_order
                if key != "company_name":
                    order = sorted(order, key=keys.__getitem__)
                order = order[empty:] + order[:empty]
            else:
                # Z to A: re-sorting the A-Z order backwards is near-linear, and stable
                # (reverse=True keeps ties in their order), so ties stay A to Z by name;
                # empty keys, the smallest, go last.
                ascending = self._orders.get((key, False), self._name_order)
                order = sorted(ascending, key=keys.__getitem__, reverse=True)
            self._orders[(key, descending)] = order
        return order

    def sort(self, key: str, descending: bool = False) -> None:
        """Sort by a column (see SORT_FIELDS); empty cells go last either way."""
        self.prepare_order(key, descending)
        self.sort_key, self.descending = key, descending
        self._sorted = self._order(key, descending)

    def has_order(self, key: str, descending: bool) -> bool:
        """Whether that order is worked out already, so that sort() is instant."""
        return (key, descending) in self._orders

    def prepare_order(self, key: str, descending: bool) -> None:
        """Work out one column's order ahead of sort() (for a background thread)."""
        if key not in SORT_FIELDS:
            raise ValueError(f"cannot sort by {key!r}; choose one of: {', '.join(SORT_FIELDS)}")
        self._order(key, descending)

    def prepare_sorts(self) -> None:
        """Work out every column's A-Z and Z-A order ahead of time (for a background thread)."""
        for key in COLUMNS:
            self._order(key, False)
            self._order(key, True)

    def prepare_search(self) -> None:
        """Lay the search strings out in the current sort order (for a background thread).

        A search then scans them in the order it shows, instead of looking up each
        row's hit in stored order: 14 ms less per keystroke at 100k rows."""
        order = self._sorted
        if self._view is None or self._view.rows is not order:
            search, letters = self._search, self._letters
            self._view = _Scan(order, [search[i] for i in order], [letters[i] for i in order])

    def _scan(self) -> _Scan | None:
        """The search laid out in the current sort order, if prepare_search made it."""
        view = self._view
        return view if view is not None and view.rows is self._sorted else None

    def matching(self, search: str = "", letter: str = "all") -> list[int]:
        """Row indexes, in sort order, whose name or domain contains `search` and
        whose name starts with `letter` ('a'..'z', 'other' or 'all')."""
        rows = self._sorted
        query = fold(search.strip())
        view = self._scan()
        if query and view is not None:
            rows = list(compress(rows, view.hits(query)))
        elif query:
            hits = self._stored.hits(query)
            rows = list(compress(rows, map(hits.__getitem__, rows)))
        if letter != "all":
            letters = self._letters
            rows = [i for i in rows if letters[i] == letter]
        return rows

    def letter_counts(self, search: str = "") -> dict[str, int]:
        """How many rows matching `search` start with each letter ('other' included)."""
        query = fold(search.strip())
        if query:
            scan = self._scan() or self._stored  # the one matching() used: one scan a query
            counts = Counter(compress(scan.letters, scan.hits(query)))
        else:
            if self._all_counts is None:
                self._all_counts = Counter(self._letters)
            counts = self._all_counts
        return {letter: counts.get(letter, 0) for letter in LETTERS}


class _Scan:
    """Search strings and first letters laid out in one order of the rows, and the
    last query's hits in that order."""

    def __init__(self, rows: Sequence[int], search: list[str], letters: list[str]) -> None:
        self.rows, self.search, self.letters = rows, search, letters
        self._last: tuple[str, list[bool]] = ("", [])

    def hits(self, query: str) -> list[bool]:
        """Whether each position's search string holds `query` (a non-empty folded text)."""
        if self._last[0] != query:
            self._last = (query, [query in key for key in self.search])
        return self._last[1]
