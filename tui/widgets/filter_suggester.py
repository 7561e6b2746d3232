"""Completion for the list's search box: field names and known values of the filter."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from textual.suggester import Suggester

from store.listing.completion import complete_filter


class FilterSuggester(Suggester):
    """Suggests the rest of the filter's last term (store.listing.completion)."""

    def __init__(self, values: Callable[[], Mapping[str, Iterable[str]]]) -> None:
        # No cache: the known values change as users and the catalog do.
        super().__init__(use_cache=False, case_sensitive=True)
        self.values = values

    async def get_suggestion(self, value: str) -> str | None:
        return complete_filter(value, self.values())
