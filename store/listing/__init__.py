"""The prospect list in memory (store.listing.prospect_list) and what it shows, searches
and sorts by (store.listing.keys, store.listing.order)."""

from store.listing.keys import (
    ALWAYS_SHOWN,
    COLUMNS,
    LETTERS,
    NO_NUMBER,
    SORT_FIELDS,
    Record,
    check_texts,
    column_choice,
    display_domain,
    products_text,
)
from store.listing.prospect_list import APPLY_LIMIT, ProspectList

__all__ = ["ALWAYS_SHOWN", "APPLY_LIMIT", "COLUMNS", "LETTERS", "NO_NUMBER", "SORT_FIELDS",
           "ProspectList", "Record", "check_texts", "column_choice", "display_domain",
           "products_text"]
