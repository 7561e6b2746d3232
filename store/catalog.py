"""Company types, sectors and products: data, not code.

The defaults ship beside this module (catalog.toml); a TOML file of the same
shape replaces them (--catalog PATH or PROSPECTS_CATALOG).
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from store.text import unsafe_character

DEFAULT_CATALOG = Path(__file__).with_name("catalog.toml")
MAX_CATALOG_BYTES = 1024 * 1024  # the built-in one is 1 KB
MAX_ENTRY = 200  # characters in one name, like a company name


class CatalogError(Exception):
    """The catalog file is missing, unreadable, or holds something the app cannot use."""


@dataclass(frozen=True)
class Product:
    name: str
    needs_seats: bool = False

    @property
    def key(self) -> str:
        """A stable identifier for widget ids: 'Mimecast for Mac' -> 'mimecast-for-mac'."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


@dataclass(frozen=True)
class Catalog:
    company_types: tuple[str, ...]
    sectors: tuple[str, ...]
    products: tuple[Product, ...]

    def product(self, name: str) -> Product | None:
        """The product of that name, matched ignoring case and spacing."""
        return self._products_by_key.get(_squash(name))

    @cached_property
    def _products_by_key(self) -> dict[str, Product]:
        # An import looks up a product per item of thousands of product lists.
        return {_squash(p.name): p for p in reversed(self.products)}  # the first one wins

    def company_type(self, value: str) -> str | None:
        """The catalog's spelling of a company type, matched ignoring case and spacing."""
        return _pick(self.company_types, value)

    def sector(self, value: str) -> str | None:
        """The catalog's spelling of a sector, matched ignoring case and spacing."""
        return _pick(self.sectors, value)

    def as_json(self) -> dict[str, Any]:
        """The shape `catalog --json` prints."""
        return {
            "company_types": list(self.company_types),
            "sectors": list(self.sectors),
            "products": [{"name": p.name, "needs_seats": p.needs_seats} for p in self.products],
        }


def _squash(value: str) -> str:
    return " ".join(value.split()).casefold()


def _pick(options: tuple[str, ...], value: str) -> str | None:
    wanted = _squash(value)
    return next((option for option in options if _squash(option) == wanted), None)


def load_catalog(path: Path | str | None = None) -> Catalog:
    """Load the catalog from path, PROSPECTS_CATALOG, or the built-in defaults.

    The file is input like any other: CatalogError names the file and the entry when it is
    not a regular file, too big, not TOML, or holds a value the app could not use.
    """
    source = Path(path or os.environ.get("PROSPECTS_CATALOG") or DEFAULT_CATALOG)
    try:
        data = tomllib.loads(read_data_file(source, "catalog"))
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{source}: not a valid TOML file: {error}") from None
    try:
        return _catalog(data)
    except ValueError as error:
        raise CatalogError(f"{source}: {error}; nothing was loaded") from None


def read_data_file(source: Path, what: str) -> str:
    """The text of a small TOML data file (`what`: "catalog", "mail map"), or CatalogError."""
    # O_NONBLOCK: a named pipe given as the catalog must not hang the app while it opens.
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(source, flags)
    except OSError as error:
        raise CatalogError(f"{source}: cannot read the {what}: {error.strerror or error}") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):  # before open(): a folder's descriptor cannot be one
        os.close(fd)
        raise CatalogError(f"{source}: the {what} must be a regular file, not a pipe, a "
                           f"device or a folder")
    with open(fd, "rb") as f:
        if st.st_size > MAX_CATALOG_BYTES:
            raise CatalogError(f"{source}: the {what} is {st.st_size:,} bytes; a {what} is at "
                               f"most {MAX_CATALOG_BYTES:,}")
        raw = f.read(MAX_CATALOG_BYTES + 1)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise CatalogError(f"{source}: not UTF-8 text (line {line}, byte {error.start})") from None


def _catalog(data: dict[str, Any]) -> Catalog:
    company_types = _names(data, "company_types")
    sectors = _names(data, "sectors")
    entries = data.get("products")
    if not isinstance(entries, list) or not entries:
        raise ValueError("products must be one or more [[products]] tables, each with a name")
    products: list[Product] = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise ValueError(f"products entry {n} must be a [[products]] table")
        where = f"products entry {n}"
        name = _name(entry.get("name"), f"{where}: name")
        where = f"products entry {n} ({name!r})"
        unknown = sorted(set(entry) - {"name", "needs_seats"})
        if unknown:
            raise ValueError(f"{where}: unknown key {unknown[0]!r}; a product has name and "
                             f"needs_seats")
        if ";" in name or ":" in name:
            raise ValueError(f"{where}: a product name cannot hold ';' or ':', which separate "
                             f"products and seats in an upload ('Cloud Archive; Mimecast for Mac:25')")
        needs_seats = entry.get("needs_seats", False)
        if not isinstance(needs_seats, bool):
            raise ValueError(f"{where}: needs_seats must be true or false (unquoted), not "
                             f"{repr(needs_seats)[:60]}")
        product = Product(name, needs_seats)
        if not product.key:
            raise ValueError(f"{where}: the name needs at least one letter or digit")
        for earlier in products:
            if earlier.key == product.key or _squash(earlier.name) == _squash(name):
                raise ValueError(f"{where}: too like {earlier.name!r} (both are "
                                 f"{product.key!r} inside the app); rename one")
        products.append(product)
    return Catalog(company_types, sectors, tuple(products))


def _names(data: dict[str, Any], key: str) -> tuple[str, ...]:
    values = data.get(key)
    if not isinstance(values, list) or not values:
        raise ValueError(f"{key} must be a list of one or more names, e.g. {key} = [\"Retail\"]")
    names: list[str] = []
    for n, value in enumerate(values, 1):
        name = _name(value, f"{key} entry {n}")
        twin = _pick(tuple(names), name)
        if twin is not None:
            raise ValueError(f"{key} entry {n} ({name!r}) is the same as {twin!r}")
        names.append(name)
    return tuple(names)


def _name(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where} must be a quoted name, not {repr(value)[:60]}")
    if not value.strip():
        raise ValueError(f"{where} is empty")
    if len(value) > MAX_ENTRY:
        raise ValueError(f"{where} is {len(value):,} characters long; at most {MAX_ENTRY}")
    unsafe = unsafe_character(value)
    if unsafe is not None:
        raise ValueError(f"{where} {unsafe}")
    return value.strip()
