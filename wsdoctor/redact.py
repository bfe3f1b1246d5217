"""Keeping secrets and control sequences out of everything wsdoctor writes.

Reports get attached to public tickets and printed on terminals, so every string
that leaves the process goes through `Redactor.text` once: secrets masked, then
control and bidi characters shown as visible escapes. Results are cleaned when
the runner records them (so live progress shows clean text too), and the rest of
a report when it is built - not left to each check or renderer to remember.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import cast
from urllib.parse import quote, unquote, urlsplit

from .display import neutralise
from .model import CheckResult, Evidence, Finding

# Shorter "secrets" would blank out ordinary words; real Deepgram keys are 40 characters.
MIN_SECRET_LEN = 4
MASK = "***"
# The variables a proxy (and its password) can come from, upper and lower case alike.
PROXY_VARIABLES = ("WSS_PROXY", "WS_PROXY", "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")

_SENSITIVE_HEADERS = ("authorization", "proxy-authorization", "sec-websocket-protocol", "cookie")
_HEADER_LINE = re.compile(
    r"(?im)\b(" + "|".join(_SENSITIVE_HEADERS) + r")(\s*[:=]\s*)([^\r\n]+)",
)
_AUTH_SCHEME = re.compile(r"(?i)\b(token|bearer|basic)(\s+|,\s*)([A-Za-z0-9._~+/=-]{8,})")
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/@\s:]+)(?::([^/@\s]*))?@")
_QUERY_SECRET = re.compile(
    r"(?i)([?&;](?:token|key|api_key|apikey|access_token|authorization|password)=)([^&;#\s]+)"
)


def describe_key(key: str) -> str:
    """The most a report may say about a key: its length, and its tail if that leaks little."""
    if len(key) >= 16:
        return f"<key: {len(key)} chars, ends {key[-4:]}>"
    return f"<key: {len(key)} chars>"


class Redactor:
    """Replaces known secrets and anything shaped like a credential."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._literals: dict[str, str] = {}
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None, label: str | None = None) -> None:
        if not secret or len(secret) < MIN_SECRET_LEN:
            return
        mask = label or describe_key(secret)
        for form in _encoded_forms(secret):
            self._literals.setdefault(form, mask)

    def add_url_credentials(self, url: str | None) -> None:
        """Remember the password of a proxy URL so it is masked wherever it turns up
        (`user:password@host:port` without a scheme too: httpx and curl accept it)."""
        if not url:
            return
        try:
            parts = urlsplit(url if "://" in url else f"http://{url}")
            password = parts.password
        except ValueError:
            return
        if password:
            self.add(unquote(password), MASK)
            # A proxy that echoes the Proxy-Authorization it got shows base64(user:password).
            self.add(f"{unquote(parts.username or '')}:{unquote(password)}", MASK)

    def text(self, value: str) -> str:
        # Credential-shaped text first, then any known secret left elsewhere in the text.
        value = _HEADER_LINE.sub(_mask_header_line, value)
        value = _AUTH_SCHEME.sub(lambda m: f"{m[1]}{m[2]}{MASK}", value)
        value = _URL_USERINFO.sub(_mask_userinfo, value)
        value = _QUERY_SECRET.sub(lambda m: f"{m[1]}{MASK}", value)
        # Longest first, so a secret's base64 form is not half-replaced by a shorter one.
        for secret in sorted(self._literals, key=len, reverse=True):
            if secret in value:
                value = value.replace(secret, self._literals[secret])
        return neutralise(value)

    def value(self, value: object) -> object:
        """Redact any JSON-like value: strings, and the strings inside dicts and lists."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return self.mapping(value)
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def mapping(self, value: Mapping[str, object]) -> dict[str, object]:
        return {str(k): self._field(str(k), v) for k, v in value.items()}

    def _field(self, name: str, value: object) -> object:
        if name.lower() in _SENSITIVE_HEADERS and isinstance(value, str) and value:
            return MASK
        return self.value(value)


_TOKEN_TAIL = re.compile(r"[A-Za-z0-9+/=_.~%-]+$")


def run_redactor(
    keys: Iterable[str | None], environ: Mapping[str, str], proxy: str | None = None
) -> Redactor:
    """The redactor of one run: its keys, and the credentials of every proxy it could use."""
    redactor = Redactor(key for key in keys if key)
    redactor.add_url_credentials(proxy)
    for name in PROXY_VARIABLES:
        for variant in (name, name.lower()):
            redactor.add_url_credentials(environ.get(variant))
    return redactor


def without_password(url: str) -> str:
    """A URL fit for an error message: the password in its userinfo masked, if any."""
    with_scheme = url if "://" in url else f"http://{url}"
    masked = _URL_USERINFO.sub(_mask_userinfo, with_scheme)
    return masked if "://" in url else masked.removeprefix("http://")


def cut_unsplit(text: str, limit: int) -> str:
    """`text[:limit]`, less the token the cut went through: it may be a secret's prefix,
    which no redaction can recognise once the rest of the secret is gone."""
    if len(text) <= limit:
        return text
    return _TOKEN_TAIL.sub("", text[:limit])


def mask_query_secrets(query: str) -> str:
    """A URL query string (without the `?`) with anything credential-shaped masked: key
    parameters, an Authorization value, a URL's userinfo inside a parameter."""
    return Redactor().text(f"?{query}")[1:]


def _encoded_forms(secret: str) -> set[str]:
    raw = secret.encode()
    return {
        secret,
        raw.hex(),
        raw.hex().upper(),
        quote(secret, safe=""),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
        base64.b64encode(raw).decode().rstrip("="),
    }


def _mask_header_line(match: re.Match[str]) -> str:
    return f"{match[1]}{match[2]}{MASK}"


def _mask_userinfo(match: re.Match[str]) -> str:
    scheme, user, password = match[1], match[2], match[3]
    if password is None:
        return f"{scheme}{user}@"
    return f"{scheme}{user}:{MASK}@"


def clean_finding(finding: Finding, redactor: Redactor) -> Finding:
    return replace(
        finding,
        message=redactor.text(finding.message),
        evidence=cast(Evidence, redactor.mapping(finding.evidence)),
    )


def clean_result(result: CheckResult, redactor: Redactor) -> CheckResult:
    """A result safe to print or write: every string redacted and neutralised."""
    return replace(
        result,
        summary=redactor.text(result.summary),
        evidence=cast(Evidence, redactor.mapping(result.evidence)),
        findings=tuple(clean_finding(f, redactor) for f in result.findings),
        phases=tuple(replace(p, label=redactor.text(p.label)) for p in result.phases),
        spans=tuple(replace(s, label=redactor.text(s.label)) for s in result.spans),
        marks=tuple(replace(m, label=redactor.text(m.label)) for m in result.marks),
    )
