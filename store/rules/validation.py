"""One set of rules for a prospect, whether it comes from the form, the CLI or a file.

`build_prospect` turns the values a person typed into a valid `Prospect`, or
raises `ProspectInvalid` listing every bad field with a message that names the
rule, so that an error reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from store.catalog import Catalog
from store.domain.names import DomainError, normalise_domain
from store.models import ProductLine, Prospect, User
from store.text import quoted, unsafe_character

FIELD_LABELS: dict[str, str] = {
    "company_type": "Company Type",
    "company_name": "Company Name",
    "domain": "Domain",
    "website": "Website",
    "sector": "Sector",
    "implementation_lead": "Implementation Lead",
    "secondary_contact": "Secondary Implementation Contact",
    "expected_provision_date": "Expected Provision Date",
    "permitted_users": "Permitted Users",
    "products": "Products",
}
MAX_NAME = 200
MAX_WEBSITE = 2048


@dataclass(frozen=True)
class FieldError:
    """A problem with one field: `field` is the model field, `message` says the rule."""

    field: str
    message: str

    @property
    def label(self) -> str:
        """The field's name as the form and the template show it."""
        return FIELD_LABELS.get(self.field, self.field)

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


class ProspectInvalid(ValueError):
    """Raised with every field error found, in form order."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class AmbiguousUserError(ValueError):
    """A name that more than one user has; the message lists their e-mails."""


def find_user(users: Iterable[User], ref: object) -> User | None:
    """The user named by id, e-mail (any case) or exact name.

    AmbiguousUserError when several users have that name: picking one would be a guess.
    """
    users = list(users)
    if isinstance(ref, int) and not isinstance(ref, bool):
        return next((u for u in users if u.id == ref), None)
    text = str(ref).strip()
    if not text:
        return None
    folded = text.casefold()
    by_email = next((u for u in users if u.email.casefold() == folded), None)
    if by_email is not None:
        return by_email
    named = [u for u in users if u.name == text]
    if len(named) > 1:
        emails = ", ".join(quoted(u.email) for u in named)
        raise AmbiguousUserError(f"{quoted(text)} is the name of {len(named)} users ({emails}): "
                                 f"give the e-mail instead")
    return named[0] if named else None


def parse_products(value: object) -> list[tuple[str, str]]:
    """Split 'Cloud Archive; Mimecast for Mac:25' into [(name, seats text)]."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = [p for p in (s.strip() for s in value.split(";")) if p]
        pairs = []
        for part in parts:
            name, _, seats = part.rpartition(":") if ":" in part else (part, "", "")
            pairs.append((name.strip(), seats.strip()))
        return pairs
    if isinstance(value, Mapping):
        return [(str(k), "" if v is None else str(v)) for k, v in value.items()]
    return [(str(name), "" if seats is None else str(seats)) for name, seats in value]  # type: ignore[attr-defined]


def _text(values: Mapping[str, Any], field: str) -> str:
    value = values.get(field)
    return "" if value is None else str(value).strip()


def _whole_number(text: str) -> int | None:
    try:
        number = int(text.replace(",", "").strip())
    except ValueError:
        return None
    return number


