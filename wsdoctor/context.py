"""What a check gets to work with: the target, the user's settings, secrets, shared facts.

Checks never read the environment or the CLI directly; everything they may
depend on is here, which is what makes them runnable against the lab in tests.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import CheckResult, Target
from .redact import Redactor

DEFAULT_URL = "wss://api.deepgram.com/v1/listen?encoding=linear16&sample_rate=16000&channels=1"
REGION_HOSTS = {
    "us": "api.deepgram.com",
    "eu": "api.eu.deepgram.com",
    "au": "api.au.deepgram.com",
    "in": "api.in.deepgram.com",
}


class Secret:
    """A value that refuses to show itself in repr(), str() or f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str | None) -> None:
        self._value = value or None

    def reveal(self) -> str | None:
        return self._value

    def __bool__(self) -> bool:
        return self._value is not None

    def __repr__(self) -> str:
        return "Secret(***)" if self._value else "Secret(None)"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    """The knobs a user can turn, with the defaults the CLI documents."""

    timeout_s: float = 60.0
    check_timeout_s: float = 10.0
    idle_max_s: float = 15.0
    server_idle_s: float = 10.0  # Deepgram's documented idle window (NET-0001)
    proxy: str | None = None  # None: from the environment; "none": direct; else a URL
    dns_server: tuple[str, int] | None = None
    ca_file: str | None = None
    insecure: bool = False
    stability_s: float = 10.0
    quick: bool = False  # --quick: slow checks are skipped and close_frame streams less audio
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


class CheckContext:
    """Shared by all checks of one run. `facts` carries what one check learns for later ones."""

    def __init__(
        self,
        target: Target,
        settings: Settings | None = None,
        api_key: str | None = None,
    ) -> None:
        self.target = target
        self.settings = settings or Settings()
        self.api_key = Secret(api_key)
        self.redactor = Redactor([api_key] if api_key else [])
        self.redactor.add_url_credentials(self.settings.proxy)
        for name in ("HTTPS_PROXY", "HTTP_PROXY", "WSS_PROXY", "WS_PROXY", "ALL_PROXY"):
            for variant in (name, name.lower()):
                self.redactor.add_url_credentials(self.settings.environ.get(variant))
        self.facts: dict[str, Any] = {}
        self.results: dict[str, CheckResult] = {}

    def share(self, key: str, value: Any) -> None:
        """Publish a fact (e.g. `dns.addresses`) for checks that depend on this one."""
        self.facts[key] = value

    def fact(self, key: str, default: Any = None) -> Any:
        return self.facts.get(key, default)

    def result(self, check_id: str) -> CheckResult | None:
        return self.results.get(check_id)
