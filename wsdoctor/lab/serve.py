"""`wsdoctor lab serve`: the lab as a long-running local server for reproducing failures."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from ..deepgram.hosts import FLUX_URL
from ..deepgram.profiles import FLUX, V1
from ..display import neutralise
from ..errors import BadInput
from ..observe.record import ClientRecord
from ..signals import terminate_as_interrupt
from .admission import quiet_repeats
from .config import LabConfig
from .faults import Faults
from .server import HEADER_TIMEOUT_S, MAX_CONNECTIONS, RunningLab, running_lab


def describe_record(record: ClientRecord) -> str:
    """One log line per connection, with its path; a refusal says why (the lab's words)."""
    head = f"[lab] {record.request_id[:8]} {neutralise(record.path)} status {record.status}"
    if record.status != 101:  # the path and the reason are the client's text: made harmless
        return f"{head}: {neutralise(record.refused_because or 'refused')}"
    close = "none"
    if record.first_close:
        code = record.server_close_code or record.client_close_code
        close = f"{record.first_close} {code or 'without status'}"
    close_stream = "yes" if record.close_stream_sent else "no"
    return (
        f"{head}, audio {record.audio_s:.1f} s, KeepAlive {record.keepalive_count}, "
        f"pings {record.pings}, CloseStream {close_stream}, "
        f"first close frame: {close}, TCP end: {record.tcp_end or '-'}"
    )


def describe_idle(idle_s: float | None) -> str:
    if idle_s is not None:
        return f"idle window {idle_s:g} s"
    return f"idle window {V1.idle_window_s:g} s, Flux {FLUX.idle_window_s:g} s"


def banner(lab: RunningLab, faults: Faults, idle_s: float | None, max_connections: int) -> str:
    ws = "wss" if lab.tls else "ws"
    lines = [
        f"wsdoctor lab listening (faults: {faults.describe()}, {describe_idle(idle_s)}, "
        f"at most {max_connections} connections)",
        f"  live stream: {lab.url}",
        f"  Flux:        {lab.serving(FLUX_URL)}",
        f"  REST:        {lab.http_url}/v1/listen, {lab.http_url}/v1/projects",
        "  deepgram-sdk: DeepgramClientEnvironment("
        f'base="{lab.http_url}", production="{ws}://{lab.base}", '
        f'agent="{ws}://{lab.base}", agent_rest="{lab.http_url}")',
    ]
    if lab.ca_file:
        lines.append(f"  CA to trust: {lab.ca_file}  (e.g. SSL_CERT_FILE={lab.ca_file})")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8765
    tls: bool = False
    cert_dir: str | None = None
    idle_timeout: float | None = None  # None: each API's own window
    faults: Sequence[str] = ()
    record_path: str | None = None
    key: str | None = None
    header_timeout: float = HEADER_TIMEOUT_S
    max_connections: int = MAX_CONNECTIONS


def fit_connection_limit(wanted: int, spare: int = 64) -> int:
    """Raise the open-file limit toward `wanted` + spare; a lower limit if the system says no.

    Past the file limit accept() fails in a loop; a bound below it turns clients away
    with a 503 instead.
    """
    try:
        import resource
    except ImportError:  # not on Windows
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + spare
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - spare))


async def _serve(config: LabConfig, options: ServeOptions, max_connections: int) -> None:
    host, port = options.host, options.port
    try:
        async with running_lab(
            config,
            host=host,
            port=port,
            tls=options.tls,
            cert_dir=options.cert_dir,
            header_timeout=options.header_timeout,
            max_connections=max_connections,
        ) as lab:
            print(banner(lab, config.faults, config.idle_timeout, max_connections), flush=True)
            await asyncio.Event().wait()
    except OSError as exc:
        raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(options: ServeOptions, log: TextIO = sys.stderr) -> int:
    path = options.record_path
    record_file = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115

    def on_record(record: ClientRecord) -> None:
        print(describe_record(record), file=log, flush=True)
        if record_file is not None:
            record_file.write(record.to_json() + "\n")
            record_file.flush()

    # Records go to the log and the file as each connection ends, and are not kept:
    # a lab serving for days holds no more memory than one serving for a minute.
    faults = Faults.parse(options.faults)
    config = LabConfig(options.idle_timeout, options.key, faults, on_record, records_kept=0)
    max_connections = fit_connection_limit(options.max_connections)
    try:
        with quiet_repeats(), terminate_as_interrupt():  # SIGTERM stops it as Ctrl-C does
            asyncio.run(_serve(config, options, max_connections))
    except KeyboardInterrupt:
        print("wsdoctor lab stopped.", file=log)
    finally:
        if record_file is not None:
            record_file.close()
    return 0
