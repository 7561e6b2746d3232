"""Choose products from the catalog; a product that needs seats asks for them."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, SelectionList
from textual.widgets.selection_list import Selection

from store.catalog import Catalog, Product
from store.models import ProductLine
from store.rules.fields import Invalid, whole_number
from tui.widgets.plain import PlainInput, plain, plain_cell
from tui.widgets.tick_list import TickList

ProductsSnapshot = tuple[tuple[str, ...], tuple[tuple[str, str], ...]]


class ProductPicker(TickList):
    """The catalog's products as a multi-select: Space or Enter toggles one."""


class ProductsField(Vertical):
    """The product picker (`#products`) and, under it, a `#seats-<key>` input for each
    chosen product that needs seats."""

    DEFAULT_CSS = """
    ProductsField { height: auto; }
    ProductsField ProductPicker { max-height: 16; }
    ProductsField .seats-row { height: auto; margin-top: 1; }
    ProductsField .seats-label { width: auto; max-width: 40; padding: 1 1 0 0; }
    ProductsField .seats-row Input { width: 16; }
    """

    def __init__(
        self, catalog: Catalog, lines: list[ProductLine] | None = None, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.catalog = catalog
        chosen = {line.product: line for line in lines or []}
        self._initial = chosen

    @property
    def picker(self) -> ProductPicker:
        """The multi-select itself."""
        return self.query_one("#products", ProductPicker)

    def compose(self) -> ComposeResult:
        yield ProductPicker(
            *(
                Selection(plain_cell(product.name), product.name, product.name in self._initial)
                for product in self.catalog.products
            ),
            id="products",
        )
        for product in self.catalog.products:
            if not product.needs_seats:
                continue
            line = self._initial.get(product.name)
            seats = "" if line is None or line.seats is None else str(line.seats)
            row = Horizontal(
                Label(plain(f"Seats for {product.name} *"), classes="seats-label"),
                PlainInput(seats, placeholder="e.g. 25", id=f"seats-{product.key}"),
                classes="seats-row", id=f"seats-{product.key}-row",
            )
            row.display = product.name in self._initial  # shown only for a chosen product
            yield row

    @on(SelectionList.SelectedChanged, "#products")
    def _chosen_changed(self) -> None:
        self._show_seat_rows()

    def _show_seat_rows(self) -> None:
        chosen = set(self.picker.selected)
        for product in self._seat_products():
            self.query_one(f"#seats-{product.key}-row").display = product.name in chosen

    def _seat_products(self) -> list[Product]:
        return [p for p in self.catalog.products if p.needs_seats]

    def chosen(self) -> list[Product]:
        """The chosen products: those the prospect had, in their stored order (a save that
        changes nothing there changes nothing), then new ones in catalog order."""
        selected = set(self.picker.selected)
        by_name = {p.name: p for p in self.catalog.products}
        kept = [by_name[name] for name in self._initial if name in selected and name in by_name]
        return kept + [p for p in self.catalog.products
                       if p.name in selected and p.name not in self._initial]

    def values(self) -> tuple[list[tuple[str, str]], dict[str, str]]:
        """(product name, seats text) pairs for build_prospect, and seat errors by widget id.

        A product whose seats are wrong is left out of the pairs, so that the error
        is told once, under its own seats input, in the form's words.
        """
        pairs: list[tuple[str, str]] = []
        errors: dict[str, str] = {}
        for product in self.chosen():
            if not product.needs_seats:
                pairs.append((product.name, ""))
                continue
            widget_id = f"seats-{product.key}"
            text = self.query_one(f"#{widget_id}", Input).value.strip()
            label = f"Seats for {product.name}"
            if not text:
                errors[widget_id] = f"{label} is required: a whole number of 1 or more"
                continue
            try:
                number = whole_number(text)
            except Invalid as invalid:
                errors[widget_id] = f"{label}: {invalid}"
                continue
            pairs.append((product.name, str(number)))
        return pairs, errors

    def snapshot(self) -> ProductsSnapshot:
        """What the person has chosen and typed, to tell whether anything changed."""
        seats = tuple(
            (p.key, self.query_one(f"#seats-{p.key}", Input).value)
            for p in self._seat_products()
            if p.name in self.picker.selected
        )
        return tuple(self.picker.selected), seats
