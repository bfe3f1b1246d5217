"""sdk: run against the real packages installed in this environment (deepgram-sdk is a test dep)."""

from __future__ import annotations

import asyncio

from conftest import make_ctx

from wsdoctor import Status
from wsdoctor.checks import sdk


def run_sdk(**settings):
    return asyncio.run(sdk.check.run(make_ctx("wss://api.example.test/v1/listen", **settings)))


def test_versions_are_reported_without_a_proxy():
    result = run_sdk(environ={})
    assert result.status is Status.PASS
    assert result.evidence["websockets"] == sdk.installed_version("websockets")
    assert result.evidence["deepgram-sdk"] is not None
    assert result.evidence["proxy_configured"] is False


def test_installed_deepgram_sdk_uses_legacy_async_client():
    # deepgram-sdk 7.x prefers websockets.legacy for its asyncio live client.
    assert sdk.deepgram_uses_legacy_websockets() is True


def test_legacy_client_with_a_proxy_is_a_warning_not_a_failure():
    # What the installed code would do, not something seen on the path: never a root cause.
    result = run_sdk(environ={"HTTPS_PROXY": "http://127.0.0.1:3128"})
    assert result.status is Status.WARN
    assert result.cause == sdk.LEGACY_CLIENT_IGNORES_PROXY
    assert result.cause in sdk.SdkCheck.causes


def test_no_proxy_for_the_host_means_no_conflict():
    env = {"HTTPS_PROXY": "http://127.0.0.1:3128", "NO_PROXY": "api.example.test"}
    assert run_sdk(environ=env).status is Status.PASS


def test_proxy_none_override_means_direct():
    env = {"HTTPS_PROXY": "http://127.0.0.1:3128"}
    assert run_sdk(environ=env, proxy="none").status is Status.PASS


def test_version_parsing():
    assert sdk.version_tuple("14.2") == (14, 2)
    assert sdk.version_tuple("15.0.1rc1") == (15, 0, 1)
    assert sdk.version_tuple("7.17.0+local") == (7, 17, 0)
    assert sdk.version_tuple("14.2") < sdk.MIN_WEBSOCKETS <= sdk.version_tuple("15.0")
