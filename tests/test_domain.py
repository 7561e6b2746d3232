"""store.domain: normalising typed domains, and checking them against a loopback DNS responder."""

from __future__ import annotations

import random
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import dns.asyncresolver
import dns.message
import dns.query
import pytest

from store.domain import names
from store.domain.dns import (
    Nameserver,
    check_dns,
    check_dns_sync,
    nameserver_from_env,
    parse_nameserver,
    verify_exit_code,
)
from store.domain.mailmap import load_mailmap
from store.domain.names import Domain, DomainError, normalise_domain
from store.models import DomainCheck
from tests.dns_responder import NULL_MX, SILENT, DnsResponder, mx
from tests.dns_responder import dns_server as dns_server  # the fixture

# --- normalising -------------------------------------------------------------

ACCEPTED = [
    ("example.com", "example.com", "example.com"),
    ("  example.com \n", "example.com", "example.com"),
    ("EXAMPLE.COM", "example.com", "example.com"),
    ("example.com.", "example.com", "example.com"),
    ("https://www.Example.COM:443/path?q", "example.com", "example.com"),
    ("http://example.com", "example.com", "example.com"),
    ("https://user:secret@example.com:8443/x#top", "example.com", "example.com"),
    ("//example.com/about", "example.com", "example.com"),
    ("example.com:8080", "example.com", "example.com"),
    ("bob@example.com", "example.com", "example.com"),
    ("Bob Smith <Bob@Example.com>", "example.com", "example.com"),
    ("mailto:bob@example.com", "example.com", "example.com"),
    ("www.example.co.uk", "example.co.uk", "example.co.uk"),
    ("mail.example.co.uk", "mail.example.co.uk", "mail.example.co.uk"),
    ("www.com", "www.com", "www.com"),  # "www" is the name here, not a prefix
    ("münchen.de", "xn--mnchen-3ya.de", "münchen.de"),
    ("MÜNCHEN.DE.", "xn--mnchen-3ya.de", "münchen.de"),
    ("xn--mnchen-3ya.de", "xn--mnchen-3ya.de", "münchen.de"),
    ("https://www.münchen.de/impressum", "xn--mnchen-3ya.de", "münchen.de"),
    ("straße.de", "xn--strae-oqa.de", "straße.de"),  # IDNA 2008: ß kept
    ("例え。テスト", "xn--r8jz45g.xn--zckzah", "例え.テスト"),  # ideographic full stop
    ("1example.com", "1example.com", "1example.com"),
    ("a" * 63 + ".com", "a" * 63 + ".com", "a" * 63 + ".com"),
]


@pytest.mark.parametrize(("raw", "ascii", "unicode"), ACCEPTED)
def test_normalise_accepts(raw: str, ascii: str, unicode: str) -> None:
    domain = normalise_domain(raw)
    assert domain == Domain(ascii=ascii, unicode=unicode)
    assert normalise_domain(domain.ascii) == domain  # stable, and back from punycode
    assert normalise_domain(domain.unicode) == domain


LONG_NAME = ".".join(["a" * 60] * 5) + ".com"  # 308 characters

REJECTED = [
    ("", "enter a domain name, e.g. example.com"),
    ("   ", "enter a domain name, e.g. example.com"),
    ("exa mple.com", "'exa mple.com' is not a valid domain name: spaces are not allowed"),
    ("my_company.com", "'_' is not allowed: use only letters, digits, hyphens and dots"),
    ("example!.com", "'!' is not allowed"),
    ("a" * 64 + ".com", "is 64 characters long (the limit is 63)"),
    (LONG_NAME, "it is 308 characters long (the limit is 253)"),
    ("co.uk", "'co.uk' is a public suffix, not a company's domain: enter e.g. example.co.uk"),
    ("CO.UK.", "'co.uk' is a public suffix, not a company's domain: enter e.g. example.co.uk"),
    ("com", "'com' is a public suffix, not a company's domain: enter e.g. example.com"),
    ("localhost", "'localhost' is not a valid domain name: it needs a dot, e.g. example.com"),
    ("-example.com", "the label '-example' must not start or end with a hyphen"),
    ("example-.com", "the label 'example-' must not start or end with a hyphen"),
    ("example..com", "it has an empty label"),
    (".example.com", "it has an empty label"),
    ("192.168.1.10", "that is an IP address"),
    ("[2001:db8::1]:443", "that is an IP address"),
    ("example.123", "the last label '123' cannot be all digits"),
    ("😀.com", "'😀' (U+1F600) is not allowed in a domain name"),
    ("xn--zz.com", "not a valid international domain name"),
    ("https://", "there is no domain name in it"),
    ("bob@", "there is no domain name in it"),
]


