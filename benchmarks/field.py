"""Does wsdoctor name the right root cause on real paths? (root; Linux network namespaces)

Unit tests prove each diagnosis against the one intermediary built for it; this runs
every check at once, as a user does, over a matrix of healthy and faulty paths through
real software (nginx, tinyproxy, stunnel, mitmproxy, dnsmasq, conntrack with nft, tbf,
an NFQUEUE delay) and the lab's faults, and compares the root causes wsdoctor reports
with the one fault each path has. A healthy path must have no root cause: any is a
false alarm. Goal: every scenario right and 0 false alarms.

Time is scaled down as in the tests: the lab's idle window is a few seconds and the
run is told so (the CLI has no option for it, so _field_driver.py uses the in-process
API). All traffic stays on loopback or inside namespaces made here, all removed after.

Needs: root, iproute2, nft, iptables, tc, nginx, tinyproxy, stunnel4, dnsmasq (Debian),
mitmproxy in .venv-mitm, NetfilterQueue (PyPI) in .venv.
Run: sudo .venv/bin/python benchmarks/field.py [NAME ...]   (default: all 32, ~2.5 min)
The verdict counts root causes only; warnings (which are not root causes) are listed beside.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from _field_env import (
    QUERY,
    delayed,
    diagnose,
    dnsmasq,
    free_port,
    lab,
    link,
    mitmproxy,
    namespace,
    nginx,
    nginx_without_upgrade,
    proxy_certificate,
    shape_uplink,
    strict_conntrack,
    stunnel,
    tinyproxy,
)

WINDOW_S = 2.0  # the lab's idle window (Deepgram's is 10 s)
NGINX_WINDOW_S = 3.0  # KeepAlive every 1 s: a 2 s proxy timer is above it, below the window
LOOPBACK = "127.0.0.1"
REFUSE = "return 403;"
REFUSED = "handshake.intermediary_refused"
BELOW_KEEPALIVE = "idle_timeout.below_keepalive_interval"
NS_PORT = 8765  # the lab's port inside a namespace of its own
LINK_PORT = 8443  # the lab's port in path_accuracy's server namespace (its NFQUEUE rule)


def knobs(idle: float = WINDOW_S, **more: object) -> dict:
    """Settings for one run, scaled to the lab's window; `more` overrides."""
    base = {"check_timeout_s": 5.0, "stability_s": 3.0, "server_idle_s": idle,
            "idle_max_s": idle + 3, "proxy": "none"}  # fmt: skip
    return base | more


@dataclass(frozen=True)
class Job:
    url: str
    settings: dict
    netns: str | None = None


Setup = Callable[[contextlib.ExitStack, Path], Job]


@dataclass(frozen=True)
class Scenario:
    name: str
    expected: tuple[str, ...]  # the root causes; () is a healthy path
    setup: Setup


# --------------------------------------------------------------------- the lab directly


def direct(*faults: str, tls: bool = False, query: str = QUERY) -> Setup:
    def setup(stack: contextlib.ExitStack, tmp: Path) -> Job:
        port = stack.enter_context(lab(tmp, WINDOW_S, *faults, tls=tls))
        if tls:
            return Job(f"wss://localhost:{port}{query}", knobs(ca_file=str(tmp / "ca.pem")))
        return Job(f"ws://127.0.0.1:{port}{query}", knobs())

    return setup


# ------------------------------------------------------------ nginx as a reverse proxy


def via_nginx(
    read_timeout: float | None,
    upstream_up: bool = True,
    extra: str = "",
    window: float = NGINX_WINDOW_S,
) -> Setup:
    """read_timeout None: an nginx that does not forward the Upgrade header."""

    def setup(stack: contextlib.ExitStack, tmp: Path) -> Job:
        upstream = free_port()  # nothing listens there unless the lab does
        if upstream_up:
            upstream = stack.enter_context(lab(tmp, window))
        if read_timeout is None:
            port = stack.enter_context(nginx_without_upgrade(tmp, upstream))
        else:
            port = stack.enter_context(nginx(tmp, upstream, read_timeout, extra))
        return Job(f"ws://127.0.0.1:{port}{QUERY}", knobs(window))

    return setup


# ------------------------------------------------------------------- forward proxies


def via_tinyproxy(auth: str | None = None, allow_port: bool = True, up: bool = True) -> Setup:
    """auth: None (no auth), "" (required, none sent) or "u:pw" (required and sent);
    up: whether the lab listens behind the proxy (else nothing does: CONNECT fails)."""

    def setup(stack: contextlib.ExitStack, tmp: Path) -> Job:
        port = stack.enter_context(lab(tmp, WINDOW_S, tls=True)) if up else free_port()
        needs = ("u", "pw") if auth is not None else None
        allowed = port if allow_port else None
        proxy = stack.enter_context(tinyproxy(tmp, connect_port=allowed, auth=needs))
        credentials = f"{auth}@" if auth else ""
        url = f"http://{credentials}127.0.0.1:{proxy}"
        return Job(f"wss://localhost:{port}{QUERY}", knobs(proxy=url, ca_file=str(tmp / "ca.pem")))

    return setup


