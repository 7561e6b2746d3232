"""The prospect list in memory: search, A-Z letter, sort, over row indexes.

Built once from the raw records (no validation: 100k rows in well under a
second); sorting and filtering produce lists of row indexes, never copies of
the records, so the UI can show them in a virtual table. Changes polled from the
store are applied in place (apply): a changed row moves in each worked-out order
by a binary search, instead of the whole list being built again.

Threads: apply runs on one thread (the UI's event loop), which alone reads the list
for showing; the prepare_* methods may run in other threads. They work on the lists
as they are, and keep what they worked out only if no apply ran meanwhile (the
generation is unchanged), else work it out again.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import compress, filterfalse
from operator import not_
from typing import Any

from store.backends.base import Changes
from store.listing.filter import Filter
from store.listing.keys import (
    CHECK_COLUMNS,
    COLUMNS,
    LETTERS,
    SORT_FIELDS,
    USER_COLUMNS,
    Record,
    check_texts,
    column_keys,
    display_domain,
    products_text,
    row_keys,
)
from store.listing.order import Placement, column_order, name_order
from store.text import fold

APPLY_LIMIT = 20
"""More changed prospects than this at once (an import, an undo) are shown by building the
list again in a worker: apply moves each row on the event loop, 2-10 ms each at 100k."""
GONE = ""  # the letter of a deleted prospect's row: counted under no letter


class ProspectList:
    """Rows for the list screen and `list` command, with search, letter and sort."""

    def __init__(self, records: Sequence[tuple[int, Record]], user_names: Mapping[int, str]):
        self.ids = [prospect_id for prospect_id, _ in records]
        self.records = [record for _, record in records]
        self.user_names = dict(user_names)
        names, self._letters, self._search, domains = row_keys(self.records)
        self._sort_keys: dict[str, list[Any]] = {"company_name": names, "domain": domains}
        self._name_order = name_order(names)
        self._orders: dict[tuple[str, bool], list[int]] = {}
        self._gone: set[int] = set()  # rows of deleted prospects: in no order, no letter, no search
        self._row_by_id: dict[int, int] | None = None
        self._lock = threading.RLock()
        self._generation = 0  # goes up with every apply
        self._stored = _Scan(range(len(names)), self._search, self._letters)
        self._view: _Scan | None = None
        self._term_hits: dict[str, list[bool]] = {}  # the last filter's, by Term.source
        # The last filter's rows after each of its terms, and what they started from.
        self._chain: list[tuple[tuple[str, bool], list[int]]] = []
        self._chain_start: tuple[list[int], tuple[str, ...], tuple[str, ...]] | None = None
        self._last_filtered: tuple[Filter, list[int], list[int]] | None = None
        # Columns' keys laid out in the sort's order, for a term tested over every row:
        # key -> (the order, the generation, the keys in that order).
        self._laid_out: dict[str, tuple[list[int], int, list[Any]]] = {}
        self._all_counts: Counter[str] | None = None
        self.sort_key = "company_name"
        self.descending = False
        self._sorted = self._order("company_name", False)

    def __len__(self) -> int:
        return len(self.records) - len(self._gone)

    def _rows_by_id(self) -> dict[int, int]:
        if self._row_by_id is None:
            self._row_by_id = {prospect_id: row for row, prospect_id in enumerate(self.ids)
                               if row not in self._gone}
        return self._row_by_id

    def row_of(self, prospect_id: int) -> int | None:
        """The row index of a prospect, if it is in the list."""
        return self._rows_by_id().get(prospect_id)

    def cell(self, row: int, key: str) -> str:
        """The text of one cell, as the list shows it."""
        record = self.records[row]
        value = record.get(key)
        if key == "implementation_lead":
            return self.user_names.get(value, "") if isinstance(value, int) else ""
        if key == "domain":
            return display_domain(str(value or ""))
        if key in CHECK_COLUMNS:
            return check_texts(record)[CHECK_COLUMNS.index(key)]
        if key == "products":
            return products_text(value or [])
        if key == "status":
            return str(value or "prospect").capitalize()
        return "" if value is None else str(value)

    # -- sorting ---------------------------------------------------------------------

    def _keys(self, key: str) -> list[Any]:
        while True:
            with self._lock:
                keys = self._sort_keys.get(key)
                if keys is not None:
                    return keys
                generation, records, user_names = self._generation, self.records, self.user_names
            built = column_keys(key, records, user_names)
            with self._lock:
                if generation == self._generation:
                    return self._sort_keys.setdefault(key, built)

    def _order(self, key: str, descending: bool) -> list[int]:
        while True:
            keys = self._keys(key)
            with self._lock:
                order = self._orders.get((key, descending))
                if order is not None:
                    return order
                if self._sort_keys.get(key) is not keys:
                    continue  # replaced meanwhile (a lead renamed)
                generation, by_name = self._generation, self._name_order
                ascending = self._orders.get((key, False))
            order = column_order(key, descending, keys, by_name, ascending)
            with self._lock:
                if generation == self._generation:
                    return self._orders.setdefault((key, descending), order)

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

    # -- searching -------------------------------------------------------------------

    def prepare_search(self) -> None:
        """Lay the search strings out in the current sort order (for a background thread).

        A search then scans them in the order it shows, instead of looking up each
        row's hit in stored order: 14 ms less per keystroke at 100k rows."""
        while True:
            with self._lock:
                order = self._sorted
                if self._view is not None and self._view.rows is order:
                    return
                generation, search, letters = self._generation, self._search, self._letters
            view = _Scan(order, [search[i] for i in order], [letters[i] for i in order])
            with self._lock:
                if generation == self._generation:
                    self._view = view
                    return

    def _scan(self) -> _Scan | None:
        """The search laid out in the current sort order, if prepare_search made it."""
        view = self._view
        return view if view is not None and view.rows is self._sorted else None

    def matching(self, search: str | Filter = "", letter: str = "all") -> list[int]:
        """Row indexes, in sort order, whose name or domain contains `search` (or that
        pass a parsed filter) and whose name starts with `letter` ('a'..'z', 'other' or
        'all').

        Without a search or letter this is the sort order itself, which apply() changes
        in place."""
        if isinstance(search, Filter):
            rows = self._search_rows(search.text) if search.plain else self._filtered(search)
        else:
            rows = self._search_rows(search)
        if letter != "all":
            letters = self._letters
            rows = [i for i in rows if letters[i] == letter]
        return rows

    def _search_rows(self, search: str) -> list[int]:
        """The plain search: rows whose search string holds the folded text."""
        rows = self._sorted
        query = fold(search.strip())
        view = self._scan()
        if query and view is not None:
            rows = list(compress(rows, view.hits(query)))
        elif query:
            hits = self._stored.hits(query)
            rows = list(compress(rows, map(hits.__getitem__, rows)))
        return rows

    def _filtered(self, where: Filter) -> list[int]:
        """The rows passing a filter: its words by the plain search, then each term.

        A keystroke changes the last term: the rows after the terms before it are kept
        from the filter before (with each term's hits), so only the last is tested."""
        last = self._last_filtered
        if last is not None and last[0] is where and last[1] is self._sorted:
            return last[2]  # letter_counts after matching, on one keystroke
        start = self._chain_start
        same_start = (start is not None and start[0] is self._sorted
                      and start[1:] == (where.words, where.not_words))
        kept_chain = self._chain if same_start else []
        kept_hits, self._term_hits = self._term_hits, {}
        chain: list[tuple[tuple[str, bool], list[int]]] = []
        rows: list[int] | None = None  # None while the kept chain stands for the rows
        for term in where.terms:
            step = (term.source, term.negated)
            hits = kept_hits.get(term.source)
            if rows is None and len(chain) < len(kept_chain) and kept_chain[len(chain)][0] == step:
                chain.append(kept_chain[len(chain)])
            else:
                if rows is None:
                    rows = chain[-1][1] if chain else self._word_rows(where)
                if rows is self._sorted:  # every row: test the keys in the rows' order
                    passes = term.hits(self._in_order(term.key))
                    rows = list(compress(rows, map(not_, passes) if term.negated else passes))
                else:
                    if hits is None:
                        hits = term.hits(self._keys(term.key))
                    rows = list((filterfalse if term.negated else filter)(hits.__getitem__, rows))
                chain.append((step, rows))
            if hits is not None:
                self._term_hits[term.source] = hits
        if rows is None:
            rows = chain[-1][1] if chain else self._word_rows(where)
        self._chain, self._chain_start = chain, (self._sorted, where.words, where.not_words)
        self._last_filtered = (where, self._sorted, rows)
        return rows

    def _in_order(self, key: str) -> list[Any]:
        """A column's keys in the current sort's order (kept until a sort or a change):
        a term over every row then runs at C speed rather than a lookup a row."""
        laid = self._laid_out.get(key)
        if laid is None or laid[0] is not self._sorted or laid[1] != self._generation:
            keys = self._keys(key)
            laid = self._laid_out[key] = (self._sorted, self._generation,
                                          [keys[i] for i in self._sorted])
        return laid[2]

    def _word_rows(self, where: Filter) -> list[int]:
        """The rows holding each of a filter's words and none of its not-words."""
        rows = self._search_rows(where.words[0] if where.words else "")
        search = self._search
        for word in where.words[1:]:
            rows = [i for i in rows if word in search[i]]
        for word in where.not_words:
            rows = [i for i in rows if word not in search[i]]
        return rows

    def letter_counts(self, search: str | Filter = "") -> dict[str, int]:
        """How many rows matching `search` start with each letter ('other' included)."""
        if isinstance(search, Filter):
            if not search.plain:
                letters = self._letters
                counts = Counter([letters[i] for i in self._filtered(search)])
                return {letter: counts.get(letter, 0) for letter in LETTERS}
            search = search.text
        query = fold(search.strip())
        if query:
            scan = self._scan() or self._stored  # the one matching() used: one scan a query
            counts = Counter(compress(scan.letters, scan.hits(query)))
        else:
            if self._all_counts is None:
                self._all_counts = Counter(self._letters)
            counts = self._all_counts
        return {letter: counts.get(letter, 0) for letter in LETTERS}

    # -- changes -----------------------------------------------------------------------

    @staticmethod
    def can_apply(changes: Changes) -> bool:
        """Whether apply() can show these changes, or the list must be built again."""
        return not changes.everything and len(changes.prospects) <= APPLY_LIMIT

    def apply(self, changes: Changes, user_names: Mapping[int, str] | None = None) -> bool:
        """Show polled changes in place: rows keep their indexes, a new prospect gets the
        next row, a deleted one's row is shown nowhere. `user_names` (all users, when
        changes.users) renames the leads. False, changing nothing, when can_apply is not."""
        if not self.can_apply(changes):
            return False
        with self._lock:
            self._generation += 1
            self._view = None
            self._term_hits, self._last_filtered = {}, None
            self._chain, self._chain_start = [], None
            placements = self._placements()
            rows = self._rows_by_id()
            for prospect_id, record in changes.prospects.items():
                row = rows.get(prospect_id)
                if record is None:
                    if row is not None:
                        self._delete(prospect_id, row, placements)
                elif row is None:
                    self._append(prospect_id, record, placements)
                else:
                    self._update(row, record, placements)
            if user_names is not None and dict(user_names) != self.user_names:
                self._rename_leads(user_names)
            self._stored = _Scan(range(len(self.records)), self._search, self._letters)
        return True

    def _placements(self) -> list[Placement]:
        names = self._sort_keys["company_name"]
        placements = [Placement(self._name_order, names, None, None, False)]
        for (key, descending), order in self._orders.items():
            placements.append(Placement(order, names, key, self._sort_keys[key], descending))
        return placements

    def _new_keys(self, record: Record) -> tuple[str, str, dict[str, Any]]:
        """A record's letter, search string and each worked-out column's sort key."""
        (name,), (letter,), (search,), (domain,) = row_keys([record])
        keys: dict[str, Any] = {"company_name": name, "domain": domain}
        for key in self._sort_keys.keys() - keys.keys():
            keys[key] = column_keys(key, [record], self.user_names)[0]
        return letter, search, keys

    def _set_letter(self, row: int, letter: str) -> None:
        if self._all_counts is not None:
            self._all_counts[self._letters[row]] -= 1
            self._all_counts[letter] += 1
        self._letters[row] = letter

    def _update(self, row: int, record: Record, placements: list[Placement]) -> None:
        letter, search, keys = self._new_keys(record)
        name_moved = keys["company_name"] != self._sort_keys["company_name"][row]
        # Only the orders whose keys for this row changed move it (a new website: none).
        moving = [p for p in placements
                  if name_moved or (p.key is not None and keys[p.key] != self._sort_keys[p.key][row])]
        for placement in moving:
            placement.take_out(row)
        self.records[row] = record
        self._set_letter(row, letter)
        self._search[row] = search
        for key, value in keys.items():
            self._sort_keys[key][row] = value
        for placement in moving:
            placement.put_in(row)

    def _append(self, prospect_id: int, record: Record, placements: list[Placement]) -> None:
        letter, search, keys = self._new_keys(record)
        row = len(self.records)
        self.ids.append(prospect_id)
        self.records.append(record)
        self._letters.append(letter)
        if self._all_counts is not None:
            self._all_counts[letter] += 1
        self._search.append(search)
        for key, value in keys.items():
            self._sort_keys[key].append(value)
        for placement in placements:
            placement.put_in(row)
        self._rows_by_id()[prospect_id] = row

    def _delete(self, prospect_id: int, row: int, placements: list[Placement]) -> None:
        for placement in placements:
            placement.take_out(row)
        self._set_letter(row, GONE)
        self._gone.add(row)
        del self._rows_by_id()[prospect_id]

    def _rename_leads(self, user_names: Mapping[int, str]) -> None:
        """New user names: the lead and secondary columns' keys again, and their orders.

        A renamed lead's rows all move: its orders are worked out afresh (on the spot
        when the list is sorted by lead, else when next needed)."""
        self.user_names = dict(user_names)
        for key in USER_COLUMNS:
            if key not in self._sort_keys:
                continue
            self._sort_keys[key] = column_keys(key, self.records, self.user_names)
            for descending in (False, True):
                self._orders.pop((key, descending), None)
            if self.sort_key == key:
                self._sorted = self._order(key, self.descending)


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
