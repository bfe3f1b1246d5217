"""Loaded by the child of `wsdoctor audit -- python ...`: send Deepgram streams to the audit.

Python imports `sitecustomize` at start-up from the path; `wsdoctor audit` puts this
folder first on PYTHONPATH, as opentelemetry-instrument and ddtrace-run do. It
imports nothing heavy: a finder waits for websockets' and aiohttp's client modules
to load and then wraps their connect functions, so that a ws(s) URL on
`deepgram.com` or one of its subdomains goes to WSDOCTOR_AUDIT_URL instead (path
and query kept). deepgram-sdk v3 to v7 connect through these libraries. Standalone
on purpose: the child's environment may not have wsdoctor installed. Afterwards the
sitecustomize this one shadows, if any, runs as well.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from urllib.parse import urlsplit, urlunsplit

TARGET = os.environ.get("WSDOCTOR_AUDIT_URL", "")
HERE = os.path.dirname(os.path.abspath(__file__))


def redirected(url: object) -> object:
    """The audit URL in place of a Deepgram one; anything else untouched."""
    if not TARGET or not isinstance(url, str):
        return url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("ws", "wss") or not (
        host == "deepgram.com" or host.endswith(".deepgram.com")
    ):
        return url
    target = urlsplit(TARGET)
    return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))


def _plain(uri: object, target: object, kwargs: dict[str, object]) -> None:
    """A wss:// URL sent to a ws:// endpoint: TLS options would make websockets refuse it."""
    redirected_to_plain = isinstance(target, str) and target.startswith("ws://")
    if isinstance(uri, str) and target != uri and redirected_to_plain:
        kwargs.pop("ssl", None)
        kwargs.pop("server_hostname", None)


def _wrap_function(module: object, name: str) -> None:
    original = getattr(module, name, None)
    if original is None or getattr(original, "_wsdoctor", False):
        return

    def connect(uri: object, *args: object, **kwargs: object) -> object:
        target = redirected(uri)
        _plain(uri, target, kwargs)
        return original(target, *args, **kwargs)

    connect._wsdoctor = True  # type: ignore[attr-defined]
    setattr(module, name, connect)


def _wrap_init(cls: type) -> None:
    original = cls.__init__  # type: ignore[misc]
    if getattr(original, "_wsdoctor", False):
        return

    def __init__(self: object, uri: object, *args: object, **kwargs: object) -> None:
        target = redirected(uri)
        _plain(uri, target, kwargs)
        original(self, target, *args, **kwargs)

    __init__._wsdoctor = True  # type: ignore[attr-defined]
    cls.__init__ = __init__  # type: ignore[misc]


def _wrap_method(cls: type, name: str) -> None:
    original = getattr(cls, name, None)
    if original is None or getattr(original, "_wsdoctor", False):
        return

    def method(self: object, url: object, *args: object, **kwargs: object) -> object:
        return original(self, redirected(url), *args, **kwargs)

    method._wsdoctor = True  # type: ignore[attr-defined]
    setattr(cls, name, method)


def _patch(name: str, module: object) -> None:
    if name == "websockets.asyncio.client":
        _wrap_init(module.connect)  # type: ignore[attr-defined]
    elif name == "websockets.sync.client":
        _wrap_function(module, "connect")
    elif name in ("websockets.legacy.client", "websockets.client"):
        legacy = getattr(module, "Connect", None)
        if isinstance(legacy, type):
            _wrap_init(legacy)
    elif name == "aiohttp.client":
        _wrap_method(module.ClientSession, "_ws_connect")  # type: ignore[attr-defined]


WATCHED = (
    "websockets.asyncio.client",
    "websockets.sync.client",
    "websockets.legacy.client",
    "websockets.client",
    "aiohttp.client",
)


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader) -> None:
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        _patch(module.__name__, module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name not in WATCHED:
            return None
        sys.meta_path.remove(self)  # find the real spec without finding ourselves
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _Loader(spec.loader)
        return spec


def _chain_shadowed_sitecustomize() -> None:
    """Run the sitecustomize this file hides (a virtualenv's or the distribution's)."""
    rest = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


if TARGET:
    for _name in WATCHED:
        if _name in sys.modules:
            _patch(_name, sys.modules[_name])
    sys.meta_path.insert(0, _Finder())
_chain_shadowed_sitecustomize()
