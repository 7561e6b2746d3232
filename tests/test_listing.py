"""Search, letters and sort over the in-memory list."""

from store.listing import ProspectList

RECORDS = [
    (1, {"company_name": "Café Müller", "domain": "cafe-mueller.de", "sector": "Hospitality",
         "implementation_lead": 1, "status": "prospect"}),
    (2, {"company_name": "acme", "domain": "acme.com", "sector": "Retail",
         "implementation_lead": 2, "permitted_users": 50, "status": "customer"}),
    (3, {"company_name": "3M Partners", "domain": "xn--mnchen-3ya.de", "sector": "",
         "implementation_lead": 1, "permitted_users": 5}),
    (4, {"company_name": "Zebra [UK] & Co", "domain": "zebra.co.uk", "sector": "Retail",
         "implementation_lead": 9}),
]


def make() -> ProspectList:
    return ProspectList(RECORDS, {1: "Ada", 2: "Grace"})


def names(p: ProspectList, rows: list[int]) -> list[str]:
    return [p.records[i]["company_name"] for i in rows]


def test_search_is_case_and_accent_insensitive_on_name_and_domain() -> None:
    p = make()
    assert names(p, p.matching("CAFE")) == ["Café Müller"]
    assert names(p, p.matching("muller")) == ["Café Müller"]
    assert names(p, p.matching("acme.c")) == ["acme"]
    assert names(p, p.matching("münchen")) == ["3M Partners"]
    assert names(p, p.matching("[uk]")) == ["Zebra [UK] & Co"]


def test_letters_combine_with_search() -> None:
    p = make()
    assert names(p, p.matching(letter="c")) == ["Café Müller"]
    assert names(p, p.matching(letter="other")) == ["3M Partners"]
    counts = p.letter_counts()
    assert counts["a"] == 1 and counts["other"] == 1 and counts["b"] == 0
    assert p.letter_counts("de")["c"] == 1 and p.letter_counts("de")["a"] == 0
    assert p.matching("acme", "z") == []


def test_sort_by_name_both_ways_and_empty_last() -> None:
    p = make()
    assert names(p, p.matching()) == ["3M Partners", "acme", "Café Müller", "Zebra [UK] & Co"]
    p.sort("company_name", descending=True)
    assert names(p, p.matching())[0] == "Zebra [UK] & Co"
    p.sort("sector")
    assert names(p, p.matching()) == ["Café Müller", "acme", "Zebra [UK] & Co", "3M Partners"]
    p.sort("permitted_users", descending=True)
    assert names(p, p.matching())[:2] == ["acme", "3M Partners"]


def test_cells_as_shown() -> None:
    p = make()
    assert p.cell(0, "implementation_lead") == "Ada"
    assert p.cell(3, "implementation_lead") == ""
    assert p.cell(2, "domain") == "münchen.de"
    assert p.cell(1, "status") == "Customer"
    assert p.row_of(4) == 3 and p.row_of(99) is None
