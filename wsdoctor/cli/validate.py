"""Checking what the user typed, before any network traffic, with one-line errors.

Each function returns the cleaned value or raises BadInput naming the option.
A broken proxy in the *environment* is deliberately not checked here: that is
a finding for the `proxy` check, not a usage error.
"""

from __future__ import annotations

import ipaddress
import math
import os
import shutil
import ssl
import stat
from collections.abc import Container, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import BadInput

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h", "socks4", "socks4a")
MAX_SECONDS = 7 * 24 * 3600
MAX_VANTAGE = 64  # a table column in `merge`, not an essay


def parse_id_list(value: str | None, option: str = "") -> tuple[str, ...]:
    if value is None:
        return ()
    ids = tuple(part.strip() for part in value.split(",") if part.strip())
    if not ids and option:
        raise BadInput(f"{option}: no ids given (expected ID[,ID...])")
    return ids


def finite_seconds(option: str, value: float | None) -> float | None:
    """A positive, finite number of seconds: NaN would disable a deadline, inf never ends."""
    if value is None:
        return None
    if not math.isfinite(value) or value <= 0:
        raise BadInput(f"{option}: must be greater than 0 and finite, got {value!r}")
    if value > MAX_SECONDS:
        raise BadInput(f"{option}: {value:g} s is too long (at most {MAX_SECONDS} s)")
    return value


def parse_dns_server(value: str | None) -> tuple[str, int] | None:
    """IP, IP:PORT, [IPv6]:PORT or a bare IPv6 address."""
    if value is None:
        return None
    if not value.strip():
        raise BadInput("--dns-server: empty; give IP[:PORT], or leave it out for the system's")
    host, port_text = split_host_port("--dns-server", value.strip(), "53")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise BadInput(f"--dns-server: {value!r} is not an IP address (use IP[:PORT])") from None
    return str(address), parse_port("--dns-server", port_text, lowest=1)


def split_host_port(option: str, value: str, default_port: str) -> tuple[str, str]:
    """HOST, HOST:PORT, [IPv6]:PORT or a bare IPv6 address, as (host, port text)."""
    host, port_text = value, default_port
    if host.startswith("["):
        if "]" not in host:
            raise BadInput(f"{option}: {value!r} opens an IPv6 address with '[' but has no ']'")
        host, _, rest = host[1:].partition("]")
        port_text = rest.removeprefix(":") or default_port
    elif host.count(":") == 1:
        host, port_text = host.split(":")
    return host, port_text


def parse_port(option: str, text: str, lowest: int) -> int:
    if not (text.isascii() and text.isdigit()) or not lowest <= int(text) < 65536:
        raise BadInput(f"{option}: bad port {text!r} ({lowest}-65535)")
    return int(text)


def parse_upstream(value: str | None, lab: str | None) -> str | None:
    """`audit --upstream`: a ws(s):// base URL, and not together with --lab."""
    if value is None:
        return None
    if lab is not None:
        raise BadInput(
            "--upstream and --lab cannot be combined: relay to a service, or use the lab"
        )
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise BadInput(f"--upstream: malformed URL {value!r}: {exc}") from None
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise BadInput(f"--upstream: expected ws:// or wss:// with a host, got {value!r}")
    if parts.query or parts.username:
        raise BadInput("--upstream: give the base URL only (no query or credentials)")
    return value.strip().rstrip("/")


def parse_listen(value: str) -> tuple[str, int]:
    """`--listen HOST:PORT` (port 0 picks a free one); the host must be an IP or localhost."""
    host, port_text = split_host_port("--listen", value.strip(), "0")
    if host != "localhost":
        try:
            host = str(ipaddress.ip_address(host))
        except ValueError:
            raise BadInput(f"--listen: {value!r} is not IP:PORT or localhost:PORT") from None
    return host, parse_port("--listen", port_text, lowest=0)


def validate_proxy(value: str | None) -> str | None:
    if value is None or value.strip().lower() == "none":
        return None if value is None else "none"
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        from ..redact import without_password

        raise BadInput(f"--proxy: malformed URL {without_password(value)!r}: {exc}") from None
    if parts.scheme.lower() not in PROXY_SCHEMES:
        raise BadInput(
            f"--proxy: expected http://host:port (or https, socks5, socks5h); got scheme "
            f"{parts.scheme or 'none'!r}"
        )
    if not parts.hostname:
        raise BadInput("--proxy: the proxy URL has no host")
    if port == 0:
        raise BadInput("--proxy: port 0 is out of range (1-65535)")
    return value


MAX_CA_FILE_BYTES = 16 * 2**20  # a large system bundle is about 0.3 MiB