@pytest.mark.parametrize(("raw", "message"), REJECTED)
def test_normalise_rejects_with_a_message(raw: str, message: str) -> None:
    with pytest.raises(DomainError) as caught:
        normalise_domain(raw)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_rejection_message_is_safe_to_show() -> None:
    with pytest.raises(DomainError) as caught:
        normalise_domain("exa\x1b[31mmple\u202e.com")
    assert "\x1b" not in str(caught.value) and "\u202e" not in str(caught.value)


def _by_idna(raw: str) -> Domain | str:
    """What normalise_domain answers for raw by the full IDNA route: a Domain or the message."""
    try:
        return names._company_domain(*names._idna_names(raw), raw, names._is_public)
    except DomainError as error:
        return str(error)


def test_plain_names_take_a_short_way_to_the_same_answer() -> None:
    """Plain ASCII names skip IDNA (an import judges 100k of them): same domain, same refusal."""
    rnd = random.Random(2)
    alphabet = "abcxyz019-.W"
    raws = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 14))) for _ in range(4000)]
    raws += [f"{a}.{b}" for a in ("a", "www", "x-y", "1", "www.a") for b in
             ("com", "co.uk", "ck", "x.ck", "jp", "kobe.jp", "city.kobe.jp", "sch.uk", "b.sch.uk")]
    raws += [" Example.COM ", "a" * 63 + ".com", "a" * 64 + ".com", LONG_NAME, "ab--cd.com"]
    short = 0
    for raw in raws:
        short += names._PLAIN.fullmatch(raw.strip().lower()) is not None
        try:
            got: Domain | str = normalise_domain(raw)
        except DomainError as error:
            got = str(error)
        assert got == _by_idna(raw), raw
    assert short > 500


def test_a_column_of_plain_names_is_judged_together_the_same() -> None:
    """An import's column: all plain, then each is normalise_domain's answer; else None."""
    rnd = random.Random(3)
    alphabet = "abcxyz019-.W"
    odd = 0
    for _ in range(400):
        column = [f"acme{i}.example" for i in range(rnd.randint(1, 20))]
        column[rnd.randrange(len(column))] = "".join(
            rnd.choice(alphabet) for _ in range(rnd.randint(1, 14)))
        together = names.plain_domains(column)
        if together is None:
            odd += 1
            continue
        assert together == [normalise_domain(raw).ascii for raw in column], column
    assert 0 < odd < 400
    assert names.plain_domains([" Acme.COM ", "b.co.uk"]) == ["acme.com", "b.co.uk"]
    for column in (["acme.com", "co.uk"], ["acme.com", "x.ck"], ["www.acme.com"], ["a--b.com"],
                   ["acme.com\nb.com"], ["ａｃｍｅ.com"], ["a" * 64 + ".com"], [""], ["acme"]):
        assert names.plain_domains(column) is None, column


def test_the_suffix_index_never_hides_a_public_suffix() -> None:
    """Only names the index flags are looked up in the list: every public one is flagged."""
    suffixes = names._suffixes()
    candidates = set()
    for rule in suffixes.named:
        candidates.update({rule, f"x.{rule}", f"a.b.{rule}"})
    for name in candidates:
        if suffixes.psl.is_public(name):
            assert (name in suffixes.named or name.partition(".")[2] in suffixes.wild), name


# --- mail hosts, nameservers, exit codes --------------------------------------


@pytest.mark.parametrize(
    ("hosts", "provider"),
    [
        (["example-com.mail.protection.outlook.com"], "Microsoft 365"),
        (["EXAMPLE-COM.MAIL.PROTECTION.OUTLOOK.COM."], "Microsoft 365"),
        (["example-com.s-v1.mx.microsoft"], "Microsoft 365"),
        (["aspmx.l.google.com", "alt1.aspmx.l.google.com"], "Google Workspace"),
        (["smtp.google.com"], "Google Workspace"),
        (["aspmx2.googlemail.com"], "Google Workspace"),
        (["eu-smtp-inbound-1.mimecast.com"], "Mimecast"),
        (["za-smtp-inbound-1.mimecast.co.za"], "Mimecast"),
        (["mx0a-00123.pphosted.com"], "Proofpoint"),
        (["mx1-eu1.ppe-hosted.com"], "Proofpoint Essentials"),
        (["d123.ess.barracudanetworks.com"], "Barracuda"),
        (["mx1.hc123-45.iphmx.com"], "Cisco Secure Email"),
        (["mail.example.com", "eu-smtp-inbound-1.mimecast.com"], "Mimecast"),
        (["mail.example.com"], "other"),
        (["notgoogle.com"], "other"),  # a suffix match is on whole labels
        ([], None),
    ],
)
def test_mail_host_of(hosts: list[str], provider: str | None) -> None:
    assert load_mailmap().mail_host(hosts) == provider


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:5353", Nameserver("127.0.0.1", 5353)),
        (" 10.0.0.1 ", Nameserver("10.0.0.1", 53)),
        ("[::1]:53", Nameserver("::1", 53)),
        ("[::1]", Nameserver("::1", 53)),
        ("::1", Nameserver("::1", 53)),
    ],
)
def test_parse_nameserver(text: str, expected: Nameserver) -> None:
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize("text", ["", "dns.example.com", "127.0.0.1:0", "127.0.0.1:x", "1.2.3:53"])
def test_parse_nameserver_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="is not a nameserver"):
        parse_nameserver(text)


