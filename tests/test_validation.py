"""The rules for a prospect, the same for the form, the CLI and the importer."""

from datetime import date

import pytest

from store.catalog import load_catalog
from store.models import User
from store.rules.fields import parse_products
from store.rules.validation import ProspectInvalid, build_prospect, name_warning

USERS = [
    User(id=1, name="Ada Lovelace", email="ada@example.com", implementation_lead=True),
    User(id=2, name="Grace Hopper", email="grace@example.com", implementation_lead=True),
    User(id=3, name="Bob Plain", email="bob@example.com"),
]
CATALOG = load_catalog()


def values(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "company_type": "End Customer",
        "company_name": "Example Ltd",
        "domain": "https://www.Example.COM/contact",
        "sector": "technology",
        "implementation_lead": "ADA@example.com",
    }
    base.update(changes)
    return base


def errors_of(**changes: object) -> dict[str, str]:
    with pytest.raises(ProspectInvalid) as info:
        build_prospect(values(**changes), catalog=CATALOG, users=USERS)
    return {e.field: str(e) for e in info.value.errors}


def test_a_valid_prospect_is_normalised() -> None:
    p = build_prospect(
        values(expected_provision_date="2027-03-15", permitted_users="1,200",
               products="Cloud Archive; mimecast for mac:25", secondary_contact="Grace Hopper"),
        catalog=CATALOG, users=USERS,
    )
    assert p.domain == "example.com"
    assert p.sector == "Technology"
    assert p.implementation_lead == 1 and p.secondary_contact == 2
    assert p.expected_provision_date == date(2027, 3, 15)
    assert p.permitted_users == 1200
    assert [(x.product, x.seats) for x in p.products] == [
        ("Cloud Archive", None), ("Mimecast for Mac", 25)]


def test_every_required_field_is_named() -> None:
    errors = errors_of(company_type="", company_name=" ", domain="", sector="",
                       implementation_lead="")
    assert set(errors) == {"company_type", "company_name", "domain", "sector",
                           "implementation_lead"}
    assert errors["company_name"] == "Company Name: is required"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("company_type", "Alien", "Company Type: 'Alien' is not one of: End Customer"),
        ("domain", "exa mple.com", "Domain: "),
        ("implementation_lead", "bob@example.com", "'Bob Plain' is not flagged"),
        ("implementation_lead", "nobody@example.com", "is not a known user"),
        ("secondary_contact", "ada@example.com", "must be someone other than"),
        ("expected_provision_date", "15/03/2027", "use YYYY-MM-DD"),
        ("permitted_users", "0", "must be a whole number of 1 or more"),
        ("permitted_users", "lots", "must be a whole number of 1 or more"),
        ("products", "Mimecast for Mac", "Mimecast for Mac needs seats"),
        ("products", "Mimecast for Mac:0", "seats for Mimecast for Mac must be"),
        ("products", "Email Toaster", "'Email Toaster' is not a product"),
        ("website", "not a url", "is not a web address"),
    ],
)
def test_each_rule_names_field_and_fix(field: str, value: str, expected: str) -> None:
    errors = errors_of(**{field: value})
    assert list(errors) == [field]
    assert expected in errors[field]


def test_hostile_values_in_messages_are_cleaned() -> None:
    errors = errors_of(company_type="\x1b[31m[bold]x\u202e")
    message = errors["company_type"]
    assert "\x1b" not in message and "\u202e" not in message
    assert "[bold]x" in errors_of(company_type="[bold]x")["company_type"]


def test_names_are_kept_exactly() -> None:
    name = "Tom & Jerry [UK] Ltd \U0001f600\U0001f44d\U0001f3fd [/]"
    p = build_prospect(values(company_name=name), catalog=CATALOG, users=USERS)
    assert p.company_name == name


def test_parse_products() -> None:
    assert parse_products(" A ;B:25; ;") == [("A", ""), ("B", "25")]
    assert parse_products(None) == []


@pytest.mark.parametrize(("name", "warns"), [("IBM", True), ("Acme", False),
                                             ("Acme Widgets Ltd", False), ("AB", True)])
def test_abbreviation_warning(name: str, warns: bool) -> None:
    assert (name_warning(name) is not None) is warns


def test_a_name_two_users_share_is_refused_listing_both_emails() -> None:
    twins = [*USERS, User(id=4, name="Ada Lovelace", email="ada.l@example.org",
                          implementation_lead=True)]
    with pytest.raises(ProspectInvalid) as info:
        build_prospect(values(implementation_lead="Ada Lovelace", secondary_contact="Ada Lovelace"),
                       catalog=CATALOG, users=twins)
    messages = {e.field: str(e) for e in info.value.errors}
    for field in ("implementation_lead", "secondary_contact"):
        assert "'Ada Lovelace' is the name of 2 users" in messages[field]
        assert "'ada@example.com'" in messages[field] and "'ada.l@example.org'" in messages[field]
    chosen = build_prospect(values(implementation_lead="ADA.L@example.org"), catalog=CATALOG,
                            users=twins)
    assert chosen.implementation_lead == 4
    assert build_prospect(values(implementation_lead="Grace Hopper"), catalog=CATALOG,
                          users=twins).implementation_lead == 2
