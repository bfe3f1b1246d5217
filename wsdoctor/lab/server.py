"""Serving the lab: plain or TLS, on an ephemeral port, as an async context manager.

Certificates come from trustme: a throwaway CA whose `ca.pem` clients can trust,
and a leaf for localhost, 127.0.0.1 and ::1 (or a broken one for the TLS faults).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from aiohttp import web

from ..deepgram.profiles import V1
from ..observe.record import ClientRecord
from .admission import admitting
from .config import LabConfig
from .endpoints import Lab

LAB_HOSTS = ("localhost", "127.0.0.1", "::1")
HEADER_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 1000
DEFAULT_QUERY = "encoding=linear16&sample_rate=16000&channels=1"


@dataclass(frozen=True)
class RunningLab:
    lab: Lab
    host: str
    port: int
    tls: bool
    ca_file: str | None

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        """The live endpoint, with the query a raw linear16 stream needs."""
        return f"{'wss' if self.tls else 'ws'}://{self.base}{V1.path}?{DEFAULT_QUERY}"

    def serving(self, url: str) -> str:
        """`url`'s path and query on this lab: `check --lab` streams where the user's URL
        (or `--flux`) points, so a Flux URL reaches the lab's Flux endpoint."""
        parts = urlsplit(url)
        scheme = "wss" if self.tls else "ws"
        return urlunsplit((scheme, self.base, parts.path or V1.path, parts.query, ""))

    @property
    def http_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.base}"

    @property
    def records(self) -> Sequence[ClientRecord]:
        """The finished connections the lab still keeps (the newest `records_kept`), live."""
        return self.lab.records


def make_tls(config: LabConfig, cert_dir: Path) -> tuple[ssl.SSLContext, str]:
    """A server context and the path of the CA file clients should trust."""
    import trustme

    ca = trustme.CA(organization_name="wsdoctor lab")
    leaf = config.faults.tls_leaf(ca, LAB_HOSTS) or ca.issue_cert(*LAB_HOSTS)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(context)
    cert_dir.mkdir(parents=True, exist_ok=True)
    ca_path = cert_dir / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    return context, str(ca_path)


@dataclass(frozen=True)
class Limits:
    """How a served app protects itself from its clients (see admission.py)."""

    shutdown_timeout: float = 1.0  # handlers still running at exit get this long, then cancel
    header_timeout: float = HEADER_TIMEOUT_S  # a connection's request must arrive within it
    max_connections: int = MAX_CONNECTIONS


@contextlib.asynccontextmanager
async def serving(
    app: web.Application,
    host: str,
    port: int,
    ssl_context: ssl.SSLContext | None = None,
    limits: Limits | None = None,
    listen_options: Sequence[tuple[int, int, int]] = (),
) -> AsyncIterator[int]:
    """Serve an aiohttp app with the lab's protections; yields the bound port.
    `listen_options`: setsockopt arguments for the listening socket, which accepted
    connections inherit (the slow-uplink fault's small MSS and receive buffer)."""
    limits = limits or Limits()
    runner = web.AppRunner(
        app,
        handle_signals=False,
        access_log=None,
        shutdown_timeout=limits.shutdown_timeout,
        keepalive_timeout=limits.header_timeout,  # aiohttp arms it as each connection opens
    )
    await runner.setup()
    assert runner.server is not None
    listener = None
    try:
        listener = await asyncio.get_running_loop().create_server(
            admitting(runner.server, limits.max_connections),
            host,
            port,
            ssl=ssl_context,
            reuse_address=True,
        )
        for sock in listener.sockets:
            for option in listen_options:
                sock.setsockopt(*option)
        yield listener.sockets[0].getsockname()[1]
    finally:
        if listener is not None:
            listener.close()
        await runner.cleanup()


@contextlib.asynccontextmanager
async def running_lab(
    config: LabConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    tls: bool = False,
    cert_dir: str | None = None,
    shutdown_timeout: float = 1.0,
    header_timeout: float = HEADER_TIMEOUT_S,
    max_connections: int = MAX_CONNECTIONS,
) -> AsyncIterator[RunningLab]:
    """`shutdown_timeout`: how long handlers still running may finish before they are
    cancelled; `header_timeout`: how long a connection may take to send its request."""
    config = config or LabConfig()
    lab = Lab(config)
    limits = Limits(shutdown_timeout, header_timeout, max_connections)
    with contextlib.ExitStack() as stack:
        ssl_context, ca_file = None, None
        if tls or config.faults.needs_tls:
            folder = cert_dir or stack.enter_context(
                tempfile.TemporaryDirectory(prefix="wsdoctor-lab-")
            )
            ssl_context, ca_file = make_tls(config, Path(folder))
        options = config.faults.listen_options()
        async with serving(lab.app(), host, port, ssl_context, limits, options) as bound_port:
            yield RunningLab(lab, host, bound_port, ssl_context is not None, ca_file)
