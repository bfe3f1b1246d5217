"""tls: is the certificate the one a public CA issued for this host, and does it verify?

Interception is told apart from plain misconfiguration by comparing trust stores:
a chain that only the OS store or --ca-file accepts for a public host name was
re-signed on the way, as is one whose issuer is a known inspection product.
"""

from __future__ import annotations

import datetime as dt

from ..context import CheckContext
from ..model import CheckResult
from ..net.errors import NetError, NotApplicable
from ..net.resolve import is_public_name
from ..net.tlsprobe import Leaf, Presented, Verdict, parse_leaf, presented, verify_all
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


def judge(host: str, shown: Presented, chain: list[Leaf], verdicts: dict[str, Verdict]) -> tuple:
    """(status word, cause, summary): "pass", "warn" or "fail". `chain` starts with the leaf."""
    now = dt.datetime.now(dt.UTC)
    leaf = chain[0]
    product = inspection_product(chain)
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
    if trusted_by and (product or is_public_name(host)):
        stores = ", ".join(trusted_by)
        return (
            "warn",
            INTERCEPTED,
            f"re-signed by {leaf.issuer_org}: trusted only by {stores}, not certifi",
        )
    if trusted_by:
        return (
            "pass",
            None,
            f"{shown.version}, private CA {leaf.issuer_org}, verified by {trusted_by[0]}",
        )
    if product:
        return (
            "fail",
            INTERCEPTED,
            f"intercepted by {leaf.issuer_org} ({product}); no trust store accepts it",
        )
    return "fail", VERIFY_FAILED, f"certificate from {leaf.issuer_org} is not trusted"


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
        evidence = evidence_for(shown, leaf, chain, verdicts)
        days_left = (leaf.not_after - dt.datetime.now(dt.UTC)).days if leaf.not_after else 0
        measurements = {"handshake_ms": shown.elapsed_ms, "days_left": float(days_left)}
        status, cause, summary = judge(ctx.target.host, shown, chain, verdicts)
        details: Details = {"measurements": measurements, "evidence": evidence}
        if status == "fail" and ctx.route.insecure:
            return self.warned(cause, f"--insecure: continuing although {summary}", **details)
        if status == "fail":
            return self.failed(cause, summary, **details)
        if status == "warn":
            return self.warned(cause, summary, **details)
        return self.passed(summary, **details)


check = TlsCheck()
