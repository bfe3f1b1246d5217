"""tinyproxy and mitmproxy between wsdoctor and the lab: CONNECT allowed, denied, authenticated,
and TLS interception."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from checkkit import FAST, run_against
from intermediaries import free_port, mitmproxy, stunnel, tinyproxy

pytestmark = pytest.mark.slow

QUERY = "/v1/listen?encoding=linear16&sample_rate=16000&channels=1"
DIRECT = dataclasses.replace(FAST, environ={})


def via(proxy_url: str | None, env_proxy: str | None = None, **changes):
    environ = {"HTTPS_PROXY": env_proxy, "HTTP_PROXY": env_proxy} if env_proxy else {}
    return dataclasses.replace(DIRECT, proxy=proxy_url, environ=environ, **changes)


@pytest.mark.parametrize("how", ["--proxy", "HTTPS_PROXY"])
def test_connect_allowed_reaches_the_lab(tmp_path, how, serve_lab):
    lab = serve_lab()
    with tinyproxy(tmp_path, connect_port=lab.port) as port:
        proxy = f"http://127.0.0.1:{port}"
        settings = via(proxy) if how == "--proxy" else via(None, env_proxy=proxy)
        report = run_against(lab.url, only=("handshake",), settings=settings)
        records = list(lab.records)
    entry = report.entry("proxy").result
    assert entry.status.value == "pass", entry.summary
    assert entry.evidence["connect_status"].startswith("200")
    assert "tinyproxy" in entry.evidence["header_proxy_agent"]
    assert entry.evidence["websockets_proxy"] == proxy
    assert report.entry("handshake").status.value == "pass"
    assert report.entry("tcp").result.evidence["first_hop"] == f"proxy 127.0.0.1:{port}"
    assert records, "the stream went through the proxy to the lab"


def test_connect_denied(tmp_path, serve_lab):
    lab = serve_lab()
    with tinyproxy(tmp_path, connect_port=None) as port:
        report = run_against(lab.url, only=("handshake",), settings=via(f"http://127.0.0.1:{port}"))
    assert report.root_causes == ("proxy.connect_denied",)
    assert report.entry("proxy").result.evidence["connect_status"].startswith("403")
    assert report.entry("handshake").result.summary.startswith("blocked by")


@pytest.mark.parametrize(("credentials", "cause"), [("", "proxy.auth_required"), ("u:pw@", None)])
def test_proxy_basic_auth(tmp_path, credentials, cause, serve_lab):
    lab = serve_lab()
    with tinyproxy(tmp_path, lab.port, auth=("u", "pw")) as port:
        settings = via(f"http://{credentials}127.0.0.1:{port}")
        report = run_against(lab.url, only=("proxy",), settings=settings)
    result = report.entry("proxy").result
    assert result.cause == cause, result.summary
    assert "pw@" not in str(result.evidence) and ":pw" not in result.summary


def test_connect_to_an_upstream_the_proxy_cannot_reach(tmp_path):
    # tinyproxy answers "500 Unable to connect" (not 502): still the proxy's own way out.
    upstream = free_port()  # nothing listens there
    with tinyproxy(tmp_path, connect_port=upstream) as port:
        url = f"ws://127.0.0.1:{upstream}{QUERY}"
        report = run_against(url, only=("handshake",), settings=via(f"http://127.0.0.1:{port}"))
    assert report.root_causes == ("proxy.upstream_failed",)
    result = report.entry("proxy").result
    assert result.evidence["connect_status"].startswith("500")
    assert "is up but cannot reach" in result.summary


def test_unreachable_proxy(tmp_path, serve_lab):
    lab = serve_lab()
    report = run_against(lab.url, only=("proxy",), settings=via("http://127.0.0.1:9"))
    assert report.root_causes == ("proxy.unreachable",)


def test_unusable_proxy_variable_is_bad_config(serve_lab):
    lab = serve_lab()
    report = run_against(lab.url, only=("proxy",), settings=via(None, env_proxy="ftp://p:1"))
    assert report.root_causes == ("proxy.bad_config",)


def test_all_proxy_is_ignored_by_websockets_but_not_httpx(serve_lab):
    lab = serve_lab()
    settings = dataclasses.replace(DIRECT, environ={"ALL_PROXY": "http://127.0.0.1:9"})
    report = run_against(lab.url, only=("proxy",), settings=settings)
    result = report.entry("proxy").result
    assert result.cause == "proxy.clients_disagree"
    assert result.evidence["note"] == "ALL_PROXY is set; python-websockets ignores it"


def tls_via_mitm(serve_lab, tmp_path, ca_file: bool):
    lab = serve_lab(tls=True)
    with mitmproxy(tmp_path) as (port, mitm_ca):
        url = f"wss://localhost:{lab.port}{QUERY}"
        settings = via(f"http://127.0.0.1:{port}", ca_file=str(mitm_ca) if ca_file else None)
        return run_against(url, only=("tls",), settings=settings).entry("tls").result


def test_mitmproxy_interception_is_named(tmp_path, serve_lab):
    result = tls_via_mitm(serve_lab, tmp_path, ca_file=False)
    assert result.cause == "tls.intercepted" and result.status.value == "fail"
    assert "mitmproxy" in result.evidence["issuer"]
    assert "mitmproxy" in result.summary


def test_mitmproxy_trusted_through_ca_file_still_reported(tmp_path, serve_lab):
    result = tls_via_mitm(serve_lab, tmp_path, ca_file=True)
    assert result.cause == "tls.intercepted" and result.status.value == "warn"
    assert result.evidence["verify_ca_file"] == "ok"
    assert result.evidence["verify_certifi"] != "ok"


def https_proxy_run(serve_lab, tmp_path, trust_proxy: bool):
    """stunnel (TLS) in front of tinyproxy: an https:// proxy, named in HTTPS_PROXY."""
    import trustme

    lab = serve_lab(tls=True)
    proxy_ca = trustme.CA(organization_name="Corp Proxy CA")
    leaf = proxy_ca.issue_cert("localhost")
    cert, key = tmp_path / "proxy.pem", tmp_path / "proxy.key"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    trust = tmp_path / "trust.pem"
    trust.write_text(
        Path(lab.ca_file).read_text() + (proxy_ca.cert_pem.bytes().decode() if trust_proxy else "")
    )
    with (
        tinyproxy(tmp_path, connect_port=lab.port) as plain,
        stunnel(tmp_path, plain, cert, key) as port,
    ):
        environ = {"HTTPS_PROXY": f"https://localhost:{port}"}
        settings = dataclasses.replace(DIRECT, environ=environ, ca_file=str(trust))
        url = f"wss://localhost:{lab.port}{QUERY}"
        report = run_against(url, only=("handshake", "rest"), settings=settings)
        return report, list(lab.records)


def test_ca_file_verifies_an_https_proxys_own_certificate(tmp_path, serve_lab):
    report, records = https_proxy_run(serve_lab, tmp_path, trust_proxy=True)
    proxy = report.entry("proxy").result
    assert proxy.status.value == "pass", proxy.summary
    assert report.entry("handshake").status.value == "pass", report.entry(
        "handshake"
    ).result.summary
    assert report.entry("rest").status.value == "pass", report.entry("rest").result.summary
    assert records, "the stream went through the https:// proxy to the lab"


def test_an_https_proxy_with_an_untrusted_certificate_is_named(tmp_path, serve_lab):
    report, records = https_proxy_run(serve_lab, tmp_path, trust_proxy=False)
    assert report.root_causes == ("proxy.untrusted_certificate",)
    assert "https:// proxy" in report.entry("proxy").result.summary
    assert not records
