"""Which proxy python-websockets would choose: the decision rules, over explicit environments."""

from __future__ import annotations

from wsdoctor.model import Target
from wsdoctor.net.proxy import environment_proxies, websockets_proxy

WSS = Target.parse("wss://api.example.com/v1/listen")
WS = Target.parse("ws://selfhosted.local:8080/v1/listen")


def test_wss_prefers_wss_proxy_then_https():
    env = {"HTTPS_PROXY": "http://p1:3128", "WSS_PROXY": "http://p2:3128"}
    assert websockets_proxy(WSS, env).url == "http://p2:3128"
    assert websockets_proxy(WSS, {"HTTPS_PROXY": "http://p1:3128"}).source == "HTTPS_PROXY"


def test_all_proxy_and_http_proxy_are_ignored_for_wss():
    env = {"ALL_PROXY": "http://p:1", "HTTP_PROXY": "http://p:2"}
    assert websockets_proxy(WSS, env).url is None


def test_ws_falls_back_to_http_proxy():
    assert websockets_proxy(WS, {"HTTP_PROXY": "http://p:2"}).url == "http://p:2"


def test_lowercase_variables_win():
    env = {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:1"}
    assert websockets_proxy(WSS, env).url == "http://lower:1"


def test_no_proxy_bypasses():
    env = {"HTTPS_PROXY": "http://p:1", "NO_PROXY": ".example.com"}
    assert websockets_proxy(WSS, env).source == "direct (NO_PROXY)"


def test_socks_from_os_settings_becomes_socks5h():
    assert websockets_proxy(WSS, {"socks_proxy": "http://s:1080"}).url == "socks5h://s:1080"


def test_override_wins():
    env = {"HTTPS_PROXY": "http://p:1"}
    assert websockets_proxy(WSS, env, "none").url is None
    assert websockets_proxy(WSS, env, "http://o:8").source == "--proxy"


def test_environment_proxies_ignores_unrelated_and_empty():
    assert environment_proxies({"PATH": "/bin", "HTTPS_PROXY": "", "Https_Proxy": "x"}) == {}
