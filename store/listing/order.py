"""The list's sort rule, written twice side by side: a full sort for a fresh list, and a
binary search that moves one row of a sorted order, which must agree with it exactly.

The rule, for a column's keys K and the name keys N (the company name as sorted):
A to Z sorts by K, ties by N, then by row; empty keys (the smallest) go last.
Z to A sorts by K backwards, ties still by N, then by row; empty keys, the smallest,
come last by themselves. The name order, every sort's starting point, is by N, then row.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from store.listing.keys import empty_key


def name_order(names: Sequence[str]) -> list[int]:
    """The rows by name key, ties by row (a stable sort of the row numbers)."""
    return sorted(range(len(names)), key=names.__getitem__)


def column_order(key: str, descending: bool, keys: Sequence[Any], by_name: list[int],
                 ascending: list[int] | None) -> list[int]:
    """One column's order, from the name order (and, for Z to A, its A to Z order if known)."""
    if not descending:
        # A stable sort of the name order keeps ties A to Z by name; empty keys sort
        # first, and are moved last.
        order = by_name if key == "company_name" else sorted(by_name, key=keys.__getitem__)
        empty = bisect_right(order, empty_key(key), key=keys.__getitem__)
        return order[empty:] + order[:empty]
    # Z to A: re-sorting the A-Z order backwards is near-linear, and stable (reverse=True
    # keeps ties in their order), so ties stay A to Z by name; empty keys, the smallest,
    # go last.
    return sorted(ascending if ascending is not None else by_name, key=keys.__getitem__, reverse=True)


class Placement:
    """Where a row belongs in one sorted order: the rule above, one comparison at a time.

    `keys` None is the name order itself.
    """

    def __init__(self, order: list[int], names: Sequence[str], key: str | None,
                 keys: Sequence[Any] | None, descending: bool) -> None:
        self.order, self.names, self.key, self.keys = order, names, key, keys
        self.descending = descending
        self.empty = empty_key(key) if key is not None else None

    def _before(self, a: int, b: int) -> bool:
        """Whether row a sorts before row b (two different rows)."""
        keys = self.keys
        if keys is not None:
            key_a, key_b = keys[a], keys[b]
            if key_a != key_b:
                if self.descending:
                    return bool(key_a > key_b)
                if key_a == self.empty or key_b == self.empty:
                    return bool(key_b == self.empty)  # empty last
                return bool(key_a < key_b)
        names = self.names
        return (names[a], a) < (names[b], b)

    def _position(self, row: int) -> int:
        """The first position whose row does not sort before `row`."""
        order, before = self.order, self._before
        low, high = 0, len(order)
        while low < high:
            middle = (low + high) // 2
            if before(order[middle], row):
                low = middle + 1
            else:
                high = middle
        return low

    def take_out(self, row: int) -> None:
        """Remove a row, found by its keys as they were when it was placed."""
        del self.order[self._position(row)]

    def put_in(self, row: int) -> None:
        """Insert a row where its keys now belong."""
        self.order.insert(self._position(row), row)
