"""The cause for a drop that matches a limit the detected platform documents."""

from __future__ import annotations

from .entry import CauseEntry

PLATFORM_CAUSES: dict[str, CauseEntry] = {
    "platform.documented_limit": {
        "title": "A drop matches a limit this platform documents",
        "meaning": "wsdoctor recognised where it runs (from the environment) and a measured drop came at the time one of that platform's documented limits (a request, job or function timeout, or a load balancer or NAT idle timeout) ends connections. The finding names the limit and the page that documents it.",
        "steps": [
            "Check the named setting for this service, job or load balancer, and raise it above your longest stream or idle gap if the platform allows.",
            "If it cannot be raised, keep the stream busy (KeepAlive every 3-5 s when idle) or reconnect before the limit, closing the old stream with CloseStream.",
        ],
        "section": "Network Instability",
        "links": ["keepalive", "troubleshooting"],
    },
}