def test_nameserver_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROSPECTS_NAMESERVER", raising=False)
    assert nameserver_from_env() is None
    monkeypatch.setenv("PROSPECTS_NAMESERVER", "127.0.0.1:5353")
    assert nameserver_from_env() == Nameserver("127.0.0.1", 5353)
    monkeypatch.setenv("PROSPECTS_NAMESERVER", "nonsense")
    with pytest.raises(ValueError, match="PROSPECTS_NAMESERVER"):
        nameserver_from_env()


@pytest.mark.parametrize(
    ("verdict", "code"),
    [("mail", 0), ("no_mx", 0), ("duplicate", 1), ("nxdomain", 1), ("null_mx", 1), ("unknown", 3)],
)
def test_verify_exit_code(verdict: Any, code: int) -> None:
    assert verify_exit_code(DomainCheck(verdict=verdict, message="")) == code


# --- DNS, against the loopback responder --------------------------------------

DNS_CASES = [
    (
        "example.com",
        "mail",
        "Microsoft 365",
        "receives mail (Microsoft 365: example-com.mail.protection.outlook.com)",
    ),
    (
        "example.org",
        "mail",
        "Google Workspace",
        "receives mail (Google Workspace: aspmx.l.google.com and 1 more)",
    ),
    ("mimecast.example.com", "mail", "Mimecast", "receives mail (Mimecast: "),
    ("proofpoint.example.com", "mail", "Proofpoint", "receives mail (Proofpoint: "),
    ("self-hosted.example.com", "mail", "other", "receives mail (mail.self-hosted.example.com)"),
    ("münchen.de", "mail", "other", "receives mail (mx.xn--mnchen-3ya.de)"),
    ("example.net", "null_mx", None, "accepts no mail (null MX)"),
    (
        "a-only.example.com",
        "no_mx",
        None,
        "no MX records, but it has an address: mail goes to the host itself",
    ),
    ("aaaa-only.example.com", "no_mx", None, "no MX records, but it has an address"),
    ("empty.example.com", "nxdomain", None, "has no mail or address records"),
    ("nxdomain.example.com", "nxdomain", None, "does not exist in DNS"),
    ("not-in-the-zone.example.com", "nxdomain", None, "does not exist in DNS"),
    ("servfail.example.com", "unknown", None, "could not check: the nameserver answered SERVFAIL"),
    ("refused.example.com", "unknown", None, "could not check: the nameserver answered REFUSED"),
]


@pytest.mark.parametrize(("name", "verdict", "mail_host", "message"), DNS_CASES)
async def test_check_dns_verdicts(
    dns_server: DnsResponder, name: str, verdict: str, mail_host: str | None, message: str
) -> None:
    check = await check_dns(normalise_domain(name), nameserver=dns_server.nameserver)
    assert (check.verdict, check.mail_host) == (verdict, mail_host)
    assert check.message.startswith(message)
    assert "system resolver" not in check.message  # a nameserver was given


async def test_idn_is_queried_in_punycode(dns_server: DnsResponder) -> None:
    await check_dns(normalise_domain("MÜNCHEN.de"), nameserver=dns_server.nameserver)
    assert sorted(dns_server.queries) == [
        ("_dmarc.xn--mnchen-3ya.de", "TXT"), ("_mta-sts.xn--mnchen-3ya.de", "TXT"),
        ("_smtp._tls.xn--mnchen-3ya.de", "TXT"), ("xn--mnchen-3ya.de", "MX"),
        ("xn--mnchen-3ya.de", "TXT"),
    ]  # MX answered: no A or AAAA


async def test_addresses_are_asked_when_there_is_no_mx(dns_server: DnsResponder) -> None:
    await check_dns(normalise_domain("a-only.example.com"), nameserver=dns_server.nameserver)
    assert sorted(dns_server.queries) == [
        ("_dmarc.a-only.example.com", "TXT"),
        ("_mta-sts.a-only.example.com", "TXT"),
        ("_smtp._tls.a-only.example.com", "TXT"),
        ("a-only.example.com", "A"),
        ("a-only.example.com", "AAAA"),
        ("a-only.example.com", "MX"),
        ("a-only.example.com", "TXT"),
    ]


