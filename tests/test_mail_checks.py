"""What Verify finds about a domain's mail, against zones served by the loopback responder:
provider, gateway, SPF, DMARC, MTA-STS, TLS-RPT, signals, and hostile TXT records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from store.catalog import CatalogError
from store.domain.dns import check_dns
from store.domain.mailmap import DEFAULT_MAILMAP, load_mailmap
from store.domain.names import normalise_domain
from store.models import DomainCheck
from store.text import clean_for_display
from tests.dns_responder import SILENT, DnsResponder, mx, spf, txt
from tests.dns_responder import dns_server as dns_server  # the fixture

MAILMAP = load_mailmap(DEFAULT_MAILMAP)
DOMAIN = "acme.example"


async def check(server: DnsResponder, name: str = DOMAIN, lifetime: float = 2.0) -> DomainCheck:
    return await check_dns(normalise_domain(name), nameserver=server.nameserver,
                           lifetime=lifetime, mailmap=MAILMAP)


def serve(server: DnsResponder, *, dmarc: str | None = None, **records: Any) -> None:
    """DOMAIN with the given records (keyword per type); a DMARC record at _dmarc."""
    server.set(DOMAIN, {k.upper(): v for k, v in records.items()})
    if dmarc is not None:
        server.set(f"_dmarc.{DOMAIN}", {"TXT": txt(dmarc)})


# --- who runs the mail ---------------------------------------------------------


@pytest.mark.parametrize("provider", MAILMAP.providers, ids=lambda v: v.name)
async def test_every_provider_is_found_from_mx(dns_server: DnsResponder, provider: Any) -> None:
    serve(dns_server, **mx(f"mx1.{provider.mx[0]}"))
    found = await check(dns_server)
    assert (found.verdict, found.mail_provider, found.gateway) == ("mail", provider.name, None)
    assert found.mail_host == provider.name
    assert f"{provider.name} with no gateway" in found.signals


@pytest.mark.parametrize("gateway", MAILMAP.gateways, ids=lambda v: v.name)
async def test_every_gateway_is_found_from_mx(dns_server: DnsResponder, gateway: Any) -> None:
    serve(dns_server, **mx(f"in1.{gateway.mx[0]}"))
    found = await check(dns_server)
    assert (found.gateway, found.mail_provider, found.mail_host) == (gateway.name, None, gateway.name)
    assert found.signals[0] == f"already a {gateway.name} customer"
    assert not any(s.endswith("with no gateway") for s in found.signals)


VENDORS = [v for v in (*MAILMAP.providers, *MAILMAP.gateways, *MAILMAP.senders) if v.spf]


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.name)
async def test_every_spf_vendor_is_named(dns_server: DnsResponder, vendor: Any) -> None:
    serve(dns_server, **mx("mail.acme.example"), **spf(f"include:{vendor.spf[0]}", "-all"))
    dns_server.set(vendor.spf[0], spf("ip4:192.0.2.0/24", "-all"))
    found = await check(dns_server)
    assert found.spf.vendors == [vendor.name]
    assert (found.spf.lookups, found.spf.error) == (1, None)


async def test_provider_behind_a_gateway_comes_from_spf(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("eu-smtp-inbound-1.mimecast.com"),
          **spf("include:eu._netblocks.mimecast.com", "include:spf.protection.outlook.com",
                "include:sendgrid.net", "-all"))
    for name in ("eu._netblocks.mimecast.com", "spf.protection.outlook.com", "sendgrid.net"):
        dns_server.set(name, spf("ip4:192.0.2.1", "-all"))
    found = await check(dns_server)
    assert (found.mail_provider, found.gateway) == ("Microsoft 365", "Mimecast")
    assert found.spf.vendors == ["Mimecast", "Microsoft 365", "SendGrid"]
    assert "already a Mimecast customer" in found.signals


async def test_unknown_mail_host_is_other(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"))
    found = await check(dns_server)
    assert (found.mail_host, found.mail_provider, found.gateway) == ("other", None, None)
    assert not any("gateway" in s or "customer" in s for s in found.signals)


def test_the_mail_map_is_replaceable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mailmap.toml"
    path.write_text('[[gateway]]\nname = "Acme Shield"\nmx = ["shield.example"]\n'
                    'spf = ["spf.shield.example"]\n')
    monkeypatch.setenv("PROSPECTS_MAILMAP", str(path))
    mailmap = load_mailmap()
    assert mailmap.gateway(["in.shield.example"]) == "Acme Shield"
    assert mailmap.vendor("eu.spf.shield.example") == "Acme Shield"
    assert mailmap.gateway(["eu-smtp-inbound-1.mimecast.com"]) is None  # replaced, not added


@pytest.mark.parametrize(("text", "message"), [
    ("[[gateway]]\nmx = []\n", "gateway entry 1: name must be a quoted name"),
    ('[[gateway]]\nname = "X"\nmx = "x.example"\n', "gateway entry 1 ('X'): mx must be a list"),
    ('[[gateway]]\nname = "X"\ncolour = 1\n', "unknown key 'colour'"),
    ('[[vendor]]\nname = "X"\n', "unknown table 'vendor'"),
    ('[[sender]]\nname = "X\\u001b[31m"\n', "contains U+001B (escape)"),
    ('[[sender]]\nname = "X"\nspf = ["two words"]\n', "which is not a host name"),
    ("name = [", "not a valid TOML file"),
])
def test_a_bad_mail_map_names_the_file_and_entry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "mailmap.toml"
    path.write_text(text)
    with pytest.raises(CatalogError, match="mailmap.toml") as caught:
        load_mailmap(path)
    assert message in str(caught.value)


# --- SPF --------------------------------------------------------------------------


@pytest.mark.parametrize(("terms", "qualifier", "signal"), [
    (("-all",), "-all", None),
    (("~all",), "~all", None),
    (("?all",), "?all", "SPF ?all: neutral, protects nothing"),
    (("+all",), "+all", "SPF allows anyone (+all)"),
    (("all",), "+all", "SPF allows anyone (+all)"),
    (("ip4:192.0.2.1",), None, None),
])
async def test_spf_all_qualifier(dns_server: DnsResponder, terms: tuple[str, ...],
                                 qualifier: str | None, signal: str | None) -> None:
    serve(dns_server, **mx("mail.acme.example"), **spf(*terms))
    found = await check(dns_server)
    assert found.spf.record == " ".join(("v=spf1", *terms))
    assert (found.spf.all, found.spf.error) == (qualifier, None)
    assert (signal in found.signals) if signal else not any("SPF" in s for s in found.signals)


async def test_spf_lookups_are_counted_through_includes(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"),
          **spf("a", "mx", "ip4:192.0.2.1", "include:one.example", "-all"))
    dns_server.set("one.example", spf("include:two.example", "exists:%{i}.x.example", "?all"))
    dns_server.set("two.example", spf("a:host.example", "ptr", "mx:mail.example"))
    found = await check(dns_server)
    assert (found.spf.lookups, found.spf.error, found.spf.all) == (8, None, "-all")


async def test_spf_redirect_gives_the_all_of_its_target(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"), **spf("redirect=_spf.acme.example"))
    dns_server.set("_spf.acme.example", spf("include:_spf.google.com", "~all"))
    dns_server.set("_spf.google.com", spf("ip4:192.0.2.1", "~all"))
    found = await check(dns_server)
    assert (found.spf.all, found.spf.lookups, found.spf.error) == ("~all", 2, None)


async def test_spf_ten_lookups_pass_eleven_fail(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"), **spf(*["a"] * 10, "-all"))
    assert (await check(dns_server)).spf.error is None
    serve(dns_server, **mx("mail.acme.example"), **spf(*["a"] * 9, "include:i.example", "-all"))
    dns_server.set("i.example", spf("mx", "-all"))
    found = await check(dns_server)
    assert found.spf.lookups == 11
    assert found.spf.error == ("needs more than 10 DNS lookups (at least 11); receivers "
                               "treat it as invalid")
    assert f"SPF invalid: {found.spf.error}" in found.signals


@pytest.mark.parametrize(("records", "error"), [
    (txt("v=spf1 -all", "v=spf1 +all"), "2 SPF records; there must be one"),
    (txt("v=spf1 include: -all"), "syntax error at 'include:'"),
    (txt("v=spf1 ip4 -all"), "syntax error at 'ip4'"),
    (txt("v=spf1 bogus:x.example -all"), "syntax error at 'bogus:x.example'"),
    (txt("v=spf1 all:x -all"), "syntax error at 'all:x'"),
    (txt("v=spf1 redirect="), "redirect= needs a domain"),
    (txt("v=spf1 include:nospf.example -all"), "include:'nospf.example' has no SPF record"),
    (txt("v=spf1 include:" + "x" * 70 + ".example -all"), "is not a domain name"),
])
async def test_an_invalid_spf_says_why(dns_server: DnsResponder, records: list[str],
                                       error: str) -> None:
    serve(dns_server, **mx("mail.acme.example"), TXT=records)
    dns_server.set("nospf.example", {"TXT": txt("google-site-verification=abc")})
    found = await check(dns_server)
    assert found.spf.error is not None and error in found.spf.error
    assert f"SPF invalid: {found.spf.error}" in found.signals


async def test_txt_that_is_not_spf_is_no_spf(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"), TXT=txt("v=spf10 -all", "ms=ms12345", "v=spf1x"))
    found = await check(dns_server)
    assert found.spf.record is None and "no SPF" in found.signals


async def test_an_include_with_no_answer_is_not_called_invalid(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"), **spf("include:quiet.example", "-all"))
    dns_server.set("quiet.example", SILENT)
    found = await check(dns_server, lifetime=0.6)
    assert found.verdict == "mail"
    assert found.spf.error == "could not check: no answer for include:'quiet.example'"
    assert not any("SPF" in s for s in found.signals)


# --- DMARC, MTA-STS, TLS-RPT -------------------------------------------------------


@pytest.mark.parametrize(("record", "expected", "signal"), [
    ("v=DMARC1; p=reject; rua=mailto:d@acme.example",
     {"policy": "reject", "pct": None, "sp": None, "rua": True}, None),
    ("v=DMARC1; p=quarantine; pct=25; sp=none; rua=mailto:d@acme.example",
     {"policy": "quarantine", "pct": 25, "sp": "none", "rua": True},
     "DMARC p=quarantine on only 25% of mail"),
    ("v=DMARC1; p=none", {"policy": "none", "pct": None, "sp": None, "rua": False},
     "DMARC p=none: spoofable"),
    ("v=DMARC1;p=REJECT;pct=100;rua=", {"policy": "reject", "pct": 100, "sp": None, "rua": False},
     "DMARC asks for no reports"),
    ("v=DMARC1; p=maybe; pct=500; sp=; x=[b]y[/b]; ;;=;",
     {"policy": None, "pct": None, "sp": None, "rua": False},
     "the DMARC record has no valid p= policy: spoofable"),
])
async def test_dmarc(dns_server: DnsResponder, record: str, expected: dict[str, Any],
                     signal: str | None) -> None:
    serve(dns_server, **mx("mail.acme.example"), dmarc=record)
    found = await check(dns_server)
    assert found.dmarc.model_dump() == {"record": record, **expected}
    if signal:
        assert signal in found.signals
    else:
        assert not any("DMARC" in s for s in found.signals)


async def test_no_dmarc_and_two_dmarc_records(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"))
    found = await check(dns_server)
    assert found.dmarc.record is None and "no DMARC" in found.signals
    dns_server.set(f"_dmarc.{DOMAIN}", {"TXT": txt("v=DMARC1; p=reject", "v=DMARC1; p=none")})
    found = await check(dns_server)
    assert found.dmarc.policy is None
    assert "2 DMARC records: none applies: spoofable" in found.signals


async def test_mta_sts_and_tls_rpt(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"))
    found = await check(dns_server)
    assert (found.mta_sts, found.tls_rpt) == (False, False)
    assert "no MTA-STS: TLS not enforced" in found.signals
    dns_server.set(f"_mta-sts.{DOMAIN}", {"TXT": txt("v=STSv1; id=20240101")})
    dns_server.set(f"_smtp._tls.{DOMAIN}", {"TXT": txt("v=TLSRPTv1; rua=mailto:t@acme.example")})
    found = await check(dns_server)
    assert (found.mta_sts, found.tls_rpt) == (True, True)
    assert not any("MTA-STS" in s for s in found.signals)


async def test_a_silent_part_is_null_and_the_rest_is_kept(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("x.mail.protection.outlook.com"))
    dns_server.set(f"_dmarc.{DOMAIN}", SILENT)
    dns_server.set(f"_mta-sts.{DOMAIN}", SILENT)
    found = await check(dns_server, lifetime=0.6)
    assert (found.verdict, found.mail_provider, found.mta_sts, found.tls_rpt) == (
        "mail", "Microsoft 365", None, False)
    assert found.dmarc.record is None
    assert not any("DMARC" in s or "MTA-STS" in s for s in found.signals)


@pytest.mark.parametrize(("name", "verdict"), [
    ("example.net", "null_mx"), ("a-only.example.com", "no_mx"),
    ("nxdomain.example.com", "nxdomain"), ("servfail.example.com", "unknown"),
])
async def test_signals_per_verdict(dns_server: DnsResponder, name: str, verdict: str) -> None:
    found = await check(dns_server, name)
    assert found.verdict == verdict
    expected = {"null_mx": ["no SPF", "no DMARC"], "no_mx": ["no SPF", "no DMARC"]}
    assert found.signals == expected.get(verdict, [])


async def test_answers_after_a_latency_all_at_once(dns_server: DnsResponder) -> None:
    # Five questions and an include, each answered after 0.3 s: asked one after
    # another they would need 1.8 s, more than the lifetime.
    dns_server.latency = 0.3
    serve(dns_server, **mx("x.mail.protection.outlook.com"),
          **spf("include:spf.protection.outlook.com", "-all"), dmarc="v=DMARC1; p=reject")
    dns_server.set("spf.protection.outlook.com", spf("ip4:192.0.2.1", "-all"))
    found = await check(dns_server, lifetime=1.5)
    assert (found.verdict, found.spf.vendors, found.dmarc.policy) == (
        "mail", ["Microsoft 365"], "reject")


# --- hostile TXT --------------------------------------------------------------------


async def test_a_10000_character_spf_comes_over_tcp_verbatim(dns_server: DnsResponder) -> None:
    terms = [f"ip4:10.{i // 250}.{i % 250}.0/24" for i in range(600)]
    serve(dns_server, **mx("mail.acme.example"), **spf(*terms, "-all"))
    found = await check(dns_server)
    assert found.spf.record == " ".join(("v=spf1", *terms, "-all"))
    assert len(found.spf.record) > 10_000
    assert (found.spf.all, found.spf.lookups, found.spf.error) == ("-all", 0, None)
    assert dns_server.queries.count((DOMAIN, "TXT")) == 2  # UDP truncated, then TCP


async def test_a_truncated_answer_is_asked_again_over_tcp(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"), **spf("+all"))
    dns_server.truncate.add(DOMAIN)
    found = await check(dns_server)
    assert (found.verdict, found.spf.all) == ("mail", "+all")
    assert dns_server.queries.count((DOMAIN, "MX")) == 2


async def test_an_include_loop_is_an_error(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"), **spf("include:a.example", "-all"))
    dns_server.set("a.example", spf("include:b.example"))
    dns_server.set("b.example", spf("include:a.example"))
    found = await check(dns_server)
    assert found.spf.error == "include loop: 'a.example' -> 'b.example' -> 'a.example'"
    assert dns_server.queries.count(("a.example", "TXT")) == 1


async def test_a_self_include_is_a_loop(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"), **spf(f"include:{DOMAIN}", "-all"))
    found = await check(dns_server)
    assert found.spf.error == f"include loop: '{DOMAIN}' -> '{DOMAIN}'"


async def test_fifty_includes_stop_at_the_limit_unasked(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"),
          **spf(*[f"include:i{n}.example" for n in range(50)], "-all"))
    found = await check(dns_server)
    assert found.spf.lookups == 50
    assert found.spf.error is not None and "more than 10 DNS lookups" in found.spf.error
    assert not [q for q in dns_server.queries if q[0].startswith("i")]  # none followed


async def test_deep_includes_stop_at_the_limit(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"), **spf("include:d0.example", "-all"))
    for n in range(30):
        dns_server.set(f"d{n}.example", spf(f"include:d{n + 1}.example"))
    found = await check(dns_server)
    assert found.spf.lookups == 11 and "more than 10" in (found.spf.error or "")
    assert len([q for q in dns_server.queries if q[0].startswith("d")]) == 10


async def test_markup_and_escapes_are_kept_verbatim_and_shown_safely(
    dns_server: DnsResponder,
) -> None:
    spf_text = "v=spf1 ip4:192.0.2.1 [b]x[/b] \x1b]2;owned\x07 -all"
    dmarc_text = "v=DMARC1; p=reject; rua=mailto:[red]a@b[/red]; x=\x1b[31m"
    serve(dns_server, **mx("mail.acme.example"), TXT=txt(spf_text), dmarc=dmarc_text)
    found = await check(dns_server)
    assert (found.spf.record, found.dmarc.record) == (spf_text, dmarc_text)
    assert found.dmarc.policy == "reject" and found.dmarc.rua
    assert found.spf.error == "syntax error at '[b]x[/b]'"
    for text in (found.spf.record, found.dmarc.record, *found.signals):
        assert "\x1b" not in clean_for_display(text) and "\x07" not in clean_for_display(text)


async def test_an_escape_in_a_bad_term_is_shown_as_a_symbol(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"), TXT=txt("v=spf1 \x1b[31m -all"))
    found = await check(dns_server)
    assert found.spf.error == "syntax error at '\u241b[31m'"


async def test_a_cname_loop_could_not_be_checked(dns_server: DnsResponder) -> None:
    dns_server.set(DOMAIN, {"CNAME": ["loop.acme.example."]})
    dns_server.set("loop.acme.example", {"CNAME": [f"{DOMAIN}."]})
    found = await check(dns_server)
    assert found.verdict == "unknown"
    assert found.message == ("could not check: the name is an alias (CNAME) chain that loops "
                             "or is too long")


async def test_a_cname_is_followed(dns_server: DnsResponder) -> None:
    dns_server.set(DOMAIN, {"CNAME": ["example.org."]})
    dns_server.set("_dmarc.example.org", {"TXT": txt("v=DMARC1; p=quarantine")})
    dns_server.set(f"_dmarc.{DOMAIN}", {"CNAME": ["_dmarc.example.org."]})
    found = await check(dns_server)
    assert (found.mail_provider, found.dmarc.policy) == ("Google Workspace", "quarantine")


async def test_non_utf8_bytes_in_txt_are_replaced(dns_server: DnsResponder) -> None:
    serve(dns_server, **mx("mail.acme.example"),
          TXT=['"v=spf1 ip4:192.0.2.1 \\255\\254 -all"'])
    found = await check(dns_server)
    assert found.spf.record == "v=spf1 ip4:192.0.2.1 \ufffd\ufffd -all"
    assert found.spf.error == "syntax error at '\ufffd\ufffd'"
