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
    assert p.cell(p.row_of(1), "implementation_lead") == "Ada"
    assert p.cell(p.row_of(4), "implementation_lead") == ""
    assert p.cell(p.row_of(3), "domain") == "münchen.de"
    assert p.cell(p.row_of(2), "status") == "Customer"
    assert p.ids[p.row_of(4)] == 4 and p.row_of(99) is None


def test_ties_stay_a_to_z_by_name_and_empty_cells_go_last_both_ways() -> None:
    sectors = ["Retail", "", "retail", "Agriculture", None, "Retail"]
    records = [(i, {"company_name": name, "domain": f"d{i}.com", "sector": sector})
               for i, (name, sector) in enumerate(zip("FEDCBA", sectors, strict=True))]
    p = ProspectList(records, {})
    p.sort("sector")
    assert names(p, p.matching()) == ["C", "A", "D", "F", "B", "E"]
    p.sort("sector", descending=True)
    assert names(p, p.matching()) == ["A", "D", "F", "C", "B", "E"]
    p.sort("domain", descending=True)
    assert names(p, p.matching()) == ["A", "B", "C", "D", "E", "F"]


def test_hand_edited_values_sort_without_error() -> None:
    # A file edited by hand may hold a list where text belongs, or text where a number does.
    records = [(1, {"company_name": "b", "sector": ["x"], "permitted_users": "many",
                    "products": "none", "status": None}),
               (2, {"company_name": "a", "sector": "Retail", "permitted_users": 12,
                    "products": [{"product": "Archive", "seats": 3}], "status": "customer"})]
    p = ProspectList(records, {})
    for key in ("sector", "permitted_users", "products", "status"):
        for descending in (False, True):
            p.sort(key, descending)
            assert sorted(names(p, p.matching())) == ["a", "b"]
    p.sort("permitted_users")
    assert names(p, p.matching()) == ["a", "b"]  # numbers first, in numeric order
    p.sort("status")
    assert names(p, p.matching()) == ["a", "b"]  # a missing status reads (and sorts) as Prospect


def test_letters_use_the_name_as_shown() -> None:
    records = [(i, {"company_name": name, "domain": f"d{i}.com"}) for i, name in
               enumerate(["  zed", "Ábaco", "ωmega", "42", "", "apple", "Zoo"])]
    p = ProspectList(records, {})
    assert names(p, p.matching()) == ["42", "Ábaco", "apple", "  zed", "Zoo", "ωmega", ""]
    assert names(p, p.matching(letter="z")) == ["  zed", "Zoo"]
    assert names(p, p.matching(letter="other")) == ["42", "ωmega", ""]
    counts = p.letter_counts()
    assert (counts["a"], counts["z"], counts["other"], sum(counts.values())) == (2, 2, 3, 7)
    p.sort("domain", descending=True)
    assert names(p, p.matching("d", letter="other")) == ["", "42", "ωmega"]
    assert p.letter_counts("d6")["z"] == 1 and sum(p.letter_counts("d6").values()) == 1


def test_search_laid_out_in_sort_order_finds_the_same_rows() -> None:
    records = [(i, {"company_name": f"{name} {i}", "domain": f"{name[::-1]}{i}.com",
                    "sector": ["Retail", "Legal", None][i % 3]})
               for i, name in enumerate(["beta", "Alpha", "gamma", "12 Go", "delta", "Ábc"] * 5)]
    p = ProspectList(records, {})
    queries = [("", "all"), ("a", "all"), ("a", "b"), ("l", "other"), ("ta", "all"), ("zz", "a")]
    for key, descending in [("company_name", False), ("sector", True), ("domain", False)]:
        p.sort(key, descending)
        before = [(p.matching(q, letter), p.letter_counts(q)) for q, letter in queries]
        p.prepare_search()
        assert [(p.matching(q, letter), p.letter_counts(q)) for q, letter in queries] == before
    p.sort("sector")  # a new order: the layout made for the last one is not used
    assert p.matching("a") == [i for i in p.matching() if "a" in p._search[i]]


CHECKED = [
    (1, {"company_name": "Alpha", "domain": "alpha.example", "domain_check": {
        "verdict": "mail", "message": "m", "mail_host": "Mimecast", "mail_provider": "Microsoft 365",
        "gateway": "Mimecast", "dmarc": {"record": "v=DMARC1; p=none", "policy": "none"}}}),
    (2, {"company_name": "Bravo", "domain": "bravo.example", "domain_check": {
        "verdict": "mail", "message": "m", "mail_host": "Google Workspace",
        "mail_provider": "Google Workspace", "dmarc": {"record": None},
        "signals": ["no DMARC"]}}),
    (3, {"company_name": "Charlie", "domain": "charlie.example"}),  # never verified
    (4, {"company_name": "Delta", "domain": "delta.example", "domain_check": {  # stored before
        "verdict": "mail", "message": "m", "mail_host": "other"}}),
    (7, {"company_name": "Golf", "domain": "golf.example", "domain_check": {  # DMARC: no answer
        "verdict": "mail", "message": "m", "mail_provider": "Zoho Mail",
        "dmarc": {"record": None}, "signals": []}}),
    (5, {"company_name": "Echo", "domain": "echo.example", "domain_check": {
        "verdict": "unknown", "message": "could not check"}}),
    (6, {"company_name": "Foxtrot", "domain": "foxtrot.example", "domain_check": "junk"}),
]


def test_mail_and_dmarc_cells() -> None:
    p = ProspectList(CHECKED, {})
    cells = [(p.cell(i, "mail"), p.cell(i, "dmarc")) for i in range(len(CHECKED))]
    assert cells == [("Microsoft 365 + Mimecast", "p=none"), ("Google Workspace", "missing"),
                     ("", ""), ("other", ""), ("Zoho Mail", ""), ("", ""), ("", "")]


def test_sort_by_mail_and_dmarc_empty_last() -> None:
    p = ProspectList(CHECKED, {})
    p.sort("mail")
    assert names(p, p.matching()) == ["Bravo", "Alpha", "Delta", "Golf", "Charlie", "Echo",
                                      "Foxtrot"]
    p.sort("mail", descending=True)
    assert names(p, p.matching())[:4] == ["Golf", "Delta", "Alpha", "Bravo"]
    p.sort("dmarc")
    assert names(p, p.matching()) == ["Bravo", "Alpha", "Charlie", "Delta", "Echo", "Foxtrot",
                                      "Golf"]


def test_search_matches_mail_and_dmarc() -> None:
    p = ProspectList(CHECKED, {})
    assert names(p, p.matching("mimecast")) == ["Alpha"]
    assert names(p, p.matching("google")) == ["Bravo"]
    assert names(p, p.matching("p=none")) == ["Alpha"]
    assert names(p, p.matching("missing")) == ["Bravo"]
    p.prepare_search()
    assert names(p, p.matching("microsoft 365")) == ["Alpha"]


def test_a_recorded_check_is_applied_in_place() -> None:
    from store.backends.base import Changes

    p = ProspectList(CHECKED, {})
    p.sort("mail")
    checked = {**CHECKED[2][1], "domain_check": {
        "verdict": "mail", "message": "m", "mail_provider": "Amazon WorkMail",
        "signals": ["no DMARC"]}}
    assert p.apply(Changes(prospects={3: checked}))
    assert names(p, p.matching())[:2] == ["Charlie", "Bravo"]
    assert (p.cell(2, "mail"), p.cell(2, "dmarc")) == ("Amazon WorkMail", "missing")
    assert names(p, p.matching("amazon")) == ["Charlie"]
