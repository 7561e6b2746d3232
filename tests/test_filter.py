"""The list's filter grammar (store.listing.filter) over a real ProspectList."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from store.backends.base import Changes
from store.errors import FilterError
from store.listing import ProspectList
from store.listing.completion import complete_filter
from store.listing.filter import FIELDS, parse_filter

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
USERS = {1: "Ada Lovelace", 2: "Grace Hopper", 3: "Émile Zola"}


def check(provider: str | None, gateway: str | None, policy: str | None,
          checked_at: str) -> dict[str, Any]:
    return {"verdict": "mail", "message": "", "mail_provider": provider, "gateway": gateway,
            "dmarc": {"record": f"v=DMARC1; p={policy}" if policy else None, "policy": policy},
            "checked_at": checked_at, "signals": []}


RECORDS: list[dict[str, Any]] = [
    {"company_name": "Acme Finance", "domain": "acme.example", "company_type": "Reseller",
     "sector": "Financial Services", "implementation_lead": 1, "secondary_contact": 2,
     "status": "customer", "products": [{"product": "Mimecast for Mac", "seats": 25}],
     "permitted_users": 500, "expected_provision_date": "2027-05-31",
     "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-11-30T09:00:00Z",
     "domain_check": check("Microsoft 365", "Mimecast", "none", "2026-11-25T10:00:00Z")},
    {"company_name": "Café Müller", "domain": "xn--mller-kva.example", "company_type": "End Customer",
     "sector": "Retail", "implementation_lead": 3, "secondary_contact": None,
     "status": None, "products": [{"product": "Cloud Archive", "seats": None}],
     "permitted_users": 40, "expected_provision_date": "2027-06-01",
     "created_at": "2026-03-01T09:00:00Z", "updated_at": "2026-03-01T09:00:00Z",
     "domain_check": check("Google Workspace", None, "reject", "2026-09-01T10:00:00Z")},
    {"company_name": "Tom & Jerry [UK] Ltd", "domain": "tom.example", "company_type": "End Customer",
     "sector": "Finance", "implementation_lead": 2, "status": "prospect", "products": [],
     "permitted_users": None, "expected_provision_date": None,
     "created_at": "2026-06-15T09:00:00Z", "updated_at": "2026-06-15T09:00:00Z"},
    # A hand-edited file: lists and text where a number or text belongs.
    {"company_name": "Odd Ltd", "domain": "odd.example", "sector": ["hand", "edit"],
     "implementation_lead": "ada", "permitted_users": "many", "products": "none",
     "expected_provision_date": "soon", "domain_check": "broken"},
]


def names(text: str, letter: str = "all", sort: str = "company_name") -> list[str]:
    prospects = ProspectList(list(enumerate(RECORDS, start=1)), USERS)
    prospects.sort(sort)
    rows = prospects.matching(parse_filter(text, NOW), letter)
    return [prospects.records[i]["company_name"] for i in rows]


@pytest.mark.parametrize(("text", "expected"), [
    ("name:acme", ["Acme Finance"]),
    ("name:MULLER", ["Café Müller"]),
    ("domain:müller", ["Café Müller"]),
    ("type:reseller", ["Acme Finance"]),
    ("sector:fin", ["Acme Finance", "Tom & Jerry [UK] Ltd"]),
    ("lead:ada", ["Acme Finance"]),
    ("lead:emile", ["Café Müller"]),
    ("secondary:grace", ["Acme Finance"]),
    ("status:prospect", ["Café Müller", "Odd Ltd", "Tom & Jerry [UK] Ltd"]),
    ("status:customer", ["Acme Finance"]),
    ('product:"mimecast for mac"', ["Acme Finance"]),
    ("product:archive", ["Café Müller"]),
    ("users:500", ["Acme Finance"]),
    ("users:>=40", ["Acme Finance", "Café Müller"]),
    ("users:<100", ["Café Müller"]),
    ("provision:<2027-06-01", ["Acme Finance"]),
    ("provision:<=2027-06-01", ["Acme Finance", "Café Müller"]),
    ("provision:2027-06", ["Café Müller"]),
    ('mail:"microsoft 365"', ["Acme Finance"]),
    ("mail:mimecast", ["Acme Finance"]),
    ("mail:google", ["Café Müller"]),
    ("gateway:mimecast", ["Acme Finance"]),
    ("dmarc:none", ["Acme Finance"]),
    ("dmarc:reject", ["Café Müller"]),
    ("created:>2026-03-01", ["Tom & Jerry [UK] Ltd"]),
    ("created:>=2026-03-01", ["Café Müller", "Tom & Jerry [UK] Ltd"]),
    ("updated:<2026-06-15", ["Café Müller"]),
    ("verified:never", ["Odd Ltd", "Tom & Jerry [UK] Ltd"]),
    ("verified:>30d", ["Café Müller"]),
    ("verified:<30d", ["Acme Finance"]),
    ("verified:<2026-10-01", ["Café Müller"]),
])
def test_each_field_matches_its_column(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_every_field_is_tested_above() -> None:
    tested = {text.split(":")[0] for text, _ in
              test_each_field_matches_its_column.pytestmark[0].args[1]}  # type: ignore[attr-defined]
    assert tested == set(FIELDS)


def test_negation_words_and_combinations() -> None:
    assert names("sector:fin -status:customer") == ["Tom & Jerry [UK] Ltd"]
    assert names("-verified:never") == ["Acme Finance", "Café Müller"]
    assert names("-users:>=100") == ["Café Müller", "Odd Ltd", "Tom & Jerry [UK] Ltd"]
    assert names("-acme") == ["Café Müller", "Odd Ltd", "Tom & Jerry [UK] Ltd"]
    assert names("ltd sector:fin") == ["Tom & Jerry [UK] Ltd"]  # free words and a field
    assert names("jerry [uk] status:prospect") == ["Tom & Jerry [UK] Ltd"]  # markup is text
    assert names('"café m" -sector:retail') == []
    assert names("status:prospect", letter="c") == ["Café Müller"]
    assert names("status:prospect", sort="permitted_users") == [
        "Café Müller", "Odd Ltd", "Tom & Jerry [UK] Ltd"]
    assert names("Sector:FIN TYPE:end") == ["Tom & Jerry [UK] Ltd"]  # field names too are case-blind


def test_a_plain_text_is_todays_search() -> None:
    where = parse_filter("  Acme Fin ")
    assert where.plain and where.words == ("acme fin",)
    assert names("Acme Fin") == ["Acme Finance"]
    assert names("fin acme") == []  # one substring, as the search always was
    assert not parse_filter("-acme").plain and not parse_filter("a name:c").plain
    assert names('"acme fin"') == ["Acme Finance"]  # a quoted phrase: the grammar reads it
    with pytest.raises(FilterError, match="the quote at character 1 is never closed"):
        parse_filter('"acme fin')
    assert parse_filter("").plain and names("") == [r["company_name"] for r in sorted(
        RECORDS, key=lambda r: r["company_name"].casefold())]


def test_letter_counts_follow_the_filter() -> None:
    prospects = ProspectList(list(enumerate(RECORDS, start=1)), USERS)
    counts = prospects.letter_counts(parse_filter("status:prospect", NOW))
    assert {k: v for k, v in counts.items() if v} == {"c": 1, "o": 1, "t": 1}


def test_cli_search_adds_to_a_filter() -> None:
    prospects = ProspectList(list(enumerate(RECORDS, start=1)), USERS)
    where = parse_filter("sector:fin", NOW).with_search("TOM")
    assert [prospects.ids[i] for i in prospects.matching(where)] == [3]


def test_changes_and_renamed_users_reach_the_filter() -> None:
    prospects = ProspectList(list(enumerate(RECORDS, start=1)), USERS)
    where = parse_filter("secondary:grace sector:fin", NOW)
    assert [prospects.ids[i] for i in prospects.matching(where)] == [1]
    moved = {**RECORDS[2], "secondary_contact": 2}
    prospects.apply(Changes(prospects={3: moved}))
    assert [prospects.ids[i] for i in prospects.matching(where)] == [1, 3]
    prospects.apply(Changes(users=True), {**USERS, 2: "Grace Brewster Murray"})
    assert [prospects.ids[i] for i in prospects.matching(parse_filter("secondary:brewster"))] == [1, 3]
    prospects.apply(Changes(prospects={1: None}))
    assert [prospects.ids[i] for i in prospects.matching(where)] == [3]


def test_typing_a_filter_key_by_key_shows_what_a_fresh_list_shows() -> None:
    # A keystroke reuses the rows after the terms before the last one; a sort, a change
    # or another word must not let stale rows through.
    prospects = ProspectList(list(enumerate(RECORDS, start=1)), USERS)
    records = dict(enumerate(RECORDS, start=1))

    def fresh(text: str) -> list[int]:
        other = ProspectList(list(records.items()), USERS)
        other.sort(prospects.sort_key, prospects.descending)
        return [other.ids[i] for i in other.matching(parse_filter(text, NOW))]

    steps = ["-status:customer sector:fin", "acme -status:customer sector:fin",
             "-status:customer sector:f", "-status:customer sector:retail users:>=40",
             "-status:customer sector:retail", "sector:fin -status:customer"]
    for number, text in enumerate(steps):
        for end in range(1, len(text) + 1):
            try:
                where = parse_filter(text[:end], NOW)
            except FilterError:
                continue
            assert [prospects.ids[i] for i in prospects.matching(where)] == fresh(text[:end]), text[:end]
        if number == 2:
            prospects.sort("domain", descending=True)
        if number == 3:
            records[2] = {**RECORDS[1], "status": "customer"}  # Café Müller becomes a customer
            prospects.apply(Changes(prospects={2: records[2]}))
        again = parse_filter(text, NOW)  # the same filter after a sort or a change
        assert [prospects.ids[i] for i in prospects.matching(again)] == fresh(text), text


@pytest.mark.parametrize(("text", "message"), [
    ("colour:red", "unknown field 'colour'; the fields are: name, domain, type, sector, lead,"),
    ("sector:", "'sector:' needs a value after 'sector:', e.g. sector:fin"),
    ('sector:""', "needs a value"),
    ("users:>=", "'users:>=' needs a value after 'users:>=', e.g. users:>=500"),
    ('product:"mimecast', "the quote at character 9 is never closed"),
    ('name"x:y', "the quote at character 5 is inside a word"),
    ('name:a"b', "the quote at character 7 is inside a word"),
    (":acme", "the ':' at character 1 needs a field name before it"),
    ("acme - status:customer", "the '-' at character 6 must be followed by a word"),
    ("provision:<2027-02-30", "'provision:<2027-02-30': '2027-02-30' is not a date (day is out of range"),
    ("created:>yesterday", "'yesterday' is not a date; write YYYY-MM-DD"),
    ("verified:>30", "write YYYY-MM-DD or a number of days like 30d"),
    ("users:>lots", "users is a whole number"),
    ("users:99999999999", "users is a whole number"),
    ("sector:<fin", "< compares numbers and dates; sector is text"),
    ("name:\x1b[31mred", "contains U+001B (escape) at character 6"),
    ("lead:\u202eada", "contains U+202E"),
    ("sector:" + "x" * 10_000, "the filter is 10,007 characters long; a filter may have at most 1,000"),
])
def test_bad_filters_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(FilterError) as raised:
        parse_filter(text, NOW)
    shown = str(raised.value)
    assert message in shown
    assert "\x1b" not in shown and "\u202e" not in shown and len(shown) < 300


def test_hostile_text_is_read_or_refused_never_crashes() -> None:
    hostile = ['"', '""', "-", "--", ":", "::", '-"', 'name:"', "name::x", "a:b:c", "-:x",
               "[bold]x[/]:y", "name:[bold]x[/]", "users:>=-5", "users:½", "provision:<２０２７-01-01",
               "verified:>99999999d", "verified:<0d", "x" * 10_000, "-" * 10_000, ":" * 10_000,
               "name:" + "é" * 900, "\x00:\x00", "名前:値"]
    prospects = ProspectList(list(enumerate(RECORDS, start=1)), USERS)
    for text in hostile:
        try:
            where = parse_filter(text, NOW)
        except FilterError as error:
            assert str(error) and "\x1b" not in str(error) and "\x00" not in str(error)
        else:
            prospects.matching(where)
            prospects.letter_counts(where)


VALUES = {"sector": ["Financial Services", "Retail", "Finance"], "lead": ["Émile Zola", "Ada"],
          "status": ["prospect", "customer"], "verified": ["never"]}


@pytest.mark.parametrize(("text", "suggestion"), [
    ("se", "sector:"),
    ("acme -sta", "acme -status:"),
    ('name:"two words" upd', 'name:"two words" updated:'),
    ("sector:fin", "sector:finance"),  # the first known value, to its next space
    ("sector:FINANCIAL", None),  # to its next space: nothing more
    ('sector:"financial s', 'sector:"financial services"'),
    ("x status:cu", "x status:customer"),
    ("lead:em", "lead:emile"),
    ("verified:n", "verified:never"),
    ("acme", None), ("s", None), ("sector", None), ("users:>5", None), ("colour:r", None),
    ('product:"a b', None), ("", None), ('"', None), ("-", None), ("::", None),
])
def test_completion_of_field_names_and_known_values(text: str, suggestion: str | None) -> None:
    assert complete_filter(text, VALUES) == suggestion
