"""Records to rows and back: JSON-mode records as typed columns.

A record is ``Model.model_dump(mode="json")`` without the id (store.backends.base);
the tables have real types (date, timestamptz, bigint, jsonb) so the database can
check and sort them. Rows go in as ISO strings and JSON text, which PostgreSQL
parses by the column's type (in COPY too); they come back formatted by the
server exactly as pydantic writes them ("2026-01-02T03:04:05Z"), so nothing is
parsed twice on the client.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from store.backends.base import BATCHES, ORDERS, PROSPECTS, USERS, Record, Table
from store.models import ImportBatch, Order, Prospect, User
from store.text import name_key

Kind = Literal["plain", "date", "time", "json"]

_MODELS: dict[Table, type[BaseModel]] = {
    PROSPECTS: Prospect, USERS: User, ORDERS: Order, BATCHES: ImportBatch,
}
_JSON_FIELDS = {"products", "domain_check", "prospect_ids"}


def _kind(model: type[BaseModel], name: str) -> Kind:
    if name in _JSON_FIELDS:
        return "json"
    annotation = model.model_fields[name].annotation
    types = set(typing.get_args(annotation)) | {annotation}
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


def to_row(table: Table, record: Record) -> list[Any]:
    """A record's values in insert_columns order; a missing field gets the model's default."""
    row = []
    for name, kind in FIELDS[table]:
        value = record[name] if name in record else _default(table, name)
        row.append(orjson.dumps(value).decode() if kind == "json" and value is not None else value)
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
    if kind == "date":
        return f"to_char({name}, 'YYYY-MM-DD')"
    if kind == "time":
        # pydantic's JSON form: UTC as Z, microseconds only when there are some.
        utc = f"({name} AT TIME ZONE 'UTC')"
        return (f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN date_trunc('second', "
                f"{name}) = {name} THEN 'Z' ELSE to_char({utc}, '.US\"Z\"') END")
    return name


SELECT: dict[Table, str] = {
    table: "SELECT id, " + ", ".join(_select_expression(n, k) for n, k in fields) + f" FROM {table}"
    for table, fields in FIELDS.items()
}
"""Each table's records as JSON-mode values, id first; add a WHERE or ORDER BY."""

NAMES: dict[Table, tuple[str, ...]] = {
    table: tuple(name for name, _ in fields) for table, fields in FIELDS.items()
}


def records(table: Table, rows: list[tuple[Any, ...]]) -> list[tuple[int, Record]]:
    """Rows from SELECT[table] as (id, record) pairs."""
    names = NAMES[table]
    return [(row[0], dict(zip(names, row[1:], strict=True))) for row in rows]