class _Builder:
    def __init__(self, values: Mapping[str, Any], catalog: Catalog, users: Sequence[User]):
        self.values = values
        self.catalog = catalog
        self.users = users
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def refused(self, field: str, text: str) -> bool:
        """True (with the field's error) when text holds a control or bidi character."""
        problem = unsafe_character(text)
        if problem is not None:
            self.fail(field, problem)
        return problem is not None

    def text(self, field: str) -> str | None:
        """The field's text, stripped, or None when it was refused."""
        text = _text(self.values, field)
        return None if self.refused(field, text) else text

    def choice(self, field: str, options: tuple[str, ...], pick: Any) -> str:
        text = self.text(field)
        if text is None:
            return ""
        if not text:
            self.fail(field, "is required")
            return ""
        chosen: str | None = pick(text)
        if chosen is None:
            self.fail(field, f"{quoted(text)} is not one of: {', '.join(options)}")
            return ""
        return chosen

    def company_name(self) -> str:
        name = self.text("company_name")
        if name is None:
            return ""
        if not name:
            self.fail("company_name", "is required")
        elif len(name) > MAX_NAME:
            self.fail("company_name", f"is {len(name)} characters long; at most {MAX_NAME}")
        return name

    def domain(self) -> str:
        text = self.text("domain")
        if text is None:
            return ""
        if not text:
            self.fail("domain", "is required")
            return ""
        try:
            return normalise_domain(text).ascii
        except DomainError as error:
            self.fail("domain", str(error))
            return ""

    def website(self) -> str:
        text = self.text("website")
        if text is None:
            return ""
        if len(text) > MAX_WEBSITE:
            self.fail("website", f"is longer than {MAX_WEBSITE} characters")
        elif text and (any(c.isspace() for c in text) or "." not in text):
            self.fail("website", f"{quoted(text)} is not a web address (e.g. https://example.com)")
        return text

    def user(self, field: str, required: bool) -> int | None:
        ref = self.values.get(field)
        if ref is None or (isinstance(ref, str) and not ref.strip()):
            if required:
                self.fail(field, "is required: choose an implementation lead (add one under Users)")
            return None
        if isinstance(ref, str) and self.refused(field, ref):
            return None
        try:
            user = find_user(self.users, ref)
        except AmbiguousUserError as error:
            self.fail(field, str(error))
            return None
        if user is None:
            self.fail(field, f"{quoted(ref)} is not a known user (give an e-mail or exact name)")
            return None
        if not user.implementation_lead:
            self.fail(field, f"{quoted(user.name)} is not flagged as an implementation lead")
            return None
        return user.id

    def provision_date(self) -> date | None:
        value = self.values.get("expected_provision_date")
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(
                "expected_provision_date",
                f"{quoted(text)} is not a date: use YYYY-MM-DD, e.g. 2027-03-15",
            )
            return None

    def permitted_users(self) -> int | None:
        text = _text(self.values, "permitted_users")
        if not text:
            return None
        number = _whole_number(text)
        if number is None or number < 1:
            self.fail("permitted_users", f"{quoted(text)} must be a whole number of 1 or more")
            return None
        return number

    def products(self) -> list[ProductLine]:
        lines: list[ProductLine] = []
        seen: set[str] = set()
        for name, seats_text in parse_products(self.values.get("products")):
            if self.refused("products", name) or self.refused("products", seats_text):
                continue
            product = self.catalog.product(name)
            if product is None:
                known = ", ".join(p.name for p in self.catalog.products)
                self.fail("products", f"{quoted(name)} is not a product; known products: {known}")
                continue
            if product.name in seen:
                self.fail("products", f"{quoted(product.name)} is listed twice")
                continue
            seen.add(product.name)
            seats = _whole_number(seats_text) if seats_text else None
            if seats_text and (seats is None or seats < 1):
                self.fail("products", f"seats for {product.name} must be a whole number of 1 or more")
                continue
            if product.needs_seats and seats is None:
                self.fail("products", f"{product.name} needs seats: write '{product.name}:25'")
                continue
            lines.append(ProductLine(product=product.name, seats=seats))
        return lines


def build_prospect(
    values: Mapping[str, Any],
    *,
    catalog: Catalog,
    users: Sequence[User],
    base: Prospect | None = None,
) -> Prospect:
    """A valid Prospect from typed values (keys as in FIELD_LABELS), or ProspectInvalid.

    With `base`, the result keeps base's id, status, history and version so that
    the Store can tell a stale save from a fresh one.
    """
    b = _Builder(values, catalog, users)
    company_type = b.choice("company_type", catalog.company_types, catalog.company_type)
    company_name = b.company_name()
    domain = b.domain()
    website = b.website()
    sector = b.choice("sector", catalog.sectors, catalog.sector)
    lead = b.user("implementation_lead", required=True)
    secondary = b.user("secondary_contact", required=False)
    if lead is not None and secondary == lead:
        b.fail("secondary_contact", "must be someone other than the implementation lead")
    provision = b.provision_date()
    permitted = b.permitted_users()
    products = b.products()
    if b.errors:
        raise ProspectInvalid(b.errors)
    assert lead is not None
    fields: dict[str, Any] = {
        "company_type": company_type,
        "company_name": company_name,
        "domain": domain,
        "website": website,
        "sector": sector,
        "implementation_lead": lead,
        "secondary_contact": secondary,
        "expected_provision_date": provision,
        "permitted_users": permitted,
        "products": products,
    }
    if base is None:
        return Prospect(**fields)
    return base.model_copy(update=fields)


def name_warning(name: str) -> str | None:
    """A soft warning when a company name looks abbreviated; never a block."""
    words = name.split()
    if not words:
        return None
    letters = "".join(ch for ch in name if ch.isalpha())
    if len(words) == 1 and letters.isupper() and 1 < len(letters) <= 5:
        return f"{quoted(name)} looks like an abbreviation: please give the full company name"
    if len(name.strip()) <= 3:
        return f"{quoted(name)} is very short: please give the full company name"
    return None