def via_https_proxy(stack: contextlib.ExitStack, tmp: Path) -> Job:
    """stunnel (TLS, its own private CA) in front of tinyproxy: an https:// proxy."""
    port = stack.enter_context(lab(tmp, WINDOW_S, tls=True))
    cert, key, trust = proxy_certificate(tmp, tmp / "ca.pem")
    plain = stack.enter_context(tinyproxy(tmp, connect_port=port))
    proxy = stack.enter_context(stunnel(tmp, plain, cert, key))
    settings = knobs(proxy=f"https://localhost:{proxy}", ca_file=str(trust))
    return Job(f"wss://localhost:{port}{QUERY}", settings)


def via_mitmproxy(stack: contextlib.ExitStack, tmp: Path) -> Job:
    port = stack.enter_context(lab(tmp, WINDOW_S, tls=True))
    confdir = tmp / "mitm"
    confdir.mkdir()
    proxy, _ = stack.enter_context(mitmproxy(confdir))
    settings = knobs(proxy=f"http://127.0.0.1:{proxy}", ca_file=str(tmp / "ca.pem"))
    return Job(f"wss://localhost:{port}{QUERY}", settings)


# ------------------------------------------------------- names, in a namespace of their own


def named(host: str, hosts: dict[str, str], records: dict[str, str]) -> Setup:
    """The lab in a namespace whose hosts file and dnsmasq (on :53) answer for example.net.
    With records, dnsmasq is also named as --dns-server (which then is the only one asked)."""

    def setup(stack: contextlib.ExitStack, tmp: Path) -> Job:
        ns = stack.enter_context(namespace(hosts))
        stack.enter_context(dnsmasq(records, ("example.net",), netns=ns, port=53))
        stack.enter_context(lab(tmp, WINDOW_S, netns=ns, port=NS_PORT))
        settings = knobs(dns_server=[LOOPBACK, 53]) if records else knobs()
        return Job(f"ws://{host}:{NS_PORT}{QUERY}", settings, ns)

    return setup


def conntrack(forget_after_s: int, window: float) -> Setup:
    """A stateful firewall in the namespace that forgets an idle flow after `forget_after_s`."""

    def setup(stack: contextlib.ExitStack, tmp: Path) -> Job:
        ns = stack.enter_context(namespace({}))
        strict_conntrack(ns, forget_after_s)
        stack.enter_context(lab(tmp, window, netns=ns, port=NS_PORT))
        return Job(f"ws://127.0.0.1:{NS_PORT}{QUERY}", knobs(window), ns)

    return setup


# ------------------------------------------------ a veth link: bandwidth and latency faults


def over_link(uplink_kbit: int | None = None, delay_ms: float = 0) -> Setup:
    def setup(stack: contextlib.ExitStack, tmp: Path) -> Job:
        client, server, address = stack.enter_context(link())
        stack.enter_context(lab(tmp, WINDOW_S, netns=server, host=address, port=LINK_PORT))
        if uplink_kbit:
            shape_uplink(client, uplink_kbit)  # gone with the namespace
        stack.enter_context(delayed(delay_ms))
        return Job(f"ws://{address}:{LINK_PORT}{QUERY}", knobs(), client)

    return setup


