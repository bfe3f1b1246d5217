"""The network boundary's exceptions: every library failure leaves `net/` as one of these.

NetError                      something on the path failed (a finding, never a bug)
├── NameNotFound              the name does not exist (NXDOMAIN)            nxdomain
├── NoAddresses               the name exists but has no A/AAAA records      no_answer
├── ResolverFailed            the resolver could not answer (SERVFAIL)       servfail
├── TimedOut                  a step got no answer within its deadline       timeout
├── Refused                   TCP connection refused                         refused
├── Unreachable               no route to the host or network                unreachable
├── ConnectionLost            reset or closed by the peer or a hop           dropped
├── TlsFailed                 the TLS handshake failed                       handshake_failed
│   └── CertificateRejected   the certificate did not verify                 verify_failed
├── ProxyMisconfigured        the proxy setting cannot be used               bad_config
├── ProxyRefused              the proxy answered CONNECT with an error       connect_denied
│   ├── ProxyAuthRequired     407: credentials missing or wrong              auth_required
│   └── ProxyUpstreamFailed   5xx: the proxy cannot reach the target         upstream_failed
├── UpgradeRejected           the answer to the upgrade is not a 101         upgrade_rejected
│   └── UpgradeRefused        an HTTP answer with a status (kept for judging)
├── BadMessage                the server sent what no Deepgram server sends     bad_message
└── NotApplicable             wsdoctor cannot measure this on this path: a skip that
                              does not block dependants, never the user's fault

`translate` maps library exceptions onto this tree in one place, by class
hierarchy, as httpx's transport maps httpcore's. A library that was never
imported cannot have raised, so its classes are looked up only if loaded.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import ssl
import sys
from collections.abc import Iterator, Mapping


class NetError(Exception):
    """A failure on the network path. `suffix` names the cause: `<check>.<suffix>`."""

    suffix = "dropped"

    def __init__(self, message: str, *, phase: str = "") -> None:
        super().__init__(message)
        self.phase = phase

    def suffixes(self) -> list[str]:
        """Cause suffixes from the most specific class to the most general."""
        found = [c.suffix for c in type(self).__mro__ if issubclass(c, NetError)]
        return list(dict.fromkeys(found))


class NameNotFound(NetError):
    suffix = "nxdomain"


class NoAddresses(NetError):
    suffix = "no_answer"


class ResolverFailed(NetError):
    suffix = "servfail"


class TimedOut(NetError):
    suffix = "timeout"


class Refused(NetError):
    suffix = "refused"


class Unreachable(NetError):
    suffix = "unreachable"


class ConnectionLost(NetError):
    suffix = "dropped"


class TlsFailed(NetError):
    suffix = "handshake_failed"


class CertificateRejected(TlsFailed):
    suffix = "verify_failed"

    def __init__(self, message: str, *, verify_code: int | None = None, phase: str = "") -> None:
        super().__init__(message, phase=phase)
        self.verify_code = verify_code


class ProxyMisconfigured(NetError):
    suffix = "bad_config"


class ProxyRefused(NetError):
    suffix = "connect_denied"

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        reason: str = "",
        headers: Mapping[str, str] | None = None,
        phase: str = "proxy",
    ) -> None:
        super().__init__(message, phase=phase)
        self.status, self.reason = status, reason
        self.headers = dict(headers or {})


class ProxyAuthRequired(ProxyRefused):
    suffix = "auth_required"


class ProxyUpstreamFailed(ProxyRefused):
    suffix = "upstream_failed"


class UpgradeRejected(NetError):
    suffix = "upgrade_rejected"


class UpgradeRefused(UpgradeRejected):
    """A well-formed HTTP answer other than 101; the handshake check judges who sent it."""

    def __init__(
        self, status: int, headers: Mapping[str, str], body: bytes, *, phase: str = "upgrade"
    ) -> None:
        super().__init__(f"upgrade answered with HTTP {status}", phase=phase)
        self.status, self.headers, self.body = status, dict(headers), body


class BadMessage(NetError):
    """A frame no Deepgram server sends (not JSON, or nested past any parser's depth)."""

    suffix = "bad_message"


class NotApplicable(NetError):
    """Not a failure: wsdoctor cannot measure this on this path (a tool limit)."""

    suffix = "not_applicable"


_UNREACHABLE_ERRNOS = (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.ENETDOWN)


def describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def translate(exc: BaseException) -> NetError | None:
    """The NetError a library exception means, or None if it is not a network failure."""
    if isinstance(exc, NetError):
        return exc
    for mapper in (_from_libraries, _from_stdlib):
        found = mapper(exc)
        if found is not None:
            return found
    return None


def _from_stdlib(exc: BaseException) -> NetError | None:
    text = describe(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return CertificateRejected(exc.verify_message or text, verify_code=exc.verify_code)
    if isinstance(exc, ssl.SSLError):
        return TlsFailed(text)
    if isinstance(exc, socket.gaierror):
        return _from_gaierror(exc)
    if isinstance(exc, ConnectionRefusedError):
        return Refused(text)
    if isinstance(exc, TimeoutError):
        return TimedOut(text)
    if isinstance(exc, ConnectionError | EOFError):
        return ConnectionLost(text)
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE_ERRNOS:
        return Unreachable(text)
    return None


def _from_gaierror(exc: socket.gaierror) -> NetError:
    text = describe(exc)
    if exc.errno == socket.EAI_AGAIN:
        return TimedOut(text)
    if exc.errno == socket.EAI_FAIL:
        return ResolverFailed(text)
    if exc.errno == getattr(socket, "EAI_NODATA", -5):
        return NoAddresses(text)
    return NameNotFound(text)


def _loaded(module: str) -> bool:
    return module in sys.modules


def _from_libraries(exc: BaseException) -> NetError | None:
    for mapper in (_from_dnspython, _from_websockets, _from_httpx, _from_aiohttp):
        found = mapper(exc)
        if found is not None:
            return found
    return None


def _from_dnspython(exc: BaseException) -> NetError | None:
    if not _loaded("dns.resolver"):
        return None
    import dns.exception
    import dns.resolver

    text = describe(exc)
    if isinstance(exc, dns.resolver.NXDOMAIN):
        return NameNotFound(text)
    if isinstance(exc, dns.resolver.NoAnswer):
        return NoAddresses(text)
    if isinstance(exc, dns.resolver.NoNameservers):
        return ResolverFailed(text)
    if isinstance(exc, dns.exception.Timeout):
        return TimedOut(text)
    return None


def _from_websockets(exc: BaseException) -> NetError | None:
    if not _loaded("websockets.exceptions"):
        return None
    from websockets import exceptions as ws

    if isinstance(exc, ws.InvalidStatus):
        response = exc.response
        headers = {k.lower(): v for k, v in response.headers.raw_items()}
        return UpgradeRefused(response.status_code, headers, bytes(response.body or b""))
    if isinstance(exc, ws.InvalidProxy):
        return ProxyMisconfigured(describe(exc))
    if isinstance(exc, ws.ProxyError):
        return ProxyRefused(describe(exc))
    if isinstance(exc, ws.InvalidMessage) and exc.__cause__ is not None:
        inner = translate(exc.__cause__)
        if isinstance(inner, ConnectionLost | TimedOut):
            return inner
    if isinstance(exc, ws.InvalidHandshake):
        detail = exc.__cause__ or exc
        return UpgradeRejected(f"the answer to the upgrade is not valid HTTP ({detail})")
    return None


def _from_httpx(exc: BaseException) -> NetError | None:
    if not _loaded("httpx"):
        return None
    import httpx

    if not isinstance(exc, httpx.TransportError):  # a status or decoding error is no failure
        return None
    text = describe(exc)
    found = _underlying(exc)
    if isinstance(found, TlsFailed):  # a rejected certificate, however httpx labels it
        return found
    if isinstance(exc, httpx.TimeoutException):
        return TimedOut(text)
    if isinstance(exc, httpx.ProxyError):
        return ProxyRefused(text)
    if found is not None:
        return found
    lost = httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError | httpx.CloseError
    return ConnectionLost(text) if isinstance(exc, lost) else Unreachable(text)


def _underlying(exc: BaseException) -> NetError | None:
    """What the first translatable exception below `exc` means. httpx wraps httpcore's
    exception, which wraps the ssl or socket error that says what happened: a rejected
    certificate two links down must not read as "no route to the host"."""
    seen = {id(exc)}
    inner = exc.__cause__ or exc.__context__
    while inner is not None and id(inner) not in seen:
        seen.add(id(inner))
        found = translate(inner)
        if found is not None:
            return found
        inner = inner.__cause__ or inner.__context__
    return None


def _from_aiohttp(exc: BaseException) -> NetError | None:
    if not _loaded("aiohttp"):
        return None
    import aiohttp

    if isinstance(exc, aiohttp.ServerTimeoutError):
        return TimedOut(describe(exc))
    if isinstance(exc, aiohttp.ClientConnectorError):
        return translate(exc.os_error) or Unreachable(describe(exc))
    return None


@contextlib.contextmanager
def boundary(phase: str) -> Iterator[None]:
    """Let only NetError out of a network step, tagged with the step's name."""
    try:
        yield
    except NetError as exc:
        exc.phase = exc.phase or phase
        raise
    except Exception as exc:
        mapped = translate(exc)
        if mapped is None:
            raise
        mapped.phase = phase
        raise mapped from exc
