"""tls: is the certificate the one a public CA issued for this host, and does it verify?

Interception is told apart from plain misconfiguration by evidence, not by whether
the root is trusted: an issuer that is a known inspection product; through an
explicit proxy, an issuer other than the one the direct path shows (or, when the
direct path is closed, a public name whose chain ends at no public CA's root); and
without a proxy, a public name that only the OS store or --ca-file accepts. A lab
or server with a private CA that the direct path shows too is not intercepted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..context import CheckContext
from ..model import CheckResult
from ..net.errors import NetError, NotApplicable
from ..net.resolve import is_public_name
from ..net.route import Route
from ..net.tlsprobe import (
    Leaf,
    Presented,
    Verdict,
    parse_leaf,
    presented,
    presented_direct,
    public_root_names,
    verify_all,
)
from ..plugin import Check, Details

HANDSHAKE_FAILED = "tls.handshake_failed"
VERIFY_FAILED = "tls.verify_failed"
INTERCEPTED = "tls.intercepted"
EXPIRED = "tls.expired"
HOSTNAME_MISMATCH = "tls.hostname_mismatch"
OLD_PROTOCOL = "tls.old_protocol"

OLD_VERSIONS = ("SSLv3", "TLSv1", "TLSv1.1")
HOSTNAME_VERIFY_CODES = (62, 64)  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
# Issuer names of TLS inspection products (case-insensitive substrings).
INSPECTION_PRODUCTS = (
    "mitmproxy", "zscaler", "palo alto", "fortinet", "fortigate", "blue coat", "netskope",
    "cisco umbrella", "forcepoint", "sophos", "check point", "kaspersky", "avast", "eset",
    "bitdefender", "mcafee", "barracuda", "watchguard", "charles proxy", "do_not_trust",
    "portswigger", "burp", "securly", "lightspeed", "iboss", "menlo security",
)  # fmt: skip


def inspection_product(chain: list[Leaf]) -> str | None:
    """A known TLS inspection product among the issuers of the presented chain."""
    issuers = " ".join(cert.issuer.lower() for cert in chain)
    return next((p for p in INSPECTION_PRODUCTS if p in issuers), None)


@dataclass(frozen=True)
class PathEvidence:
    """What the route adds to the chain: was it proxied, and what does the direct path show?"""

    proxied: bool = False  # through an explicit CONNECT proxy
    direct_issuer: str | None = None  # the leaf's issuer on the direct path; None: not compared
    direct_error: str | None = None  # why the direct path could not be compared
    public_roots: frozenset[str] = frozenset()  # certifi's root subjects (empty: not loaded)


def resigned_by(host: str, chain: list[Leaf], path: PathEvidence) -> str | None:
    """Why this chain was re-signed on the way, or None when nothing shows that it was."""
    leaf = chain[0]
    product = inspection_product(chain)
    if product:
        return f"{leaf.issuer_org} is the TLS inspection product {product}"
    if path.direct_issuer is not None:
        if path.direct_issuer == leaf.issuer:
            return None
        return f"through the proxy the issuer is {leaf.issuer}, directly {path.direct_issuer}"
    root = chain[-1].issuer
    if (
        path.proxied
        and path.public_roots
        and is_public_name(host)
        and root not in path.public_roots
    ):
        return (
            f"through the proxy the chain ends at {root}, which is no public CA, for the "
            f"public name {host} (the direct path could not be compared)"
        )
    return None


def evidence_for(
    shown: Presented, leaf: Leaf, chain: list[Leaf], verdicts: dict[str, Verdict]
) -> dict:
    evidence = {
        "version": shown.version,
        "cipher": shown.cipher,
        "alpn": shown.alpn or "none",
        "subject": leaf.subject,
        "issuer": leaf.issuer,
        "san": ", ".join([*leaf.dns_names, *leaf.ip_names]) or "none",
        "not_after": leaf.not_after.isoformat() if leaf.not_after else "?",
        "sha256": leaf.sha256,
        "chain": " | ".join(f"{cert.subject} (issuer {cert.issuer})" for cert in chain),
    }
    for store, verdict in verdicts.items():
        evidence[f"verify_{store}"] = "ok" if verdict.ok else (verdict.error or "failed")
    return evidence


def judge(
    host: str,
    shown: Presented,
    chain: list[Leaf],
    verdicts: dict[str, Verdict],
    path: PathEvidence | None = None,
) -> tuple:
    """(status word, cause, summary): "pass", "warn" or "fail". `chain` starts with the leaf."""
    now = dt.datetime.now(dt.UTC)
    leaf = chain[0]
    path = path or PathEvidence()
    product = inspection_product(chain)
    resigned = resigned_by(host, chain, path)
    trusted_by = [s for s, v in verdicts.items() if v.ok]
    codes = {v.verify_code for v in verdicts.values()}
    if shown.version in OLD_VERSIONS:
        return "fail", OLD_PROTOCOL, f"{shown.version} negotiated; TLS 1.2 or newer expected"
    if leaf.expired(now):
        return (
            "fail",
            EXPIRED,
            f"certificate expired {leaf.not_after:%Y-%m-%d} (issuer {leaf.issuer_org})",
        )
    if codes & set(HOSTNAME_VERIFY_CODES) or not leaf.covers(host):
        names = ", ".join([*leaf.dns_names, *leaf.ip_names]) or "none"
        return "fail", HOSTNAME_MISMATCH, f"certificate is for {names}, not {host}"
    if "certifi" in trusted_by and not product:
        return "pass", None, f"{shown.version}, issuer {leaf.issuer_org}, verified by certifi"
    same_as_direct = path.direct_issuer is not None and resigned is None
    if trusted_by and (resigned or (is_public_name(host) and not same_as_direct)):
        stores = ", ".join(trusted_by)
        why = f" ({resigned})" if resigned else ""
        text = f"re-signed by {leaf.issuer_org}{why}: trusted only by {stores}, not certifi"
        return "warn", INTERCEPTED, text
    if trusted_by:
        return (
            "pass",
            None,
            f"{shown.version}, private CA {leaf.issuer_org}, verified by {trusted_by[0]}",
        )
    if resigned:
        return "fail", INTERCEPTED, f"re-signed on the way: {resigned}; no trust store accepts it"
    return "fail", VERIFY_FAILED, f"certificate from {leaf.issuer_org} is not trusted"


async def path_evidence(
    route: Route, chain: list[Leaf], verdicts: dict[str, Verdict]
) -> PathEvidence:
    """Through a CONNECT proxy, a chain certifi rejects is compared with the direct path's.

    A healthy chain (certifi accepts it) or a named inspection product needs no
    comparison, so the extra connection is only made when it can decide something.
    """
    proxied = route.proxy is not None and route.proxy.is_http
    certifi_ok = "certifi" in verdicts and verdicts["certifi"].ok
    if not proxied or certifi_ok or inspection_product(chain):
        return PathEvidence(proxied=proxied)
    try:
        direct = await presented_direct(route)
    except NetError as exc:
        return PathEvidence(True, None, f"{type(exc).__name__}: {exc}", public_root_names())
    return PathEvidence(True, parse_leaf(direct.leaf_der).issuer, None, public_root_names())


class TlsCheck(Check):
    id = "tls"
    title = "TLS certificate and trust"
    depends_on = ("tcp",)
    tags = ("network",)
    causes = (
        HANDSHAKE_FAILED,
        VERIFY_FAILED,
        INTERCEPTED,
        EXPIRED,
        HOSTNAME_MISMATCH,
        OLD_PROTOCOL,
    )

    async def run(self, ctx: CheckContext) -> CheckResult:
        if not ctx.target.secure:
            return self.skipped("not applicable: ws:// uses no TLS")
        try:
            shown = await presented(ctx.route)  # NotApplicable through SOCKS/https proxies
        except NetError as exc:
            if exc.phase != "tls" or isinstance(exc, NotApplicable):
                raise
            return self.failed(HANDSHAKE_FAILED, f"TLS handshake failed ({exc})")
        leaf = parse_leaf(shown.leaf_der)
        chain = [leaf, *(parse_leaf(der) for der in shown.chain_der[1:])]
        verdicts = await verify_all(ctx.route)
        path = await path_evidence(ctx.route, chain, verdicts)
        evidence = evidence_for(shown, leaf, chain, verdicts)
        if path.direct_issuer is not None or path.direct_error is not None:
            evidence["direct_issuer"] = path.direct_issuer or f"not compared: {path.direct_error}"
        days_left = (leaf.not_after - dt.datetime.now(dt.UTC)).days if leaf.not_after else 0
        measurements = {"handshake_ms": shown.elapsed_ms, "days_left": float(days_left)}
        status, cause, summary = judge(ctx.target.host, shown, chain, verdicts, path)
        details: Details = {"measurements": measurements, "evidence": evidence}
        if status == "fail" and ctx.route.insecure:
            return self.warned(cause, f"--insecure: continuing although {summary}", **details)
        if status == "fail":
            return self.failed(cause, summary, **details)
        if status == "warn":
            return self.warned(cause, summary, **details)
        return self.passed(summary, **details)


check = TlsCheck()
