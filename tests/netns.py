"""Network namespaces for tests that need a public name to resolve to loopback.

A namespace made here has only its own loopback, so nothing run inside it can
reach another host; its /etc/netns/<name>/hosts is what `ip netns exec` shows the
programs it starts as /etc/hosts, and its resolv.conf names a resolver on its own
loopback. The namespace and its files are removed when the test ends.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

_counter = itertools.count()


def require_netns() -> None:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("network namespaces need root and iproute2")


@contextlib.contextmanager
def namespace(hosts: Mapping[str, str], nameserver: str = "127.0.0.1") -> Iterator[str]:
    """A fresh namespace named wsd-<pid>-<n>, with `hosts` (name -> address) as its hosts file."""
    require_netns()
    name = f"wsd-{os.getpid()}-{next(_counter)}"
    etc = Path("/etc/netns") / name
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
        etc.mkdir(parents=True)
        lines = ["127.0.0.1 localhost", *(f"{ip} {host}" for host, ip in hosts.items())]
        (etc / "hosts").write_text("\n".join(lines) + "\n")
        (etc / "resolv.conf").write_text(f"nameserver {nameserver}\n")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)
        shutil.rmtree(etc, ignore_errors=True)


def exec_argv(name: str, *argv: str) -> list[str]:
    return ["ip", "netns", "exec", name, *argv]
