"""Company types, sectors and products: data, not code.

The defaults ship beside this module (catalog.toml); a TOML file of the same
shape replaces them (--catalog PATH or PROSPECTS_CATALOG).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_CATALOG = Path(__file__).with_name("catalog.toml")


class CatalogError(Exception):
    """The catalog file is missing, unreadable or of the wrong shape."""


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
        wanted = _squash(name)
        for product in self.products:
            if _squash(product.name) == wanted:
                return product
        return None

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
    """Load the catalog from path, PROSPECTS_CATALOG, or the built-in defaults."""
    source = Path(path or os.environ.get("PROSPECTS_CATALOG") or DEFAULT_CATALOG)
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CatalogError(f"{source}: cannot read the catalog: {error}") from error
    try:
        company_types = tuple(str(v) for v in data["company_types"])
        sectors = tuple(str(v) for v in data["sectors"])
        products = tuple(
            Product(str(p["name"]), bool(p.get("needs_seats", False))) for p in data["products"]
        )
    except (KeyError, TypeError) as error:
        raise CatalogError(
            f"{source}: a catalog needs company_types, sectors and [[products]] with a name"
        ) from error
    if not company_types or not sectors or not products:
        raise CatalogError(f"{source}: company_types, sectors and products must not be empty")
    return Catalog(company_types, sectors, products)
