"""The history of a prospect: entries the rules write beside each change.

An entry is ``{"prospect": id, "at": ISO time, "who": str, "what": str,
"changes": {field: [old, new]}}``; the backend keeps them apart from the
prospects (start-up never reads them) and never deletes them, so the history
of a deleted prospect still reads back.
"""

from __future__ import annotations

from collections.abc import Mapping

from store.backends.base import Record
from store.models import now, stored_time
from store.rules.who import who

# Bookkeeping the rules stamp on every save: not a change a person made.
_UNTRACKED = frozenset({"created_at", "updated_at", "version"})


def entry(prospect_id: int, what: str, changes: Mapping[str, list[object]] | None = None, *,
          at: str | None = None, by: str | None = None) -> Record:
    """One history entry, by the current user (who()) now, unless `at` and `by` say otherwise."""
    return {"prospect": prospect_id, "at": at or stored_time(now()), "who": by or who(),
            "what": what, "changes": dict(changes or {})}


def field_changes(old: Record, new: Record) -> dict[str, list[object]]:
    """Each field whose value differs between two records, as [old, new] (a field either lacks
    counts as None)."""
    return {name: [old.get(name), new.get(name)]
            for name in sorted(old.keys() | new.keys())
            if name not in _UNTRACKED and old.get(name) != new.get(name)}


def public(entry: Record) -> Record:
    """An entry as `history ID --json` and the History panel show it (without the prospect id)."""
    return {key: entry[key] for key in ("at", "who", "what", "changes")}
