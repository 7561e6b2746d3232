"""The records an import will create, held as clean values until they are written."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

from store.rules.validation import FIELDS, prospect_record

Record = dict[str, Any]


class PlannedRecords(Sequence[Record]):
    """The records an import will create, kept as clean values column by column (FIELDS order).

    Each record is built when read (by prospect_record, the one serializer), so the plan
    holds shared clean values and the write builds every record once, fresh, for the
    store to take over.
    """

    def __init__(self) -> None:
        self.columns: list[list[Any]] = [[] for _ in FIELDS]

    def __len__(self) -> int:
        return len(self.columns[0])

    @overload
    def __getitem__(self, index: int) -> Record: ...

    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...

    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return prospect_record(*(column[index] for column in self.columns))

    def __iter__(self) -> Iterator[Record]:
        return map(prospect_record, *self.columns)

    @property
    def domains(self) -> list[str]:
        """Each record's domain, without building the records."""
        return self.columns[FIELDS.index("domain")]

    def extend_columns(self, columns: Sequence[Sequence[Any]]) -> None:
        """Add many records given as clean columns."""
        for mine, more in zip(self.columns, columns, strict=True):
            mine.extend(more)

    def add_row(self, columns: Sequence[Sequence[Any]], i: int) -> None:
        """Add row i of clean columns."""
        for mine, more in zip(self.columns, columns, strict=True):
            mine.append(more[i])

