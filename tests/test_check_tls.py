"""tls: the lab's trustme certificates on the wire, and the verdict rules (pure)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from checkkit import FAST, run_against

from wsdoctor.checks import tls
from wsdoctor.net.tlsprobe import Leaf, Presented, Verdict

QUERY = "/v1/listen?encoding=linear16&sample_rate=16000&channels=1"


def tls_against_lab(serve_lab, *faults: str, ca: bool = True, insecure: bool = False):
    lab = serve_lab(*faults, tls=True)
    settings = dataclasses.replace(
        FAST, proxy="none", ca_file=lab.ca_file if ca else None, insecure=insecure
    )
    report = run_against(f"wss://localhost:{lab.port}{QUERY}", only=("tls",), settings=settings)
    return report.entry("tls").result


def test_good_private_chain_passes_with_ca_file(serve_lab):
    result = tls_against_lab(serve_lab)
    assert result.status.value == "pass", result.summary
    assert result.evidence["verify_ca_file"] == "ok"
    assert result.evidence["version"] in ("TLSv1.2", "TLSv1.3")
    assert "localhost" in result.evidence["san"]
    assert "wsdoctor lab" in result.evidence["chain"]  # trustme's CA, named as the issuer


def test_without_the_ca_it_is_a_verify_failure(serve_lab):
    result = tls_against_lab(serve_lab, ca=False)
    assert (result.status.value, result.cause) == ("fail", tls.VERIFY_FAILED)


@pytest.mark.parametrize(
    ("fault", "cause"), [("tls-expired", tls.EXPIRED), ("tls-wrong-host", tls.HOSTNAME_MISMATCH)]
)
def test_broken_certificates(fault, cause, serve_lab):
    result = tls_against_lab(serve_lab, fault)
    assert (result.status.value, result.cause) == ("fail", cause)


def test_insecure_continues_but_reports_what_it_saw(serve_lab):
    result = tls_against_lab(serve_lab, "tls-expired", insecure=True)
    assert (result.status.value, result.cause) == ("warn", tls.EXPIRED)
    assert result.summary.startswith("--insecure")


NOW = dt.datetime.now(dt.UTC)
SHOWN = Presented("TLSv1.3", "TLS_AES_128_GCM_SHA256", "http/1.1", b"", 12.0)


def leaf(issuer: str = "CN=Good CA,O=Good CA", names=("api.example.com",), days: int = 30) -> Leaf:
    return Leaf(
        "CN=x", issuer, issuer.split("O=")[-1], list(names), [], NOW, NOW + dt.timedelta(days)
    )


def verdicts(**ok: bool) -> dict[str, Verdict]:
    return {store: Verdict(store, value, None if value else "unable to get local issuer", 20)
            for store, value in ok.items()}  # fmt: skip


@pytest.mark.parametrize(
    ("host", "cert", "trust", "expected"),
    [
        ("api.example.com", leaf(), verdicts(certifi=True, os_store=True), ("pass", None)),
        (
            "api.example.com",
            leaf("CN=Corp,O=Corp Inspection"),
            verdicts(certifi=False, os_store=True),
            ("warn", tls.INTERCEPTED),
        ),
        (
            "localhost",
            leaf(names=("localhost",)),
            verdicts(certifi=False, ca_file=True),
            ("pass", None),
        ),
        (
            "api.example.com",
            leaf("CN=Zscaler Root,O=Zscaler Inc."),
            verdicts(certifi=False),
            ("fail", tls.INTERCEPTED),
        ),
        ("api.example.com", leaf(), verdicts(certifi=False), ("fail", tls.VERIFY_FAILED)),
        ("api.example.com", leaf(days=-1), verdicts(certifi=False), ("fail", tls.EXPIRED)),
        (
            "api.example.com",
            leaf(names=("*.other.com",)),
            verdicts(certifi=True),
            ("fail", tls.HOSTNAME_MISMATCH),
        ),
        ("api.example.com", leaf(names=("*.example.com",)), verdicts(certifi=True), ("pass", None)),
    ],
)
def test_judge(host, cert, trust, expected):
    status, cause, _ = tls.judge(host, SHOWN, [cert], trust)
    assert (status, cause) == expected


def test_old_protocol_is_judged_first():
    old = dataclasses.replace(SHOWN, version="TLSv1.1")
    assert (
        tls.judge("api.example.com", old, [leaf()], verdicts(certifi=True))[1] == tls.OLD_PROTOCOL
    )


def test_an_inspection_ca_higher_up_the_chain_is_found():
    chain = [leaf("CN=Corp Issuing CA,O=Corp"), leaf("CN=Zscaler Root CA,O=Zscaler Inc.")]
    status, cause, _ = tls.judge("api.example.com", SHOWN, chain, verdicts(certifi=False))
    assert (status, cause) == ("fail", tls.INTERCEPTED)


PUBLIC_ROOTS = frozenset({"CN=Good Root,O=Good CA"})
CORP = "CN=Corp Root,O=Corp"  # a private root whose name is no known inspection product


@pytest.mark.parametrize(
    ("path", "trust", "expected"),
    [
        # through the proxy the issuer differs from the direct path's: re-signed
        (tls.PathEvidence(True, "CN=Good CA,O=Good CA"), {}, ("fail", tls.INTERCEPTED)),
        (
            tls.PathEvidence(True, "CN=Good CA,O=Good CA"),
            {"ca_file": True},
            ("warn", tls.INTERCEPTED),
        ),
        # the direct path shows the same private issuer: the server's own CA
        (tls.PathEvidence(True, CORP), {}, ("fail", tls.VERIFY_FAILED)),
        (tls.PathEvidence(True, CORP), {"ca_file": True}, ("pass", None)),
        # the direct path is closed: a public name ending at no public root
        (
            tls.PathEvidence(True, None, "TimedOut", PUBLIC_ROOTS),
            {},
            ("fail", tls.INTERCEPTED),
        ),
        # no proxy on the route: an untrusted private chain is a verify failure
        (tls.PathEvidence(False, None, None, PUBLIC_ROOTS), {}, ("fail", tls.VERIFY_FAILED)),
    ],
)
def test_judge_with_the_evidence_of_the_path(path, trust, expected):
    chain = [leaf(CORP)]
    status, cause, summary = tls.judge(
        "api.example.com", SHOWN, chain, verdicts(certifi=False, **trust), path
    )
    assert (status, cause) == expected, summary


def test_a_public_root_behind_the_proxy_is_not_called_interception():
    """A chain that ends at a public root but fails (say, a missing intermediate)."""
    chain = [leaf("CN=Good Root,O=Good CA")]
    path = tls.PathEvidence(True, None, "TimedOut", PUBLIC_ROOTS)
    status, cause, _ = tls.judge("api.example.com", SHOWN, chain, verdicts(certifi=False), path)
    assert (status, cause) == ("fail", tls.VERIFY_FAILED)


def test_public_roots_come_from_certifi():
    from wsdoctor.net.tlsprobe import public_root_names

    roots = public_root_names()
    assert len(roots) > 50 and any("ISRG Root X1" in name for name in roots)
