"""A loopback DNS responder for tests, built with dnspython's own message classes.

It serves UDP and TCP on 127.0.0.1 (one free port, both protocols) from a
background thread. The zone maps a name to a behaviour:

* a dict of record type -> rdata texts, e.g. ``{"MX": ["10 mx.example.com."]}``
  (a type the dict lacks gets an empty NOERROR answer: "no such records");
* ``NXDOMAIN``, ``SERVFAIL`` or ``REFUSED``: that response code;
* ``SILENT``: never answers (the client times out).

A dict may hold "CNAME": the responder then follows it through the zone, as an
authoritative server does (a loop stops after a few steps). An answer too big for
UDP (512 bytes, or the EDNS size) goes out truncated, so the client retries over
TCP; ``truncate`` names get a truncated UDP answer whatever their size. ``latency``
delays every answer by that many seconds, without holding up other queries;
``hold`` (True) keeps every answer back until it is set False again, and
``release()`` sends those held so far, so a test can read an app in the middle of a
run however slowly the machine goes.
``txt(...)`` and ``spf(...)`` make TXT rdata from plain strings, ESC bytes included.

Names not in the zone get NXDOMAIN. Use the ``dns_server`` fixture (import it
from tests/conftest.py) or ``DnsResponder`` as a context manager.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import selectors
import socket
import struct
import threading
import time
from collections.abc import Iterator, Mapping

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import idna
import pytest

from store.domain.dns import Nameserver

NXDOMAIN = "NXDOMAIN"
SERVFAIL = "SERVFAIL"
REFUSED = "REFUSED"
SILENT = "SILENT"

Records = Mapping[str, list[str]]
Behaviour = str | Records


def mx(*targets: str, preference: int = 10) -> Records:
    """MX records to the given hosts, preferences 10, 20, ... in order."""
    return {"MX": [f"{preference * (i + 1)} {t.rstrip('.')}." for i, t in enumerate(targets)]}


NULL_MX: Records = {"MX": ["0 ."]}
MAX_CHAIN = 8  # CNAME steps the responder follows


def _quote(data: bytes) -> str:
    """One TXT character-string in zone-file form: quoted, every other byte as \\DDD."""
    return '"' + "".join(
        chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else f"\\{b:03d}" for b in data
    ) + '"'


def txt(*records: str) -> list[str]:
    """TXT rdata texts, one per record; a long record is split into 255-byte strings."""
    out = []
    for record in records:
        data = record.encode("utf-8")
        out.append(" ".join(_quote(data[i:i + 255]) for i in range(0, len(data) or 1, 255)))
    return out


def spf(*terms: str) -> Records:
    """A name with one SPF record: spf("include:_spf.google.com", "-all")."""
    return {"TXT": txt(" ".join(("v=spf1", *terms)))}


DEFAULT_ZONE: dict[str, Behaviour] = {
    "example.com": mx("example-com.mail.protection.outlook.com"),
    "example.org": mx("aspmx.l.google.com", "alt1.aspmx.l.google.com"),
    "mimecast.example.com": mx("eu-smtp-inbound-1.mimecast.com", "eu-smtp-inbound-2.mimecast.com"),
    "proofpoint.example.com": mx("mx0a-001.pphosted.com"),
    "self-hosted.example.com": mx("mail.self-hosted.example.com"),
    "example.net": NULL_MX,
    "a-only.example.com": {"A": ["192.0.2.10"]},
    "aaaa-only.example.com": {"AAAA": ["2001:db8::10"]},
    "empty.example.com": {"TXT": ['"v=spf1 -all"']},
    "servfail.example.com": SERVFAIL,
    "refused.example.com": REFUSED,
    "silent.example.com": SILENT,
    "nxdomain.example.com": NXDOMAIN,
    "münchen.de": mx("mx.münchen.de"),
}


def _key(name: str) -> dns.name.Name:
    """The absolute DNS name for a zone key; Unicode names are IDNA-encoded."""
    text = name.rstrip(".")
    if not text.isascii():
        text = idna.encode(text, uts46=True).decode("ascii")
    return dns.name.from_text(text)


def _rdata(text: str) -> str:
    """Rdata text with any Unicode host names IDNA-encoded ("10 mx.münchen.de.")."""
    if text.isascii():
        return text
    return " ".join(
        idna.encode(w.rstrip("."), uts46=True).decode() + "." if not w.isascii() else w
        for w in text.split()
    )


class DnsResponder:
    """A DNS server on 127.0.0.1 answering from ``zone``; ``queries`` logs (name, type)."""

    def __init__(
        self, zone: Mapping[str, Behaviour] | None = None, *, latency: float = 0.0
    ) -> None:
        self._zone: dict[dns.name.Name, Behaviour] = {}
        self._lock = threading.Lock()
        self.queries: list[tuple[str, str]] = []
        self.latency = latency
        self.hold = False
        self._release = threading.Event()
        self.truncate: set[str] = set()
        self._parsed: dict[tuple[dns.name.Name, str, tuple[str, ...]], dns.rrset.RRset] = {}
        # Answers waiting for their latency: (due, n, UDP peer or TCP socket, wire).
        self._due: list[tuple[float, int, object, bytes]] = []
        self._seq = itertools.count()
        for name, behaviour in (DEFAULT_ZONE if zone is None else zone).items():
            self.set(name, behaviour)
        self._stop = threading.Event()
        self._udp, self._tcp = self._bind()
        self.port: int = self._udp.getsockname()[1]
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, name="dns-responder", daemon=True)

    @property
    def nameserver(self) -> Nameserver:
        return Nameserver("127.0.0.1", self.port)

    @property
    def env(self) -> str:
        """The value for PROSPECTS_NAMESERVER."""
        return f"127.0.0.1:{self.port}"

    def set(self, name: str, behaviour: Behaviour) -> None:
        """Add or replace a name's behaviour (Unicode names allowed)."""
        with self._lock:
            self._zone[_key(name)] = behaviour

    def remove(self, name: str) -> None:
        """Forget a name: it will then get NXDOMAIN."""
        with self._lock:
            self._zone.pop(_key(name), None)

    @staticmethod
    def _bind() -> tuple[socket.socket, socket.socket]:
        for _ in range(50):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)  # bursts of queries
            udp.bind(("127.0.0.1", 0))
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                tcp.bind(("127.0.0.1", udp.getsockname()[1]))
            except OSError:
                udp.close()
                tcp.close()
                continue
            tcp.listen(16)
            return udp, tcp
        raise RuntimeError("no free port for both UDP and TCP on 127.0.0.1")

    def start(self) -> DnsResponder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        waiting = [to for _, _, to, _ in self._due if isinstance(to, socket.socket)]
        for sock in (self._udp, self._tcp, *self._held, *waiting):
            sock.close()

    def __enter__(self) -> DnsResponder:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def answer(self, wire: bytes, *, udp: bool = False) -> bytes | None:
        """The response to one query in wire format, or None to stay silent."""
        try:
            query = dns.message.from_wire(wire)
        except Exception:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if not query.question:
            response.set_rcode(dns.rcode.FORMERR)
            return response.to_wire()
        question = query.question[0]
        rdtype = dns.rdatatype.to_text(question.rdtype)
        name = question.name.to_text(omit_final_dot=True)
        with self._lock:
            self.queries.append((name, rdtype))
            behaviour = self._zone.get(question.name, NXDOMAIN)
        if behaviour == SILENT:
            return None
        self._fill(response, question.name, rdtype, behaviour)
        wire = response.to_wire()
        limit = max(query.payload, 512) if query.edns >= 0 else 512
        if udp and (name in self.truncate or len(wire) > limit):
            response = dns.message.make_response(query)
            response.flags |= dns.flags.AA | dns.flags.TC
            wire = response.to_wire()
        return wire

    def _fill(self, response: dns.message.Message, qname: dns.name.Name, rdtype: str,
              behaviour: Behaviour) -> None:
        """Answer from the zone, following CNAMEs within it for MAX_CHAIN steps."""
        for _ in range(MAX_CHAIN):
            if isinstance(behaviour, str):
                if behaviour != SILENT:  # a CNAME to a silent name: no records
                    response.set_rcode(dns.rcode.from_text(behaviour))
                return
            if rdtype != "CNAME" and behaviour.get("CNAME"):
                rrset = self._rrset(qname, "CNAME", behaviour["CNAME"])
                response.answer.append(rrset)
                qname = rrset[0].target
                with self._lock:
                    behaviour = self._zone.get(qname, NXDOMAIN)
                continue
            if behaviour.get(rdtype):
                response.answer.append(self._rrset(qname, rdtype, behaviour[rdtype]))
            return

    def _rrset(self, qname: dns.name.Name, rdtype: str, texts: list[str]) -> dns.rrset.RRset:
        """The records parsed once (a bench asks the same names thousands of times)."""
        key = (qname, rdtype, tuple(texts))
        rrset = self._parsed.get(key)
        if rrset is None:
            rrset = self._parsed[key] = dns.rrset.from_text_list(
                qname, 300, dns.rdataclass.IN, rdtype, [_rdata(r) for r in texts])
        return rrset

    def _serve(self) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(self._udp, selectors.EVENT_READ)
            sel.register(self._tcp, selectors.EVENT_READ)
            while not self._stop.is_set():
                wait = 0.05 if not self._due or self.hold else min(
                    0.05, self._due[0][0] - time.monotonic())
                for key, _ in sel.select(timeout=max(wait, 0)):
                    if key.fileobj is self._udp:
                        self._serve_udp()
                    else:
                        self._serve_tcp()
                released = self._release.is_set()
                self._release.clear()
                self._send_due(everything=released)

    def release(self) -> None:
        """While holding: send every answer held so far (the next ones are held again)."""
        self._release.set()

    def _later(self, to: object, reply: bytes) -> None:
        """Send now, or after the latency."""
        heapq.heappush(self._due, (time.monotonic() + self.latency, next(self._seq), to, reply))
        if not self.latency:
            self._send_due()

    def _send_due(self, *, everything: bool = False) -> None:
        if self.hold and not everything:
            return
        now = float("inf") if everything else time.monotonic()
        while self._due and self._due[0][0] <= now:
            _, _, to, reply = heapq.heappop(self._due)
            if isinstance(to, socket.socket):
                try:
                    to.sendall(struct.pack("!H", len(reply)) + reply)
                except OSError:
                    pass
                finally:
                    to.close()
            else:
                with contextlib.suppress(OSError):
                    self._udp.sendto(reply, to)  # type: ignore[arg-type]

    def _serve_udp(self) -> None:
        for _ in range(64):  # drain what has arrived, not one query per select
            try:
                wire, peer = self._udp.recvfrom(65535, socket.MSG_DONTWAIT)
            except OSError:
                return
            reply = self.answer(wire, udp=True)
            if reply is not None:
                self._later(peer, reply)

    def _serve_tcp(self) -> None:
        conn, _ = self._tcp.accept()
        conn.settimeout(1.0)
        try:
            size = struct.unpack("!H", _recv_exactly(conn, 2))[0]
            reply = self.answer(_recv_exactly(conn, size))
        except (OSError, struct.error):
            conn.close()
            return
        if reply is None:
            self._held.append(conn)  # silent: keep it open, say nothing
            return
        self._later(conn, reply)


def _recv_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise OSError("connection closed")
        data += chunk
    return data


@pytest.fixture
def dns_server() -> Iterator[DnsResponder]:
    """A running loopback responder with DEFAULT_ZONE; ``.set(name, behaviour)`` per test."""
    with DnsResponder() as server:
        yield server


__all__ = [
    "DEFAULT_ZONE", "NULL_MX", "NXDOMAIN", "REFUSED", "SERVFAIL", "SILENT",
    "DnsResponder", "dns_server", "mx", "spf", "txt",
]  # fmt: skip
