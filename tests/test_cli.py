"""The CLI twin, run as a real process: output, errors and exit codes."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import run_cli


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("--db", db, *args)


ADD = ["add", "--company-type", "End Customer", "--sector", "Retail", "--lead",
       "ada@example.com"]


def test_users_add_list_and_add_prospect(tmp_path: Path) -> None:
    db = tmp_path / "p.json"
    assert cli(db, "users", "add", "Ada Lovelace", "--email", "ada@example.com",
               "--lead").stdout.strip() == "1"
    users = json.loads(cli(db, "users", "list", "--json").stdout)
    assert users == [{"id": 1, "name": "Ada Lovelace", "email": "ada@example.com",
                      "implementation_lead": True}]
    name = "Tom & Jerry [UK] Ltd [bold]x[/] 👍🏽"  # controls are refused: test_terminal_safety
    done = cli(db, *ADD, "--company-name", name, "--domain", "https://www.Tom.example.COM/x",
               "--product", "Mimecast for Mac:25", "--product", "Cloud Archive",
               "--permitted-users", "30", "--provision-date", "2027-03-15")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
    listed = json.loads(cli(db, "list", "--json").stdout)
    assert listed[0]["company_name"] == name
    assert listed[0]["domain"] == "tom.example.com"
    assert listed[0]["implementation_lead"] == 1
    assert listed[0]["products"] == [{"product": "Mimecast for Mac", "seats": 25},
                                     {"product": "Cloud Archive", "seats": None}]
    human = cli(db, "list")
    assert "\x1b" not in human.stdout and "\u202e" not in human.stdout
    assert "Tom & Jerry [UK] Ltd" in human.stdout
    assert "1 of 1 prospects" in human.stderr


def test_errors_name_the_field_and_exit_1(tmp_path: Path) -> None:
    db = tmp_path / "p.json"
    cli(db, "users", "add", "Ada", "--email", "ada@example.com", "--lead")
    bad = cli(db, *ADD, "--company-name", "X Ltd", "--domain", "exa mple.com",
              "--permitted-users", "0", "--product", "Mimecast for Mac")
    assert bad.returncode == 1
    lines = bad.stderr.strip().splitlines()
    assert lines[0].startswith("Domain: 'exa mple.com'")
    assert lines[1].startswith("Permitted Users: '0' must be a whole number")
    assert lines[2].startswith("Products: Mimecast for Mac needs seats")
    assert json.loads(cli(db, "list", "--json").stdout) == []
    ok = cli(db, *ADD, "--company-name", "X Ltd", "--domain", "x.example")
    assert ok.returncode == 0
    dup = cli(db, *ADD, "--company-name", "Y Ltd", "--domain", "X.EXAMPLE")
    assert dup.returncode == 1 and "Domain: x.example is already prospect 'X Ltd'" in dup.stderr


def test_list_filters_and_sorts(tmp_path: Path) -> None:
    db = tmp_path / "p.json"
    cli(db, "users", "add", "Ada", "--email", "ada@example.com", "--lead")
    for name, domain in [("Beta", "beta.example"), ("alpha", "alpha.example"),
                         ("Café", "cafe.example"), ("9 Lives", "nine.example")]:
        assert cli(db, *ADD, "--company-name", name, "--domain", domain).returncode == 0

    def names(*args: str) -> list[str]:
        return [p["company_name"] for p in json.loads(cli(db, "list", "--json", *args).stdout)]

    assert names() == ["9 Lives", "alpha", "Beta", "Café"]
    assert names("--desc") == ["Café", "Beta", "alpha", "9 Lives"]
    assert names("--search", "CAFE") == ["Café"]
    assert names("--letter", "B") == ["Beta"]
    assert names("--letter", "other") == ["9 Lives"]
    assert names("--sort", "domain") == ["alpha", "Beta", "Café", "9 Lives"]
    bad = cli(db, "list", "--letter", "ab")
    assert bad.returncode == 2 and "--letter" in bad.stderr


def test_list_with_a_saved_view(tmp_path: Path) -> None:
    db = tmp_path / "p.json"
    cli(db, "users", "add", "Ada", "--email", "ada@example.com", "--lead")
    for name, domain, sector in [("Beta", "beta.example", "Retail"),
                                 ("alpha", "alpha.example", "Retail"),
                                 ("Bank", "bank.example", "Financial Services"),
                                 ("Café", "cafe.example", "Retail")]:
        done = cli(db, "add", "--company-type", "End Customer", "--sector", sector, "--lead",
                   "ada@example.com", "--company-name", name, "--domain", domain)
        assert done.returncode == 0, done.stderr
    view = "Retail [B] 👍 مرحبا"
    saved = cli(db, "views", "save", view, "--filter", "sector:retail", "--letter", "B", "--desc",
                "--columns", "domain, company_name", "--shared")
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout == f"saved the shared view {view!r}\n"

    def names(*args: str) -> list[str]:
        done = cli(db, "list", "--json", *args)
        assert done.returncode == 0, done.stderr
        return [p["company_name"] for p in json.loads(done.stdout)]

    assert names("--view", "RETAIL [b] 👍 مرحبا") == ["Beta"]
    assert names("--view", view, "--letter", "all") == ["Café", "Beta", "alpha"]  # the view's sort
    assert names("--view", view, "--letter", "all", "--sort", "domain") == ["alpha", "Beta", "Café"]
    assert names("--view", view, "--filter", "", "--letter", "all", "--desc") == [
        "Café", "Beta", "Bank", "alpha"]  # an empty --filter replaces the view's too
    assert names("--view", view, "--letter", "all", "--search", "caf") == ["Café"]
    table = cli(db, "list", "--view", view).stdout.splitlines()  # the view's columns, in order
    assert table[0].split() == ["Domain", "Company", "Name"] and table[1].split() == [
        "beta.example", "Beta"]
    listed = json.loads(cli(db, "views", "list", "--json").stdout)
    assert listed == [{"name": view, "filter": "sector:retail", "letter": "b", "sort": "company_name",
                       "descending": True, "columns": ["domain", "company_name"], "shared": True,
                       "owner": listed[0]["owner"]}]
    unknown = cli(db, "list", "--view", "Nope")
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert unknown.stderr == f"there is no view named 'Nope'; the views are: {view!r}\n"


def test_views_save_rename_and_delete(tmp_path: Path) -> None:
    db = tmp_path / "p.json"
    assert cli(db, "views", "save", "Mine", "--filter", "users:>=500").returncode == 0
    dup = cli(db, "views", "save", "MINE")
    assert dup.returncode == 1 and "there is a personal view of yours named 'Mine'" in dup.stderr
    assert cli(db, "views", "save", "MINE", "--replace").returncode == 0
    for args, message in [(["evil\x1b[2J"], "Name: contains U+001B (escape)"),
                          (["x", "--filter", 'name:"open'], "Filter: the quote at character 6"),
                          (["x", "--sort", "colour"], "Sort: 'colour' is not a column to sort by"),
                          (["x", "--columns", "domain,colour"], "Columns: 'colour' is not a column")]:
        bad = cli(db, "views", "save", *args)
        assert bad.returncode == 1 and bad.stderr.startswith(message), bad.stderr
        assert "\x1b" not in bad.stderr
    renamed = cli(db, "views", "rename", "mine", "Ours")
    assert renamed.returncode == 0 and "to 'Ours'" in renamed.stdout
    asked = cli(db, "views", "delete", "ours")  # stdin is not a terminal here
    assert asked.returncode == 2
    assert asked.stderr == ("views delete: stdin is not a terminal, so it cannot ask; add --yes to "
                            "delete the view 'Ours'\n")
    assert cli(db, "views", "delete", "nope", "--yes").returncode == 1
    assert [v["name"] for v in json.loads(cli(db, "views", "list", "--json").stdout)] == ["Ours"]
    deleted = cli(db, "views", "delete", "OURS", "--yes")
    assert deleted.returncode == 0 and deleted.stdout == "deleted the personal view 'Ours'\n"
    empty = cli(db, "views", "list")
    assert empty.stdout == "" and "no views saved yet" in empty.stderr


def test_views_delete_asks_on_a_terminal(tmp_path: Path) -> None:
    db = tmp_path / "p.json"
    cli(db, "views", "save", "Keep me")
    cli(db, "views", "save", "Drop me")
    for name, answer, left in [("keep me", b"n\n", 2), ("drop me", b"y\n", 1)]:
        leader, follower = pty.openpty()
        os.write(leader, answer)
        done = subprocess.run([sys.executable, "-m", "tui", "--db", str(db), "views", "delete", name],
                              stdin=follower, capture_output=True, text=True, timeout=60)
        os.close(leader)
        os.close(follower)
        assert done.returncode == 0, done.stderr
        assert done.stderr.startswith(f"Delete view {name.capitalize()!r}? [y/N] ")
        assert len(json.loads(cli(db, "views", "list", "--json").stdout)) == left


def test_catalog_json_shape(tmp_path: Path) -> None:
    out = json.loads(cli(tmp_path / "p.json", "catalog", "--json").stdout)
    assert set(out) == {"company_types", "sectors", "products"}
    assert {"name": "Mimecast for Mac", "needs_seats": True} in out["products"]


def test_catalog_file_replaces_defaults(tmp_path: Path) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text('company_types = ["Lab"]\nsectors = ["Space"]\n'
                    '[[products]]\nname = "Rocket"\nneeds_seats = true\n')
    out = json.loads(cli(tmp_path / "p.json", "--catalog", str(toml), "catalog",
                         "--json").stdout)
    assert out == {"company_types": ["Lab"], "sectors": ["Space"],
                   "products": [{"name": "Rocket", "needs_seats": True}]}


def test_corrupt_file_refused_with_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "p.json"
    db.write_text("{not json")
    result = cli(db, "list")
    assert result.returncode == 2
    assert str(db) in result.stderr
    assert db.read_text() == "{not json"


def test_verify_against_the_loopback_responder(tmp_path: Path, dns_server) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "p.json"
    ok = cli(db, "--nameserver", dns_server.env, "verify", "https://www.example.com/x", "--json")
    assert ok.returncode == 0, ok.stderr
    result = json.loads(ok.stdout)
    assert result["verdict"] == "ok" and result["mail_host"] == "Microsoft 365"
    assert cli(db, "--nameserver", dns_server.env, "verify", "nxdomain.example.com").returncode == 1
    assert cli(db, "--nameserver", dns_server.env, "verify", "example.net").returncode == 1
    slow = cli(db, "--nameserver", dns_server.env, "verify", "silent.example.com",
               "--lifetime", "0.3")
    assert slow.returncode == 3 and "could not check" in slow.stdout
    bad = cli(db, "--nameserver", "not-an-ip", "verify", "example.com")
    assert bad.returncode == 2 and "--nameserver" in bad.stderr
    assert cli(db, "verify", "exa mple.com").returncode == 1


@pytest.mark.parametrize(("typed", "verdict"), [
    ("example.com", "ok"), ("example.net", "no_mail"), ("a-only.example.com", "a_only"),
    ("nxdomain.example.com", "nxdomain"), ("silent.example.com", "could_not_check"),
    ("exa mple.com", "invalid"), ("dup.example.com", "duplicate"),
])
def test_verify_json_names_each_verdict_as_the_contract_does(  # type: ignore[no-untyped-def]
        tmp_path: Path, dns_server, typed: str, verdict: str) -> None:
    db = tmp_path / "p.json"
    assert cli(db, "users", "add", "Ada", "--email", "ada@example.com", "--lead").returncode == 0
    assert cli(db, "add", "--company-type", "End Customer", "--company-name", "Dup Ltd",
               "--domain", "dup.example.com", "--sector", "Technology",
               "--lead", "ada@example.com").returncode == 0
    out = cli(db, "--nameserver", dns_server.env, "verify", typed, "--json", "--lifetime", "0.5")
    assert json.loads(out.stdout)["verdict"] == verdict


def test_verify_json_has_exactly_the_design_keys(tmp_path: Path, dns_server) -> None:  # type: ignore[no-untyped-def]
    dns_server.set("acme.example", {"MX": ["10 eu-smtp-inbound-1.mimecast.com."],
                                    "TXT": ['"v=spf1 include:spf.protection.outlook.com ~all"']})
    dns_server.set("spf.protection.outlook.com", {"TXT": ['"v=spf1 ip4:192.0.2.0/24 -all"']})
    dns_server.set("_dmarc.acme.example", {"TXT": ['"v=DMARC1; p=none; pct=50"']})
    out = cli(tmp_path / "p.json", "--nameserver", dns_server.env, "verify", "acme.example",
              "--json")
    result = json.loads(out.stdout)
    assert list(result) == [
        "input", "domain", "domain_unicode", "verdict", "message", "mail_host", "checked_at",
        "mail_provider", "gateway", "spf", "dmarc", "mta_sts", "tls_rpt", "signals"]
    assert result["spf"] == {"record": "v=spf1 include:spf.protection.outlook.com ~all",
                             "all": "~all", "vendors": ["Microsoft 365"], "lookups": 1,
                             "error": None}
    assert result["dmarc"] == {"record": "v=DMARC1; p=none; pct=50", "policy": "none",
                               "pct": 50, "sp": None, "rua": False}
    assert (result["mail_provider"], result["gateway"]) == ("Microsoft 365", "Mimecast")
    assert (result["mta_sts"], result["tls_rpt"]) == (False, False)
    assert result["signals"][:2] == ["already a Mimecast customer", "DMARC p=none: spoofable"]
    text = cli(tmp_path / "p.json", "--nameserver", dns_server.env, "verify", "acme.example")
    assert text.returncode == 0
    assert "Mail: Microsoft 365 + Mimecast; DMARC p=none; SPF ~all" in text.stdout
    assert "  - already a Mimecast customer" in text.stdout


def test_an_ambiguous_lead_name_is_refused_and_a_namesake_warned(tmp_path: Path) -> None:
    db = tmp_path / "p.json"
    cli(db, "users", "add", "Ada Lovelace", "--email", "ada@example.com", "--lead")
    cli(db, "users", "add", "Ada Lovelace", "--email", "ada2@example.org", "--lead")
    add = ["add", "--company-type", "End Customer", "--sector", "Retail"]
    twins = cli(db, *add, "--lead", "Ada Lovelace", "--company-name", "Café Ltd",
                "--domain", "cafe.example")
    assert twins.returncode == 1
    assert "'Ada Lovelace' is the name of 2 users ('ada@example.com', 'ada2@example.org')" \
        in twins.stderr
    assert json.loads(cli(db, "list", "--json").stdout) == []
    first = cli(db, *add, "--lead", "ada2@example.org", "--company-name", "Café Ltd",
                "--domain", "cafe.example")
    assert first.returncode == 0 and "warning" not in first.stderr
    again = cli(db, *add, "--lead", "ada@example.com", "--company-name", "  CAFE   ltd",
                "--domain", "cafe-ltd.example")
    assert again.returncode == 0 and again.stdout.strip() == "2"
    assert again.stderr.startswith("warning: prospect 1 (cafe.example) has the same name, "
                                   "'Café Ltd'; added anyway, as 2")
