"""The types each stored record must have, checked while the file is parsed.

A hand-edited or foreign file can have the right shape and wrong types inside (products
a string, an e-mail null, a record key that is not a number); the app would then crash
far from the cause. The JSON types are derived from the pydantic models, and msgspec
checks them in C while it parses: at 100k prospects that is no slower than parsing alone
with orjson, where a check in Python costs as much again. Only when the check fails is the
file searched, record by record, for a message naming the table, the record and the field.

Fields of a known table that the models do not name are not kept (like the models, which
ignore them); tables the app does not know are kept as they are.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date, datetime
from typing import Any, Literal, NotRequired, Required, TypedDict, Union

import msgspec
from pydantic import BaseModel

from store.backends.tinydb.transaction import BATCHES, ORDERS, PROSPECTS, SEQUENCES, USERS, VIEWS
from store.models import ImportBatch, Order, Prospect, User, View

Tables = dict[str, dict[str, dict[str, Any]]]
_MODELS: dict[str, type[BaseModel]] = {
    PROSPECTS: Prospect, USERS: User, ORDERS: Order, BATCHES: ImportBatch, VIEWS: View,
}
_NAMES = {"str": "a string", "int": "a whole number", "bool": "true/false", "null": "null",
          "float": "a number", "array": "a list", "object": "an object"}


def _json_type(annotation: Any) -> Any:
    """The JSON form of a model field's type: dates are ISO strings, models are objects."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        return Union[tuple(_json_type(a) for a in typing.get_args(annotation))]  # noqa: UP007
    if origin is list:
        return list[_json_type(typing.get_args(annotation)[0])]  # type: ignore[misc]
    if origin is Literal:
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _record_type(annotation)
    if annotation in (date, datetime):
        return str
    return annotation


def _record_type(model: type[BaseModel]) -> Any:
    fields = {
        name: (Required if info.is_required() else NotRequired)[_json_type(info.annotation)]
        for name, info in model.model_fields.items()
        if name != "id"  # the record's key
    }
    return TypedDict(f"{model.__name__}Record", fields, total=False)  # type: ignore[operator]


_TABLE_TYPES: dict[str, Any] = {
    name: dict[str, _record_type(m)] for name, m in _MODELS.items()  # type: ignore[misc]
}
_TABLE_TYPES[SEQUENCES] = dict[str, dict[str, int]]
_FILE = msgspec.json.Decoder(dict[str, msgspec.Raw])
_Sig = tuple[int, int, int]
_CHANGES = msgspec.json.Decoder(tuple[_Sig, _Sig, dict[str, msgspec.Raw]])
_RECORD_TYPES: dict[str, Any] = {name: _record_type(m) for name, m in _MODELS.items()}
_RECORD_TYPES[SEQUENCES] = dict[str, int]
_CHANGED = {name: msgspec.json.Decoder(dict[str, Union[t, None]])  # type: ignore[valid-type]  # noqa: UP007
            for name, t in _RECORD_TYPES.items()}
_DECODERS = {name: msgspec.json.Decoder(t) for name, t in _TABLE_TYPES.items()}
_ANY = msgspec.json.Decoder()


def decode(raw: bytes) -> Tables | None:
    """Parse a data file and check every known table's types; None if anything is wrong.

    None says only that the file must be examined (see `problem`): it may not be JSON at all.
    """
    try:
        tables = _FILE.decode(raw)
        data = {name: _DECODERS.get(name, _ANY).decode(table) for name, table in tables.items()}
    except msgspec.DecodeError:
        return None
    for name, table in data.items():
        if name in _DECODERS and not _numbered(table):
            return None
    return data


def decode_changes(raw: bytes) -> tuple[_Sig, _Sig, dict[str, dict[str, Any]]] | None:
    """A change file (storage.py: [before, after, tables]), every record's types checked as
    a load checks them; None if anything is wrong (the reader then parses the whole file)."""
    try:
        before, after, tables = _CHANGES.decode(raw)
        data = {name: _CHANGED[name].decode(table) for name, table in tables.items()}
    except (msgspec.DecodeError, KeyError):
        return None
    if not all(_numbered(table) for table in data.values()):
        return None
    return before, after, data


def _numbered(table: dict[str, Any]) -> bool:
    return all(map(str.isdecimal, table)) and all(map(str.isascii, table))


def problem(data: Tables) -> str | None:
    """The first record whose types are wrong, naming the table, the record and the field."""
    for name, table in data.items():
        record_type = _TABLE_TYPES.get(name)
        if record_type is None:
            continue
        if not _numbered(table):
            key = next(k for k in table if not (k.isdecimal() and k.isascii()))
            return f"table {name!r} has a record numbered {key[:40]!r}; records are numbered 1, 2, 3..."
        for key, record in table.items():
            try:
                msgspec.convert({key: record}, record_type, strict=True)
            except msgspec.ValidationError as error:
                return f"table {name!r}, record {key!r}: {_plain(str(error))}"
    return None


def _plain(message: str) -> str:
    """msgspec's 'Expected `str`, got `null` - at `$[...].email`' as a person reads it."""
    text, _, where = message.partition(" - at ")
    field = re.sub(r"^\$(\[\.\.\.\])+\.?", "", where.strip("`"))
    missing = re.fullmatch(r"Object missing required field `(\w+)`", text)
    if missing:
        return f"field {'.'.join(filter(None, (field, missing.group(1))))!r} is missing"
    field = field or "a value"
    wrong = re.fullmatch(r"Expected `([^`]+)`, got `(\w+)`", text)
    if wrong:
        wanted = " or ".join(_NAMES.get(w, w) for w in wrong.group(1).split(" | "))
        return f"field {field!r} is {_NAMES.get(wrong.group(2), wrong.group(2))}, not {wanted}"
    enum = re.fullmatch(r"Invalid enum value (.*)", text)
    if enum:
        return f"field {field!r} is {enum.group(1)}, which is not an allowed value"
    return f"field {field!r}: {text}"
