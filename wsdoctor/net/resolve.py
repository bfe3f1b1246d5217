"""Name resolution as the client does it (getaddrinfo), with a deadline that really holds.

getaddrinfo blocks in C and cannot be cancelled. Running it on asyncio's default
executor would make the process wait for it at exit, so it runs on a daemon
thread instead: when the deadline passes, wsdoctor moves on and never hangs.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .errors import boundary

T = TypeVar("T")

HOSTS_FILE = "/etc/hosts"
LOCAL_SUFFIXES = (".local", ".localhost", ".internal", ".lan", ".home.arpa", ".corp", ".test")


@dataclass(frozen=True)
class Resolved:
    addresses: tuple[str, ...]  # in getaddrinfo's order, duplicates removed
    elapsed_ms: float


async def in_daemon_thread(func: Callable[[], T], timeout: float) -> T:
    """Run a blocking call on a daemon thread; raise TimeoutError if it outlives `timeout`."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(value: T) -> None:
        if not future.done():
            future.set_result(value)

    def fail(exc: BaseException) -> None:
        if not future.done():
            future.set_exception(exc)

    def work() -> None:
        try:
            value = func()
        except BaseException as exc:  # handed to the awaiting coroutine
            loop.call_soon_threadsafe(fail, exc)
        else:
            loop.call_soon_threadsafe(deliver, value)

    threading.Thread(target=work, name="wsdoctor-blocking", daemon=True).start()
    return await asyncio.wait_for(future, timeout)


async def resolve(host: str, port: int, timeout: float) -> Resolved:
    """Addresses for host:port in the order a client would try them."""
    literal = ip_literal(host)
    if literal is not None:  # nothing to look up, and no thread to start
        return Resolved((str(literal),), 0.0)
    started = time.monotonic()
    with boundary("dns"):
        infos = await in_daemon_thread(
            lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout
        )
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(str(sockaddr[0]))
    return Resolved(tuple(addresses), round((time.monotonic() - started) * 1000, 2))


def hosts_entries(host: str, text: str) -> list[str]:
    """The addresses a hosts file's text gives `host` (names compare case-insensitively)."""
    name = host.lower().rstrip(".")
    found: list[str] = []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        names = [f.lower().rstrip(".") for f in fields[1:]]
        if name in names and fields[0] not in found:
            found.append(fields[0])
    return found


def from_hosts_file(host: str, addresses: tuple[str, ...], path: str = HOSTS_FILE) -> bool:
    """Did the hosts file give these addresses? getaddrinfo reads it before DNS, and its
    answer must not be credited to a resolver that may have said the name does not exist."""
    try:
        with open(path, encoding="utf-8", errors="replace") as hosts:
            listed = hosts_entries(host, hosts.read())
    except OSError:
        return False
    normal = {str(ip) if (ip := ip_literal(a)) else a for a in listed}
    return bool(addresses) and all(a in normal for a in addresses)


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_non_public_address(address: str) -> bool:
    ip = ip_literal(address)
    return ip is not None and (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_reserved
    )


def is_public_name(host: str) -> bool:
    """A name that should resolve to public addresses: not an IP, not a local-only name."""
    name = host.lower().rstrip(".")
    if ip_literal(name) is not None or "." not in name or name == "localhost":
        return False
    return not name.endswith(LOCAL_SUFFIXES)
