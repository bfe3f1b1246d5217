"""`CheckContext.http()` (net/http.py) and the httpx side of the network boundary.

Against real loopback servers only: the lab over TLS with a CA that nothing trusts
unless `--ca-file` names it, and a peer that cuts an answer's body short.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme
from conftest import make_ctx
from intermediaries import stunnel, tinyproxy

from wsdoctor import Check, CheckContext, CheckResult, Status
from wsdoctor.net.errors import (
    CertificateRejected,
    ConnectionLost,
    ProxyMisconfigured,
    Refused,
    translate,
)
from wsdoctor.runner import Runner

CLOSED_PORT_URL = "ws://127.0.0.1:9/v1/listen"  # discard: nothing listens there


def lab_ctx(lab, **settings) -> CheckContext:
    return make_ctx(f"wss://localhost:{lab.port}/v1/listen", **settings)


async def get(ctx: CheckContext, path: str = "/v1/projects") -> httpx.Response:
    async with ctx.http() as client:
        return await client.get(path)


def test_an_untrusted_certificate_is_a_certificate_failure(serve_lab):
    lab = serve_lab(tls=True)
    with pytest.raises(CertificateRejected) as info:
        asyncio.run(get(lab_ctx(lab)))
    assert info.value.phase == "http"
    assert info.value.suffixes()[0] == "verify_failed"
    assert "certificate" in str(info.value)


def test_ca_file_makes_the_same_server_trusted(serve_lab):
    lab = serve_lab(tls=True)
    response = asyncio.run(get(lab_ctx(lab, ca_file=lab.ca_file)))
    assert response.status_code == 401  # no key: the lab answers, over verified TLS
    assert response.headers["date"]  # what a clock check reads


def test_insecure_verifies_nothing(serve_lab):
    lab = serve_lab(tls=True)
    assert asyncio.run(get(lab_ctx(lab, insecure=True))).status_code == 401


def test_relative_urls_go_to_the_targets_rest_origin(serve_lab):
    lab = serve_lab()  # plain HTTP, any key accepted

    async def projects() -> httpx.Response:
        ctx = make_ctx(lab.url)
        async with ctx.http(headers={"Authorization": "Token any"}) as client:
            assert str(client.base_url) == lab.http_url
            return await client.get("/v1/projects")

    assert asyncio.run(projects()).json()["projects"]


@pytest.mark.slow  # real intermediaries: stunnel (TLS) in front of tinyproxy
def test_an_https_proxys_untrusted_certificate_is_a_certificate_failure(tmp_path, serve_lab):
    lab = serve_lab(tls=True)
    proxy_ca = trustme.CA(organization_name="Corp Proxy CA")
    cert, key = tmp_path / "proxy.pem", tmp_path / "proxy.key"
    leaf = proxy_ca.issue_cert("localhost")
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    both = tmp_path / "both.pem"
    both.write_text(Path(lab.ca_file).read_text() + proxy_ca.cert_pem.bytes().decode())
    with (
        tinyproxy(tmp_path, connect_port=lab.port) as plain,
        stunnel(tmp_path, plain, cert, key) as port,
    ):
        environ = {"HTTPS_PROXY": f"https://localhost:{port}"}
        with pytest.raises(CertificateRejected):  # the lab is trusted, the proxy is not
            asyncio.run(get(lab_ctx(lab, environ=environ, ca_file=lab.ca_file)))
        assert asyncio.run(get(lab_ctx(lab, environ=environ, ca_file=str(both)))).status_code == 401


def test_a_closed_port_is_refused():
    with pytest.raises(Refused):
        asyncio.run(get(make_ctx(CLOSED_PORT_URL)))


@contextlib.contextmanager
def body_cut_short() -> Iterator[int]:
    """A peer that promises 100 bytes of body, sends 5 and hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                with conn:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(5)


def test_a_body_cut_short_is_a_lost_connection_while_reading():
    with body_cut_short() as port:

        async def read_streamed() -> None:
            async with (
                make_ctx(f"ws://127.0.0.1:{port}/v1/listen").http() as client,
                client.stream("GET", "/") as response,
            ):
                assert response.status_code == 200  # the request itself went well
                await response.aread()  # the body is read here, after the transport returned

        with pytest.raises(ConnectionLost) as info:
            asyncio.run(read_streamed())
    assert info.value.phase == "http"


def test_a_proxy_setting_httpx_cannot_use_is_named():
    ctx = make_ctx(environ={"ALL_PROXY": "socks5://proxy.invalid:notaport"})
    with pytest.raises(ProxyMisconfigured, match="ALL_PROXY"):
        ctx.http()


class RawHttpx(Check):
    """A plugin calling httpx itself (httpx's own trust, no --ca-file), letting errors escape."""

    id = "raw"
    title = "Raw httpx"

    def __init__(self, url: str, causes: tuple[str, ...] = ()) -> None:
        self.url = url
        self.causes = causes  # type: ignore[misc]

    async def run(self, ctx: CheckContext) -> CheckResult:
        async with httpx.AsyncClient(trust_env=False) as client:
            await client.get(self.url)
        return self.passed("answered")


def run_alone(check: Check) -> CheckResult:
    (result,) = asyncio.run(Runner([check], make_ctx()).run())
    return result


def test_an_httpx_certificate_error_escaping_a_check_is_a_certificate_failure(serve_lab):
    lab = serve_lab(tls=True)
    result = run_alone(RawHttpx(lab.http_url + "/v1/projects"))
    assert (result.status, result.cause) == (Status.FAIL, "network.verify_failed")
    declared = run_alone(RawHttpx(lab.http_url + "/v1/projects", causes=("raw.verify_failed",)))
    assert declared.cause == "raw.verify_failed"


def test_a_check_whose_httpx_request_succeeds_passes(serve_lab):
    lab = serve_lab()
    assert run_alone(RawHttpx(lab.http_url + "/v1/projects")).status is Status.PASS


def test_translate_walks_httpx_chain_down_to_what_happened(serve_lab):
    lab = serve_lab(tls=True)

    async def raw(url: str) -> None:
        async with httpx.AsyncClient(trust_env=False) as client:
            await client.get(url)

    with pytest.raises(httpx.ConnectError) as untrusted:
        asyncio.run(raw(lab.http_url))
    assert isinstance(translate(untrusted.value), CertificateRejected)
    with pytest.raises(httpx.ConnectError) as refused:
        asyncio.run(raw("http://127.0.0.1:9/"))
    assert isinstance(translate(refused.value), Refused)  # was "no route to the host"
