"""tls through real proxies, for a public name, inside a network namespace.

The public name resolves to the namespace's own loopback from its own hosts file,
so mitmproxy, tinyproxy, nginx and wsdoctor all see "stt.example.com" as a server
on 127.0.0.1 and nothing can leave the namespace. The upstream (nginx) holds a
certificate from a private CA; the interceptor signs with another private CA whose
name is no known inspection product, so only the evidence of the path can tell.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import trustme
from intermediaries import mitmproxy, tinyproxy, tls_site
from netns import exec_argv, namespace

pytestmark = pytest.mark.slow

HOST = "stt.example.com"  # a public name by wsdoctor's rules; only the namespace resolves it
QUERY = "/v1/listen?encoding=linear16&sample_rate=16000&channels=1"


def write_ca(ca: trustme.CA, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def upstream_files(tmp: Path) -> tuple[Path, Path, Path]:
    """(cert chain, key, CA) for HOST from a private CA of the upstream's own."""
    ca = trustme.CA(organization_name="Stt Upstream CA")
    leaf = ca.issue_cert(HOST)
    cert, key = tmp / "upstream.pem", tmp / "upstream.key"
    cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(str(key))
    return cert, key, write_ca(ca, tmp / "upstream-ca")


def interceptor_confdir(tmp: Path) -> tuple[Path, Path]:
    """A mitmproxy confdir whose CA is a private root named like a company's own."""
    ca = trustme.CA(organization_name="Acme Corp Root CA")
    confdir = tmp / "mitm"
    confdir.mkdir()
    (confdir / "mitmproxy-ca.pem").write_bytes(ca.private_key_pem.bytes() + ca.cert_pem.bytes())
    return confdir, write_ca(ca, tmp / "acme-ca")


def tls_in(ns: str, tmp: Path, port: int, *options: str) -> dict:
    """`wsdoctor check --only tls` run inside the namespace; the tls entry of its JSON."""
    out = tmp / f"report-{len(list(tmp.glob('report-*')))}.json"
    argv = [sys.executable, "-m", "wsdoctor", "check", "--url", f"wss://{HOST}:{port}{QUERY}"]
    argv += ["--only", "tls", "--no-save", "--json", str(out), "--timeout", "30", *options]
    environ = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    done = subprocess.run(exec_argv(ns, *argv), capture_output=True, text=True, env=environ)
    assert out.exists(), done.stderr
    report = json.loads(out.read_text())
    return next(check for check in report["checks"] if check["id"] == "tls")


@pytest.fixture
def site(tmp_path):
    """A namespace with HOST served over TLS by nginx; yields (netns, port, upstream CA)."""
    cert, key, ca = upstream_files(tmp_path)
    with namespace({HOST: "127.0.0.1"}) as ns, tls_site(tmp_path, cert, key, netns=ns) as port:
        yield ns, port, ca


def test_private_root_through_a_connect_proxy_is_interception(tmp_path, site):
    ns, port, _ = site
    confdir, _ = interceptor_confdir(tmp_path)
    with mitmproxy(confdir, netns=ns) as (proxy, _):
        result = tls_in(ns, tmp_path, port, "--proxy", f"http://127.0.0.1:{proxy}")
    assert (result["status"], result["cause"]) == ("fail", "tls.intercepted"), result["summary"]
    assert "Acme Corp Root CA" in result["evidence"]["issuer"]
    assert "Stt Upstream CA" in result["evidence"]["direct_issuer"]


def test_the_same_interception_trusted_by_ca_file_still_warns(tmp_path, site):
    ns, port, _ = site
    confdir, acme_ca = interceptor_confdir(tmp_path)
    with mitmproxy(confdir, netns=ns) as (proxy, _):
        proxy_option = ("--proxy", f"http://127.0.0.1:{proxy}")
        result = tls_in(ns, tmp_path, port, *proxy_option, "--ca-file", str(acme_ca))
    assert (result["status"], result["cause"]) == ("warn", "tls.intercepted"), result["summary"]
    assert result["evidence"]["verify_ca_file"] == "ok"


def test_a_tunnelling_proxy_to_a_private_ca_is_not_interception(tmp_path, site):
    ns, port, upstream_ca = site
    with tinyproxy(tmp_path, connect_port=port, netns=ns) as proxy:
        proxy_option = ("--proxy", f"http://127.0.0.1:{proxy}")
        result = tls_in(ns, tmp_path, port, *proxy_option, "--ca-file", str(upstream_ca))
    assert (result["status"], result["cause"]) == ("pass", None), result["summary"]
    assert "Stt Upstream CA" in result["evidence"]["direct_issuer"]


def test_a_tunnelling_proxy_to_an_untrusted_ca_is_a_verify_failure(tmp_path, site):
    ns, port, _ = site
    with tinyproxy(tmp_path, connect_port=port, netns=ns) as proxy:
        result = tls_in(ns, tmp_path, port, "--proxy", f"http://127.0.0.1:{proxy}")
    assert (result["status"], result["cause"]) == ("fail", "tls.verify_failed"), result["summary"]


def test_an_untrusted_certificate_without_a_proxy_is_a_verify_failure(tmp_path, site):
    ns, port, _ = site
    result = tls_in(ns, tmp_path, port, "--proxy", "none")
    assert (result["status"], result["cause"]) == ("fail", "tls.verify_failed"), result["summary"]
    assert "direct_issuer" not in result["evidence"]
