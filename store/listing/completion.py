"""Completion as a filter is typed (store.listing.filter): the field name being typed, or
a known value of the field before the colon.

A suggestion is the typed text with more at its end (the search box shows the rest
dimmed; right arrow takes it). Values are folded like the filter matches them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from store.catalog import Catalog
from store.listing.filter import FIELDS
from store.text import fold

STATUSES = ("prospect", "customer")
DMARC_CELLS = ("none", "quarantine", "reject", "missing", "invalid")
_LAST = re.compile(r'(-?)([^\s:"]*)(?::(<=|>=|<|>)?("?)([^"]*))?\Z')


def known_values(catalog: Catalog, people: Iterable[str]) -> dict[str, Iterable[str]]:
    """The values a filter's fields complete with: the catalog's, the users' names, the
    statuses and DMARC cells the list shows."""
    return {"type": catalog.company_types, "sector": catalog.sectors,
            "product": [p.name for p in catalog.products], "lead": people,
            "secondary": people, "status": STATUSES, "dmarc": DMARC_CELLS,
            "verified": ("never",)}


def complete_filter(text: str, values: Mapping[str, Iterable[str]]) -> str | None:
    """The text with its last term completed, or None when nothing fits.

    `values` holds each field's known values ("sector": the catalog's sectors...). An
    unquoted value is completed to its next space (`sector:fin` -> `sector:financial`,
    which still matches); a quoted one in full, with its closing quote.
    """
    if text.count('"') % 2 == 0 and " " in text.rstrip():
        last = text[text.rindex(" ") + 1:]
    else:  # inside quotes: the term starts after the last space before the opening quote
        opened = text.rfind('"')
        last = text[text.rfind(" ", 0, opened) + 1:] if opened >= 0 else text
    found = _LAST.match(last)
    if found is None:
        return None
    _, typed_field, op, quote, typed_value = found.groups()
    if ":" not in last:  # a field name: two letters at least, so a word is not pestered
        field = fold(typed_field)
        if len(field) < 2 or " " in last:
            return None
        name = next((f for f in FIELDS if f.startswith(field) and f != field), None)
        return text + name[len(field):] + ":" if name else None
    field = typed_field.casefold()
    if op or field not in FIELDS:
        return None
    typed = fold(typed_value)
    if not quote and " " in typed_value:
        return None
    for candidate in sorted({fold(v) for v in values.get(field, ())}):
        if candidate.startswith(typed) and candidate != typed:
            rest = candidate[len(typed):]
            if quote:
                return text + rest + '"'
            word = rest.split(" ", 1)[0]
            return text + word if word else None
    return None
