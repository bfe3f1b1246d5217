"""Causes for network failures a check did not judge itself (`network.<suffix>`).

When a network error escapes a check that declares no cause for it (a reset
during the TLS probe, say), the runner still names a cause with advice: one of
these, keyed by the suffix of the error in wsdoctor.net.errors. A failure never
reaches the report as a root cause without a title and steps.
"""

from __future__ import annotations

from .entry import CauseEntry

_NET = "Network Instability"
_PROXY = "Proxy or Firewall Restrictions"
_RETRY = (
    "Run wsdoctor check again to see whether the failure repeats, and compare with another network."
)

NETWORK_CAUSES: dict[str, CauseEntry] = {
    "network.nxdomain": {
        "title": "A host name does not resolve",
        "meaning": "A name on the path (the target or the proxy) could not be found by the resolver.",
        "steps": ["Check the host names in your URL and proxy settings for typos.", _RETRY],
        "section": _NET,
        "links": ["troubleshooting"],
    },
    "network.no_answer": {
        "title": "A host name has no addresses",
        "meaning": "A name on the path exists but has no A or AAAA records, so there is nothing to connect to.",
        "steps": ["Check the host name, and ask whoever runs its DNS zone.", _RETRY],
        "section": _NET,
        "links": ["troubleshooting"],
    },
    "network.servfail": {
        "title": "The resolver failed",
        "meaning": "The DNS resolver could not answer (SERVFAIL or no reachable name server).",
        "steps": [
            "Try another resolver with --dns-server to see whether only this one fails.",
            _RETRY,
        ],
        "section": _NET,
        "links": ["troubleshooting"],
    },
    "network.timeout": {
        "title": "A network step got no answer in time",
        "meaning": "A step on the path (a lookup, a connection, a handshake or a reply) did not complete within its deadline: packets are being dropped, or something on the path stalls.",
        "steps": [
            "Look for a firewall that silently drops traffic to the host or port.",
            "Raise --timeout if the network is known to be slow, and run the check again.",
            "Add reconnection logic with backoff to your client.",
        ],
        "section": _NET,
        "links": ["troubleshooting"],
    },
    "network.refused": {
        "title": "A connection was refused",
        "meaning": "Nothing accepted the TCP connection: wrong host or port, or a firewall that rejects it.",
        "steps": ["Check the host and port in the URL and the proxy setting.", _RETRY],
        "section": _NET,
        "links": ["troubleshooting"],
    },
    "network.unreachable": {
        "title": "The network path is unreachable",
        "meaning": "The operating system has no route to the host, or the connection could not be made.",
        "steps": ["Check this machine's network connection and routes (VPN, IPv6).", _RETRY],
        "section": _NET,
        "links": ["troubleshooting"],
    },
    "network.dropped": {
        "title": "A connection was cut",
        "meaning": "The connection was reset or closed by the peer or by something in between, without a clean ending.",
        "steps": [
            "Look for a proxy, firewall or VPN that resets long or unusual connections.",
            "Add reconnection logic to your client.",
            _RETRY,
        ],
        "section": _NET,
        "links": ["troubleshooting"],
    },
    "network.handshake_failed": {
        "title": "A TLS handshake failed",
        "meaning": "TLS could not be negotiated on the path, often because something in between does not speak TLS or interferes with it.",
        "steps": ["Check for a proxy or firewall that inspects or blocks TLS to the host.", _RETRY],
        "section": _PROXY,
        "links": ["troubleshooting"],
    },
    "network.verify_failed": {
        "title": "A certificate was not trusted",
        "meaning": "A TLS certificate on the path did not verify against the trust store in use.",
        "steps": ["If your network inspects TLS, give its CA with --ca-file.", _RETRY],
        "section": _PROXY,
        "links": ["troubleshooting"],
    },
    "network.bad_config": {
        "title": "The proxy setting cannot be used",
        "meaning": "The proxy URL in the environment or on the command line is not one a client can use.",
        "steps": ["Fix the proxy variable (e.g. HTTPS_PROXY=http://host:3128) or pass --proxy."],
        "section": _PROXY,
        "links": ["websockets_proxy"],
    },
    "network.connect_denied": {
        "title": "The proxy refused the tunnel",
        "meaning": "The proxy answered CONNECT with an error, so no connection reached the target.",
        "steps": [
            "Ask the proxy's administrators to allow CONNECT to the target host on its port."
        ],
        "section": _PROXY,
        "links": ["websockets_proxy"],
    },
    "network.auth_required": {
        "title": "The proxy wants credentials",
        "meaning": "The proxy answered 407: it needs credentials, or rejected the ones given.",
        "steps": ["Put the credentials in the proxy URL (http://user:password@host:port)."],
        "section": _PROXY,
        "links": ["websockets_proxy"],
    },
    "network.upstream_failed": {
        "title": "The proxy cannot reach the target",
        "meaning": "The proxy is up, but answered with a 5xx status (502, 503, 504, or 500): it could not resolve or connect to the target itself.",
        "steps": ["Ask the proxy's administrators whether it can reach the target host.", _RETRY],
        "section": _PROXY,
        "links": ["websockets_proxy"],
    },
    "network.bad_message": {
        "title": "The server sent a message no Deepgram server sends",
        "meaning": "A text frame on the stream was not a JSON object (or was nested too deep to read). Deepgram sends only JSON messages, so something on the path rewrote the stream, or the URL points at another service.",
        "steps": [
            "Check that the URL points at Deepgram (or your self-hosted Deepgram), not another service.",
            "Look for a proxy or security product that injects content into WebSocket streams.",
        ],
        "section": _PROXY,
        "links": ["troubleshooting"],
    },
    "network.upgrade_rejected": {
        "title": "The WebSocket upgrade was not accepted",
        "meaning": "The answer to the upgrade request was not a valid 101 Switching Protocols.",
        "steps": ["Look for a proxy or gateway on the path that does not pass WebSocket upgrades."],
        "section": _PROXY,
        "links": ["troubleshooting"],
    },
}
