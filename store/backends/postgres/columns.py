"""Records to rows and back: JSON-mode records as typed columns.

A record is ``Model.model_dump(mode="json")`` without the id (store.backends.base);
the tables have real types (date, timestamptz, bigint, json) so the database can
check and sort them. Rows go in as ISO strings and JSON text, which PostgreSQL
parses by the column's type (in COPY too). They come back as text the server
makes cheaply, finished here into what pydantic writes ("2026-01-02T03:04:05Z"):
no datetime or date objects are built only to be turned back into strings.
"""

from __future__ import annotations

import operator
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from store.backends.base import BATCHES, ORDERS, PROSPECTS, USERS, VIEWS, Record, Table
from store.models import ImportBatch, Order, Prospect, User, View
from store.text import name_key

Kind = Literal["plain", "date", "time", "json"]

_MODELS: dict[Table, type[BaseModel]] = {
    PROSPECTS: Prospect, USERS: User, ORDERS: Order, BATCHES: ImportBatch, VIEWS: View,
}


def _kind(model: type[BaseModel], name: str) -> Kind:
    annotation = model.model_fields[name].annotation
    types = set(typing.get_args(annotation)) | {annotation}
    if typing.get_origin(annotation) is list or any(
            isinstance(t, type) and issubclass(t, BaseModel) for t in types):
        return "json"  # products, domain_check, prospect_ids: json, kept as written (key order)
    if datetime in types:  # before date: a datetime is a date
        return "time"
    return "date" if date in types else "plain"


FIELDS: dict[Table, tuple[tuple[str, Kind], ...]] = {
    table: tuple((name, _kind(model, name)) for name in model.model_fields if name != "id")
    for table, model in _MODELS.items()
}
"""Each table's record fields (the models' order) and how each is stored."""

DERIVED: dict[Table, tuple[str, str, Callable[[Any], str]]] = {
    USERS: ("email_key", "email", lambda email: str(email).casefold()),
    PROSPECTS: ("name_key", "company_name", lambda name: name_key(str(name))),
    VIEWS: ("name_key", "name", lambda name: name_key(str(name))),  # unique within a scope
}
"""A column the backend computes on write, from which field, how: kept for find()."""


def _default(table: Table, name: str) -> Any:
    info = _MODELS[table].model_fields[name]
    if info.is_required():
        return None  # the column's NOT NULL refuses the record, naming the field
    return to_jsonable_python(info.get_default(call_default_factory=True))


def to_param(kind: Kind, value: Any) -> Any:
    """A record's value as a query parameter: JSON as text, the rest as is (ISO strings too)."""
    if kind == "json" and value is not None:
        return orjson.dumps(value).decode()
    return value


def insert_columns(table: Table) -> list[str]:
    """The columns a row from to_row fills, after the id."""
    columns = [name for name, _ in FIELDS[table]]
    if table in DERIVED:
        columns.append(DERIVED[table][0])
    return columns


_GETTERS = {table: operator.itemgetter(*(name for name, _ in fields)) for table, fields in FIELDS.items()}
_JSON_AT = {table: [i for i, (_, kind) in enumerate(fields) if kind == "json"]
            for table, fields in FIELDS.items()}


def to_row(table: Table, record: Record) -> list[Any]:
    """A record's values in insert_columns order; a missing field gets the model's default."""
    try:
        row = list(_GETTERS[table](record))  # in C: the common case, a complete record
    except KeyError:
        row = [record[name] if name in record else _default(table, name) for name, _ in FIELDS[table]]
    for index in _JSON_AT[table]:
        if row[index] is not None:
            row[index] = orjson.dumps(row[index]).decode()
    if table in DERIVED:
        _, source, derive = DERIVED[table]
        value = record.get(source)
        row.append(None if value is None else derive(value))
    return row


def to_assignments(table: Table, fields: Record) -> dict[str, Any]:
    """Columns and parameters for an update of some fields (a derived column follows its source)."""
    kinds = dict(FIELDS[table])
    unknown = set(fields) - set(kinds)
    if unknown:
        raise ValueError(f"{table} has no field {sorted(unknown)[0]!r}")
    assignments = {name: to_param(kinds[name], value) for name, value in fields.items()}
    if table in DERIVED:
        column, source, derive = DERIVED[table]
        if source in fields:
            assignments[column] = None if fields[source] is None else derive(fields[source])
    return assignments


def _select_expression(name: str, kind: Kind) -> str:
    # Text the server makes cheaply (the connection is set to UTC and ISO dates);
    # records() finishes it. JSON as text: parsed all at once, not value by value.
    if kind == "json":
        return f"coalesce({name}::text, 'null')"
    if kind == "time":
        return f"replace(replace({name}::text, ' ', 'T'), '+00', 'Z')"
    if kind == "date":
        return f"{name}::text"
    return name


SELECT: dict[Table, str] = {
    table: "SELECT " + ", ".join(_select_expression(n, k) for n, k in fields) + f", id FROM {table}"
    for table, fields in FIELDS.items()
}
"""Each table's rows for records(), the id last; add a WHERE or ORDER BY."""

NAMES: dict[Table, tuple[str, ...]] = {
    table: tuple(name for name, _ in fields) for table, fields in FIELDS.items()
}
_WHOLE_SECOND = len("2026-01-02T03:04:05Z")


def _pydantic_time(value: str | None) -> str | None:
    """The server's "...T03:04:05.12Z" as pydantic writes it: "...T03:04:05.120000Z"."""
    if value is None or len(value) == _WHOLE_SECOND:
        return value
    seconds, _, fraction = value.removesuffix("Z").partition(".")
    return f"{seconds}.{fraction:0<6}Z"


def records(table: Table, rows: list[tuple[Any, ...]]) -> list[tuple[int, Record]]:
    """Rows from SELECT[table] as (id, record) pairs, JSON-mode values exactly as pydantic's.

    At 100k rows every step counts: zip() pairs the names with a row and stops before
    the id (last), without slicing; one orjson call parses a whole JSON column, several
    times faster than a parse per value.
    """
    names = NAMES[table]
    last = len(names)
    found = [(row[last], dict(zip(names, row, strict=False))) for row in rows]
    for index, (name, kind) in enumerate(FIELDS[table]):
        if kind == "json":
            for (_, record), value in zip(found, _json_column([row[index] for row in rows]),
                                          strict=True):
                record[name] = value
        elif kind == "time" and any(v is not None and len(v) != _WHOLE_SECOND
                                    for v in [row[index] for row in rows]):
            for _, record in found:
                record[name] = _pydantic_time(record[name])
    return found


def _json_column(texts: list[str]) -> list[Any]:
    """A JSON column parsed, each distinct text once: rows with the same products (or none)
    share one parsed value, read-only like every record the list holds (60 MB less at 100k)."""
    distinct = list(dict.fromkeys(texts))
    parsed = orjson.loads("[" + ",".join(distinct) + "]")
    if len(distinct) == len(texts):
        return list(parsed)
    return list(map(dict(zip(distinct, parsed, strict=True)).__getitem__, texts))