SCENARIOS = [
    Scenario("direct ws://", (), direct()),
    Scenario("direct wss:// (private CA)", (), direct(tls=True)),
    Scenario("bare URL (no encoding)", (), direct(query="/v1/listen")),
    Scenario("lab auth", ("handshake.unauthorized",), direct("auth")),
    Scenario("lab rate-limit", ("handshake.rate_limited",), direct("rate-limit")),
    Scenario("lab drop-on-close", ("close_frame.no_close_frame",), direct("drop-on-close")),
    Scenario("lab net0000", ("close_frame.unexpected_code",), direct("net0000")),
    Scenario("lab data-error", ("close_frame.unexpected_code",), direct("data-error")),
    Scenario("lab slow-uplink=4", ("stability.uplink_too_slow",), direct("slow-uplink=4")),
    Scenario("nginx, 10 s read timeout", (), via_nginx(10)),
    Scenario("nginx, 2 s read timeout", ("idle_timeout.intermediary_drop",), via_nginx(2)),
    Scenario("nginx, upstream down", ("handshake.gateway_error",), via_nginx(5, False)),
    Scenario("nginx, no Upgrade forwarded", ("handshake.upgrade_rejected",), via_nginx(None)),
    Scenario("nginx, returns 403", (REFUSED,), via_nginx(5, False, REFUSE)),
    Scenario("nginx, 1 s timer, KeepAlive 2 s", (BELOW_KEEPALIVE,), via_nginx(1, window=6.0)),
    Scenario("tinyproxy CONNECT", (), via_tinyproxy()),
    Scenario("tinyproxy, auth not sent", ("proxy.auth_required",), via_tinyproxy("")),
    Scenario("tinyproxy, auth sent", (), via_tinyproxy("u:pw")),
    Scenario("tinyproxy, port denied", ("proxy.connect_denied",), via_tinyproxy(None, False)),
    Scenario("tinyproxy, upstream down", ("proxy.upstream_failed",), via_tinyproxy(up=False)),
    Scenario("https:// proxy (stunnel)", (), via_https_proxy),
    Scenario("mitmproxy interception", ("tls.intercepted",), via_mitmproxy),
    Scenario("hosts file answer", (), named("stt.example.net", {"stt.example.net": LOOPBACK}, {})),
    Scenario("dnsmasq answer", (), named("dns.example.net", {}, {"dns.example.net": LOOPBACK})),
    Scenario("dnsmasq NXDOMAIN", ("dns.nxdomain",), named("gone.example.net", {}, {})),
    Scenario("conntrack 30 s", (), conntrack(30, WINDOW_S)),
    Scenario("conntrack 2 s (silent drop)", ("idle_timeout.silent_drop",), conntrack(2, 5.0)),
    Scenario("veth, 10 Mbit/s uplink", (), over_link(uplink_kbit=10_000)),
    Scenario("veth, 128 kbit/s uplink", ("stability.uplink_too_slow",), over_link(128)),
    Scenario("veth, 100 ms delay", (), over_link(delay_ms=100)),
    Scenario("veth, 400 ms delay", (), over_link(delay_ms=400)),
    Scenario("veth, 1000 ms delay (warns)", (), over_link(delay_ms=1000)),
]  # fmt: skip


def judge(expected: tuple[str, ...], diagnosed: list[str]) -> str:
    if set(diagnosed) == set(expected):
        return "right"
    return "FALSE ALARM" if not expected else "WRONG"


def run(scenario: Scenario) -> tuple[list[str], list[str], str]:
    """(diagnosed root causes, warnings, verdict); a broken setup is an ERROR, not a verdict."""
    with (
        tempfile.TemporaryDirectory(prefix="wsd-field-") as folder,
        contextlib.ExitStack() as stack,
    ):
        try:
            job = scenario.setup(stack, Path(folder))
            result = diagnose(job.url, job.settings, job.netns)
        except Exception as exc:  # one broken setup must not end the matrix
            return [f"{type(exc).__name__}: {str(exc)[:200]}"], [], "ERROR"
    roots = result["root_causes"]
    return roots, sorted(set(result["warnings"])), judge(scenario.expected, roots)


def row(cells: list[str], widths: list[int]) -> str:
    return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))


def main() -> None:
    if os.geteuid() != 0:
        sys.exit("field.py needs root (network namespaces, nft, iptables, tc)")
    chosen = [s for s in SCENARIOS if not sys.argv[1:] or s.name in sys.argv[1:]]
    header = ["scenario", "expected root cause(s)", "diagnosed root cause(s)", "verdict"]
    header.append("warnings")
    widths = [30, 34, 34, 11, 0]
    print(row(header, widths), flush=True)
    rows: list[list[str]] = []
    for scenario in chosen:
        started = time.monotonic()
        roots, warnings, verdict = run(scenario)
        cells = [scenario.name, ", ".join(scenario.expected) or "(none)",
                 ", ".join(roots) or "(none)", verdict, ", ".join(warnings) or "-"]  # fmt: skip
        rows.append(cells)
        print(row(cells, widths), f"  [{time.monotonic() - started:.0f} s]", flush=True)
    verdicts = [cells[3] for cells in rows]
    counts = (
        f"right {verdicts.count('right')} of {len(rows)}, wrong {verdicts.count('WRONG')}, "
        f"false alarms on healthy paths {verdicts.count('FALSE ALARM')} of "
        f"{sum(1 for s in chosen if not s.expected)}, setup errors {verdicts.count('ERROR')}"
    )
    print(f"\n{counts}   goal: every scenario right, 0 false alarms\n")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for cells in rows:
        print("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    print(f"\n{counts}")


if __name__ == "__main__":
    main()
