"""The prospect list in memory: search, A-Z letter, sort, over row indexes.

Built once from the raw records (no validation: 100k rows in well under a
second); sorting and filtering produce lists of row indexes, never copies of
the records, so the UI can show them in a virtual table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import compress
from typing import Any

from store.text import fold, search_key

Record = dict[str, Any]
LETTERS = tuple("abcdefghijklmnopqrstuvwxyz") + ("other",)

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
    return ", ".join(
        f"{p.get('product', '')} ({p['seats']})" if p.get("seats") else str(p.get("product", ""))
        for p in products
    )


def _letter(folded_name: str) -> str:
    first = folded_name.lstrip()[:1]
    return first if "a" <= first <= "z" else "other"


class ProspectList:
    """Rows for the list screen and `list` command, with search, letter and sort."""

    def __init__(self, records: Sequence[tuple[int, Record]], user_names: Mapping[int, str]):
        self.ids = [prospect_id for prospect_id, _ in records]
        self.records = [record for _, record in records]
        self.user_names = dict(user_names)
        names = [search_key(str(r.get("company_name", ""))) for r in self.records]
        self._letters = [_letter(n) for n in names]
        self._search = [
            f"{n}\x00{d}\x00{fold(display_domain(d))}" if "xn--" in d else f"{n}\x00{d}"
            for n, d in zip(names, (str(r.get("domain", "")) for r in self.records), strict=True)
        ]
        self._sort_keys: dict[str, list[Any]] = {"company_name": names}
        self._name_order = sorted(range(len(names)), key=names.__getitem__)
        self._orders: dict[tuple[str, bool], list[int]] = {}
        self._last_hits: tuple[str, list[bool]] | None = None
        self._all_counts: Counter[str] | None = None
        self.sort_key = "company_name"
        self.descending = False
        self._sorted = self._name_order

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
        records = self.records
        if key == "permitted_users":
            return [r.get(key) for r in records]
        if key == "domain":
            domains = (str(r.get("domain") or "") for r in records)
            return [fold(display_domain(d)) if "xn--" in d else d for d in domains]
        if key == "products":
            return [fold(products_text(r.get("products") or [])) for r in records]
        if key == "implementation_lead":
            leads: dict[Any, str] = {user_id: fold(name) for user_id, name in self.user_names.items()}
            return [leads.get(r.get(key), "") for r in records]
        # Types, sectors, statuses and dates repeat: fold each distinct value once.
        folded: dict[Any, str] = {}
        keys = []
        for record in records:
            value = record.get(key)
            text = folded.get(value)
            if text is None:
                text = folded[value] = "" if value is None else fold(str(value))
            keys.append(text)
        return keys

    def _order(self, key: str, descending: bool) -> list[int]:
        order = self._orders.get((key, descending))
        if order is None:
            keys = self._keys(key)
            filled: list[int] = []
            empty: list[int] = []
            for i in self._name_order:
                (empty if keys[i] is None or keys[i] == "" else filled).append(i)
            if descending:
                # The A-Z order, re-sorted backwards: near-linear on sorted input, and
                # stable, so ties stay A to Z by name.
                filled = sorted(self._order(key, False)[: len(filled)],
                                key=keys.__getitem__, reverse=True)
            else:
                # A stable sort of the name order: ties stay A to Z by name.
                filled.sort(key=keys.__getitem__)
            order = self._orders[(key, descending)] = filled + empty
        return order

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

    def _hits(self, query: str) -> list[bool]:
        # Scanned in stored order (memory order), shared by matching and letter_counts.
        if self._last_hits is None or self._last_hits[0] != query:
            self._last_hits = (query, [query in key for key in self._search])
        return self._last_hits[1]

    def matching(self, search: str = "", letter: str = "all") -> list[int]:
        """Row indexes, in sort order, whose name or domain contains `search` and
        whose name starts with `letter` ('a'..'z', 'other' or 'all')."""
        rows = self._sorted
        query = fold(search.strip())
        if query:
            hits = self._hits(query)
            rows = list(compress(rows, map(hits.__getitem__, rows)))
        if letter != "all":
            letters = self._letters
            rows = [i for i in rows if letters[i] == letter]
        return rows

    def letter_counts(self, search: str = "") -> dict[str, int]:
        """How many rows matching `search` start with each letter ('other' included)."""
        query = fold(search.strip())
        if query:
            counts = Counter(compress(self._letters, self._hits(query)))
        else:
            if self._all_counts is None:
                self._all_counts = Counter(self._letters)
            counts = self._all_counts
        return {letter: counts.get(letter, 0) for letter in LETTERS}
