"""The prospect list in memory (store.listing.prospect_list) and what it shows, searches
and sorts by (store.listing.keys, store.listing.order)."""

from store.listing.keys import (
    COLUMNS,
    LETTERS,
    NO_NUMBER,
    SORT_FIELDS,
    Record,
    check_texts,
    display_domain,
    products_text,
)
from store.listing.prospect_list import APPLY_LIMIT, ProspectList

__all__ = ["APPLY_LIMIT", "COLUMNS", "LETTERS", "NO_NUMBER", "SORT_FIELDS", "ProspectList", "Record",
           "check_texts", "display_domain", "products_text"]
