"""TLS as the server presents it, and whether each trust store accepts it.

One unverified handshake records what is on the wire (version, cipher, ALPN, the
leaf certificate); separate handshakes ask certifi, the OS store (truststore)
and --ca-file for their verdict. Every handshake takes the same path the client
would: direct, or through the proxy's CONNECT tunnel.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import ipaddress
import ssl
import time
import warnings
from dataclasses import dataclass, field

from .errors import CertificateRejected, NetError, NotApplicable, boundary
from .path import open_path
from .proxy import ProxyChoice
from .route import Route

# The direct path is only compared when the proxied one looks re-signed; it may well be
# blocked (the proxy is mandatory), so it gets a short budget of its own.
DIRECT_PROBE_S = 3.0


@dataclass
class Presented:
    version: str
    cipher: str
    alpn: str | None
    leaf_der: bytes
    elapsed_ms: float
    chain_der: list[bytes] = field(default_factory=list)  # as sent, leaf first


def unverified_chain(ssl_object: ssl.SSLObject) -> list[bytes]:
    """The certificates the server sent; public API from Python 3.13, private before."""
    getter = getattr(ssl_object, "get_unverified_chain", None)
    if getter is None:
        getter = getattr(getattr(ssl_object, "_sslobj", None), "get_unverified_chain", None)
    try:
        chain = getter() if getter is not None else []
        return [cert.public_bytes(ssl._ssl.ENCODING_DER) for cert in chain or []]  # type: ignore[attr-defined]
    except (AttributeError, ValueError, ssl.SSLError):
        return []


@dataclass
class Leaf:
    subject: str
    issuer: str
    issuer_org: str
    dns_names: list[str] = field(default_factory=list)
    ip_names: list[str] = field(default_factory=list)
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    sha256: str = ""

    def expired(self, now: dt.datetime) -> bool:
        return self.not_after is not None and self.not_after < now

    def covers(self, host: str) -> bool:
        try:
            return str(ipaddress.ip_address(host)) in self.ip_names
        except ValueError:
            pass
        host = host.lower().rstrip(".")
        for name in (n.lower() for n in self.dns_names):
            if name == host:
                return True
            if name.startswith("*.") and host.count(".") >= 2 and host.split(".", 1)[1] == name[2:]:
                return True
        return False


@dataclass
class Verdict:
    store: str
    ok: bool
    error: str | None = None
    verify_code: int | None = None


def inspecting_context() -> ssl.SSLContext:
    """Accepts anything, including old protocols, so we can see what is presented."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.set_alpn_protocols(["http/1.1"])
    return context


def store_contexts(ca_file: str | None) -> dict[str, ssl.SSLContext]:
    import certifi
    import truststore

    contexts: dict[str, ssl.SSLContext] = {
        "certifi": ssl.create_default_context(cafile=certifi.where()),
        "os_store": truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT),
    }
    if ca_file:
        contexts["ca_file"] = ssl.create_default_context(cafile=ca_file)
    return contexts


async def _handshake(route: Route, context: ssl.SSLContext) -> tuple[asyncio.StreamWriter, float]:
    path = await open_path(route)
    if path.sock is None:
        scheme = route.proxy.scheme if route.proxy else "this"
        raise NotApplicable(f"TLS is not inspected through a {scheme} proxy", phase="tls")
    timeout = route.timeouts.tls
    started = time.monotonic()
    try:
        with boundary("tls"):
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    sock=path.sock,
                    ssl=context,
                    server_hostname=route.target.host,
                    ssl_handshake_timeout=timeout,
                ),
                timeout,
            )
    except BaseException:
        path.sock.close()
        raise
    elapsed = round((time.monotonic() - started) * 1000, 2)
    return writer, elapsed


async def presented(route: Route) -> Presented:
    writer, elapsed = await _handshake(route, inspecting_context())
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        leaf = ssl_object.getpeercert(binary_form=True) or b""
        return Presented(
            version=ssl_object.version() or "?",
            cipher=ssl_object.cipher()[0],
            alpn=ssl_object.selected_alpn_protocol(),
            leaf_der=leaf,
            elapsed_ms=elapsed,
            chain_der=unverified_chain(ssl_object) or [leaf],
        )
    finally:
        writer.transport.abort()


def direct_route(route: Route) -> Route:
    """The same target without the proxy, for comparing what each path presents."""
    budget = min(DIRECT_PROBE_S, route.timeouts.tls / 2)
    timeouts = dataclasses.replace(route.timeouts, dns=budget, connect=budget, tls=budget)
    direct = ProxyChoice(None, "direct (compared with the proxy)")
    return dataclasses.replace(
        route, proxy=None, proxy_problem=None, websockets_choice=direct, timeouts=timeouts
    )


async def presented_direct(route: Route) -> Presented:
    """What the target presents without the proxy; raises NetError (TimedOut on a block)."""
    direct = direct_route(route)
    with boundary("tls"):
        return await asyncio.wait_for(presented(direct), direct.timeouts.tls * 2)


@functools.cache
def public_root_names() -> frozenset[str]:
    """Subjects of the roots certifi ships: the CAs a public name's chain should end at."""
    import certifi
    from cryptography import x509

    with open(certifi.where(), "rb") as bundle, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a few old roots have serials RFC 5280 disallows
        roots = x509.load_pem_x509_certificates(bundle.read())
    return frozenset(root.subject.rfc4514_string() for root in roots)


async def verify(route: Route, store: str, context: ssl.SSLContext) -> Verdict:
    try:
        writer, _ = await _handshake(route, context)
    except CertificateRejected as exc:
        return Verdict(store, False, str(exc), exc.verify_code)
    except NetError as exc:
        return Verdict(store, False, f"{type(exc).__name__}: {exc}")
    writer.transport.abort()
    return Verdict(store, True)


async def verify_all(route: Route) -> dict[str, Verdict]:
    contexts = store_contexts(route.ca_file)
    verdicts = await asyncio.gather(*(verify(route, s, c) for s, c in contexts.items()))
    return {v.store: v for v in verdicts}


def parse_leaf(der: bytes) -> Leaf:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    cert = x509.load_der_x509_certificate(der)

    def first(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
        values = name.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    leaf = Leaf(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        issuer_org=first(cert.issuer, NameOID.ORGANIZATION_NAME)
        or first(cert.issuer, NameOID.COMMON_NAME),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
    )
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        leaf.dns_names = sans.get_values_for_type(x509.DNSName)
        leaf.ip_names = [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        pass
    return leaf
