"""Causes for what a long `wsdoctor watch` run sees (`watch.*`)."""

from __future__ import annotations

from .entry import CauseEntry

_NET = "Network Instability"
_PROXY = "Proxy or Firewall Restrictions"

WATCH_CAUSES: dict[str, CauseEntry] = {
    "watch.lifetime_cap": {
        "title": "Connections are cut at a fixed age",
        "meaning": "Streams were dropped at nearly the same age however much audio or KeepAlive flowed. A load balancer, proxy or gateway on the path limits how long one connection may live (a maximum connection or request duration), so long streams die at that age and look random to the application.",
        "steps": [
            "Find the hop with a connection lifetime or request timeout near the measured age (cloud load balancers, API gateways, ingress controllers, corporate proxies) and raise it above your longest stream.",
            "If it cannot be raised, reconnect before that age: end the stream with CloseStream and open a new one, carrying on the audio.",
            "Run wsdoctor watch again to confirm the drops are gone.",
        ],
        "section": _PROXY,
        "links": ["troubleshooting"],
    },
    "watch.periodic_drops": {
        "title": "Streams drop on a timer",
        "meaning": "Drops came at a near-constant period whatever the connections' ages, often several streams at once: something on the path acts on a schedule (a NAT or firewall flushing its state, a VPN or DHCP renewal, Wi-Fi roaming scans).",
        "steps": [
            "Compare the measured period with the timers of the NAT, firewall, VPN and DHCP on this network.",
            "Run wsdoctor watch from another network to see whether the period follows the network.",
            "Make the client reconnect at once after a drop, with a short backoff.",
        ],
        "section": _NET,
        "links": ["troubleshooting"],
    },
    "watch.silent_stream": {
        "title": "The stream stays open but stops answering",
        "meaning": "Audio kept flowing and the connection stayed up, but no Results came back for longer than the threshold. To the application this is a transcript that just stops, with no error to react to.",
        "steps": [
            "Watch for Results in your client too: if none arrive for several seconds while audio flows, close the stream and reconnect.",
            "Send the dg-request-id values of the affected streams to Deepgram support.",
        ],
        "section": _NET,
        "links": ["troubleshooting", "community"],
    },
    "watch.drops": {
        "title": "Streams drop during a long run",
        "meaning": "Streams ended without being asked to, with no regular age or period. The network is unstable, or something on the path ends connections for reasons of its own.",
        "steps": [
            "Read how each stream ended in the report (close code, or no close frame) and what the quick checks said right after.",
            "Compare with a watch from another network or machine.",
            "Make the client reconnect after a drop, with backoff.",
        ],
        "section": _NET,
        "links": ["troubleshooting"],
    },
    "watch.connect_failed": {
        "title": "Reconnecting failed",
        "meaning": "After a drop, opening a new stream failed at least once. The path was down for a while, or the service refused new streams.",
        "steps": [
            "Read the last error in the report and the quick checks that ran after the drop.",
            "Make the client retry with exponential backoff rather than giving up or retrying at once.",
        ],
        "section": _NET,
        "links": ["troubleshooting", "rate_limits"],
    },
}