async def test_names_can_be_set_per_test(dns_server: DnsResponder) -> None:
    domain = normalise_domain("example.com")
    dns_server.set("example.com", NULL_MX)
    assert (await check_dns(domain, nameserver=dns_server.nameserver)).verdict == "null_mx"
    dns_server.set("example.com", mx("acme-com.mail.protection.outlook.com", "mx.acme.example"))
    check = await check_dns(domain, nameserver=dns_server.nameserver)
    assert check.mail_host == "Microsoft 365"
    assert check.message.endswith("and 1 more)")
    dns_server.remove("example.com")
    assert (await check_dns(domain, nameserver=dns_server.nameserver)).verdict == "nxdomain"


async def test_null_mx_among_real_mx_is_ignored(dns_server: DnsResponder) -> None:
    dns_server.set("mixed.example.com", {"MX": ["0 .", "10 aspmx.l.google.com."]})
    check = await check_dns(normalise_domain("mixed.example.com"), nameserver=dns_server.nameserver)
    assert (check.verdict, check.mail_host) == ("mail", "Google Workspace")


async def test_silence_gives_unknown_within_lifetime(dns_server: DnsResponder) -> None:
    dns_server.set("example.com", SILENT)
    check = await check_dns(
        normalise_domain("example.com"), nameserver=dns_server.nameserver, lifetime=0.5
    )
    assert check.verdict == "unknown"
    assert check.message == "could not check: no answer within 0.5 s"
    assert dns_server.queries  # it was asked, and said nothing


async def test_nothing_listening_gives_unknown_within_lifetime() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    check = await check_dns(
        normalise_domain("example.com"), nameserver=Nameserver("127.0.0.1", port), lifetime=0.3
    )
    assert check.verdict == "unknown"
    assert check.message.startswith("could not check: ")


def test_check_dns_sync(dns_server: DnsResponder) -> None:
    check = check_dns_sync(normalise_domain("example.org"), nameserver=dns_server.nameserver)
    assert (check.verdict, check.mail_host) == ("mail", "Google Workspace")
    assert verify_exit_code(check) == 0


# The "system resolver" tests replace only where the real resolver reads its
# configuration, so that it still asks the loopback responder over UDP.


def _system_resolver(monkeypatch: pytest.MonkeyPatch, **config: Any) -> None:
    real = dns.asyncresolver.Resolver

    class SystemResolver(real):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            if "filename" in config:
                super().__init__(filename=config["filename"])
            else:
                super().__init__(configure=False)
                self.nameservers = [config["nameserver"]]
                self.port = config["port"]

    monkeypatch.setattr(dns.asyncresolver, "Resolver", SystemResolver)


async def test_nxdomain_from_the_system_resolver_says_so(
    dns_server: DnsResponder, monkeypatch: pytest.MonkeyPatch
) -> None:
    _system_resolver(monkeypatch, nameserver="127.0.0.1", port=dns_server.port)
    check = await check_dns(normalise_domain("nxdomain.example.com"))
    assert check.verdict == "nxdomain"
    assert check.message == (
        "does not exist in DNS (answer from the system resolver; "
        "if this machine has no internet, set PROSPECTS_NAMESERVER)"
    )
    assert ("nxdomain.example.com", "MX") in dns_server.queries
    assert verify_exit_code(check) == 1


async def test_no_resolver_configuration_gives_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "resolv.conf"
    empty.write_text("# no nameserver lines\n")
    _system_resolver(monkeypatch, filename=str(empty))
    check = await check_dns(normalise_domain("example.com"))
    assert check.verdict == "unknown"
    assert "PROSPECTS_NAMESERVER" in check.message
    assert verify_exit_code(check) == 3


# --- the responder itself -----------------------------------------------------


def test_responder_answers_over_tcp(dns_server: DnsResponder) -> None:
    query = dns.message.make_query("example.com", "MX")
    response = dns.query.tcp(query, "127.0.0.1", port=dns_server.port, timeout=2)
    assert "mail.protection.outlook.com" in response.answer[0].to_text()


def test_responder_shuts_down_cleanly() -> None:
    server = DnsResponder().start()
    port = server.port
    server.stop()
    assert not server._thread.is_alive()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as again:
        again.bind(("127.0.0.1", port))  # the port is free again


def test_dns_is_imported_lazily() -> None:
    code = "import sys, store.domain.names, store.domain.dns; print('dns.resolver' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
