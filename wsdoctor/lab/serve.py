"""`wsdoctor lab serve`: the lab as a long-running local server for reproducing failures."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import TextIO

from ..errors import BadInput
from .config import LabConfig
from .faults import Faults
from .record import ClientRecord
from .server import RunningLab, running_lab


def describe_record(record: ClientRecord) -> str:
    close = "none"
    if record.first_close:
        code = record.server_close_code or record.client_close_code
        close = f"{record.first_close} {code}"
    close_stream = "yes" if record.close_stream_sent else "no"
    return (
        f"[lab] {record.request_id[:8]} status {record.status}, audio {record.audio_s:.1f} s, "
        f"KeepAlive {len(record.keepalive_at)}, CloseStream {close_stream}, "
        f"first close frame: {close}, TCP end: {record.tcp_end or '-'}"
    )


def banner(lab: RunningLab, faults: Faults, idle_s: float) -> str:
    ws = "wss" if lab.tls else "ws"
    lines = [
        f"wsdoctor lab listening (faults: {faults.describe()}, idle window {idle_s:g} s)",
        f"  live stream: {lab.url}",
        f"  REST:        {lab.http_url}/v1/listen, {lab.http_url}/v1/projects",
        "  deepgram-sdk: DeepgramClientEnvironment("
        f'base="{lab.http_url}", production="{ws}://{lab.base}", '
        f'agent="{ws}://{lab.base}", agent_rest="{lab.http_url}")',
    ]
    if lab.ca_file:
        lines.append(f"  CA to trust: {lab.ca_file}  (e.g. SSL_CERT_FILE={lab.ca_file})")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


async def _serve(config: LabConfig, host: str, port: int, tls: bool, cert_dir: str | None) -> None:
    try:
        async with running_lab(config, host=host, port=port, tls=tls, cert_dir=cert_dir) as lab:
            print(banner(lab, config.faults, config.idle_timeout), flush=True)
            await asyncio.Event().wait()
    except OSError as exc:
        raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(
    host: str,
    port: int,
    tls: bool,
    cert_dir: str | None,
    idle_timeout: float,
    fault_specs: Sequence[str],
    record_path: str | None,
    key: str | None,
    log: TextIO = sys.stderr,
) -> int:
    record_file = open(record_path, "a", encoding="utf-8") if record_path else None  # noqa: SIM115

    def on_record(record: ClientRecord) -> None:
        print(describe_record(record), file=log, flush=True)
        if record_file is not None:
            record_file.write(record.to_json() + "\n")
            record_file.flush()

    config = LabConfig(idle_timeout, key, Faults.parse(fault_specs), on_record)
    try:
        asyncio.run(_serve(config, host, port, tls, cert_dir))
    except KeyboardInterrupt:
        print("wsdoctor lab stopped.", file=log)
    finally:
        if record_file is not None:
            record_file.close()
    return 0
