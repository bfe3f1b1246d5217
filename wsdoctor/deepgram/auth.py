"""How a client proves who it is on the upgrade.

Sources: Deepgram's "Authenticating" and "Token-based auth" docs, and deepgram-js-sdk's
browser client. A long-lived API key goes as `Authorization: Token <key>`; a
temporary token (a JWT from `POST /v1/auth/grant`) as `Authorization: Bearer <jwt>`.
Browsers cannot set headers, so they send `Sec-WebSocket-Protocol: token, <key>` or
`bearer, <jwt>`, and the server echoes the scheme. A JWT sent with `Token` (or a key
with `Bearer`) is refused with 401.
"""

from __future__ import annotations

from collections.abc import Mapping

TOKEN = "token"  # the scheme of a long-lived API key
BEARER = "bearer"  # the scheme of a temporary token (JWT)
SCHEMES = (TOKEN, BEARER)
SUBPROTOCOL = "subprotocol"  # how presented_key names browser-style auth
NONE = "none"
# Query parameters a credential sometimes rides in (and leaks from, into logs).
QUERY_KEY_NAMES = ("token", "key", "api_key", "access_token")


def authorization(key: str | None, scheme: str = TOKEN) -> dict[str, str]:
    """The upgrade's Authorization header for a key, or none without one."""
    return {"Authorization": f"{scheme.capitalize()} {key}"} if key else {}


def presented_key(headers: Mapping[str, str]) -> tuple[str, str | None]:
    """How a client authenticated, and with what: a header scheme, the subprotocol, or none."""
    scheme, _, value = headers.get("Authorization", "").partition(" ")
    if scheme.lower() in SCHEMES and value.strip():
        return scheme.lower(), value.strip()
    offered = [p.strip() for p in headers.get("Sec-WebSocket-Protocol", "").split(",")]
    if len(offered) >= 2 and offered[0].lower() in SCHEMES and offered[1]:
        return SUBPROTOCOL, offered[1]
    return NONE, None


def looks_like_jwt(key: str | None) -> bool:
    """Deepgram's temporary tokens are JWTs, which go with `Bearer`, not `Token`."""
    if not key:
        return False
    parts = key.split(".")
    return len(parts) == 3 and key.startswith("eyJ") and all(parts)