def validate_ca_file(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        if not stat.S_ISREG(os.stat(value).st_mode):  # a FIFO or a device would block
            raise BadInput(f"--ca-file: {value!r} is not a regular file")
        with open(value, "rb") as handle:
            content = handle.read(MAX_CA_FILE_BYTES + 1)
    except OSError as exc:
        raise BadInput(f"--ca-file: cannot read {value!r}: {exc.strerror or exc}") from None
    if len(content) > MAX_CA_FILE_BYTES:
        raise BadInput(f"--ca-file: {value!r} is over {MAX_CA_FILE_BYTES // 2**20} MiB")
    if b"-----BEGIN CERTIFICATE-----" not in content:
        raise BadInput(f"--ca-file: {value!r} is not a PEM file with certificates")
    try:
        ssl.create_default_context().load_verify_locations(cafile=value)
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise BadInput(f"--ca-file: {value!r} holds no usable certificate ({exc})") from None
    return value


def validate_out_dir(value: str, needed: bool) -> str:
    """The folder must be creatable and writable, but only if a default report goes there."""
    if not needed:
        return value
    path = Path(value)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"--out-dir: cannot create {value!r}: {exc.strerror or exc}") from None
    if not path.is_dir() or not os.access(path, os.W_OK | os.X_OK):
        raise BadInput(f"--out-dir: {value!r} is not a writable folder")
    return value


def validate_outputs(requested: Mapping[str, str | None]) -> dict[str, str]:
    """Format name -> path for each output option given; only a stdout-capable one takes '-'."""
    from ..report.formats import by_name

    outputs: dict[str, str] = {}
    for name, value in requested.items():
        if value is None:
            continue
        fmt = by_name(name)
        if value == "-" and not fmt.stdout_ok:
            raise BadInput(f"{fmt.option}: cannot write to standard output; give a file name")
        outputs[name] = validate_output_file(fmt.option, value) or value
    return outputs


def parse_accept(value: str | None, known: Container[str]) -> frozenset[str]:
    """--accept CAUSE[,CAUSE]: each must be a cause this run could report."""
    causes = parse_id_list(value)
    for cause in causes:
        if cause not in known:
            raise BadInput(
                f"--accept: unknown cause {cause!r} (give a cause id, e.g. tls.intercepted)"
            )
    return frozenset(causes)


def validate_output_file(option: str, value: str | None) -> str | None:
    if value is None or value == "-":
        return value
    path = Path(value)
    if path.is_dir():
        raise BadInput(f"{option}: {value!r} is a folder; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise BadInput(f"{option}: folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise BadInput(f"{option}: cannot write to {value!r}")
    return value


def parse_lab_faults(value: str | None) -> tuple[str, ...] | None:
    """`--lab` alone is a faithful lab; `--lab drop-on-close,no-pong` adds faults."""
    from ..lab.faults import Faults  # stdlib-only module: no aiohttp here

    if value is None:
        return None
    faults = parse_id_list(value)
    Faults.parse(faults)
    return faults


def parse_api_key(value: str | None) -> str | None:
    """Strip the whitespace a .env file leaves (a trailing CR from Windows line endings);
    refuse characters no HTTP header can carry, saying which and where."""
    key = (value or "").strip()
    for index, char in enumerate(key):
        if ord(char) < 0x20 or ord(char) == 0x7F:
            raise BadInput(
                f"--api-key / DEEPGRAM_API_KEY: control character {char!r} at position "
                f"{index + 1} (a line break or tab pasted into the key?)"
            )
        if ord(char) > 0x7E:
            raise BadInput(
                f"--api-key / DEEPGRAM_API_KEY: non-ASCII character {char!r} at position "
                f"{index + 1} (a smart quote or look-alike letter from copying the key?)"
            )
    return key or None


def parse_vantage(value: str | None, option: str = "--vantage") -> str:
    """`--vantage NAME` names where a run looks from, for `merge`; without it, this host.

    The name lands in a terminal table and an HTML page, so it must be short and printable
    (no control or bidi characters); `check` and `watch` share this rule.
    """
    if value is None:
        return default_vantage()
    name = value.strip()
    if not name:
        raise BadInput(f"{option}: empty; give a name such as office-berlin, or leave it out")
    if len(name) > MAX_VANTAGE:
        raise BadInput(f"{option}: {len(name)} characters long; at most {MAX_VANTAGE}")
    bad = next((char for char in name if not char.isprintable()), None)
    if bad is not None:
        raise BadInput(f"{option}: contains the unprintable character {bad!r}")
    return name


def default_vantage() -> str:
    """The host name, cut to fit; a host that has none is still a place."""
    import socket

    name = "".join(c for c in socket.gethostname().strip() if c.isprintable())
    return name[:MAX_VANTAGE] or "unknown"


def validate_command(argv: tuple[str, ...]) -> tuple[str, ...]:
    """The audited command, checked before anything is served or printed: a program that
    is missing or not executable is one line and exit 2, not a lab that starts for nothing."""
    if not argv:
        return argv
    program = argv[0]
    if os.sep not in program and not (os.altsep and os.altsep in program):
        if shutil.which(program) is None:
            raise BadInput(f"command not found: {program}")
        return argv
    if not os.path.exists(program):
        raise BadInput(f"command not found: {program}")
    if os.path.isdir(program) or not os.access(program, os.X_OK):
        raise BadInput(f"command is not executable: {program}")
    return argv
