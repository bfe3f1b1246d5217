"""Imported first by every test app: any name lookup but loopback fails.

The apps are written against the real `wss://api.deepgram.com` URL on purpose, since the
audit's redirection is what the tests prove. If that redirection ever failed to take
effect, an app must error out here rather than resolve or reach Deepgram: tests stay on
loopback.
"""

from __future__ import annotations

import socket
from typing import Any

LOOPBACK = ("localhost", "::1")
_real_getaddrinfo = socket.getaddrinfo


def _loopback_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name not in LOOPBACK and not name.startswith("127."):
        raise OSError(f"test app: refusing to look up {name!r}; tests stay on loopback")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_getaddrinfo
