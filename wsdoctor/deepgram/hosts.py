"""Where Deepgram's live API is served.

Sources: Deepgram's "Custom endpoints" and regional endpoint docs. The regional
hosts accept the same keys and fail rather than fall back to another region;
dedicated hosts look like `<id>.<region>.api.deepgram.com`; self-hosted servers use
the same paths on a host of their own, often over plain `ws://` on port 8080.
"""

from __future__ import annotations

import re

DEFAULT_HOST = "api.deepgram.com"
REGION_HOSTS = {
    "us": DEFAULT_HOST,
    "eu": "api.eu.deepgram.com",
    "au": "api.au.deepgram.com",
    "in": "api.in.deepgram.com",
}
# What wsdoctor checks by default: raw linear16 is what its own audio is, declared so
# the server never takes it for a container (see audio/plan.py).
DEFAULT_URL = f"wss://{DEFAULT_HOST}/v1/listen?encoding=linear16&sample_rate=16000&channels=1"
# Flux, for `--flux`: its general English model, with the same raw audio declared.
FLUX_URL = (
    f"wss://{DEFAULT_HOST}/v2/listen?model=flux-general-en&encoding=linear16&sample_rate=16000"
)
DEEPGRAM_DOMAIN = "deepgram.com"
_REGION = re.compile(r"^api\.([a-z]{2})\.deepgram\.com$")


def is_deepgram_host(host: str) -> bool:
    """Deepgram's own hosts (public, regional, dedicated); not self-hosted ones."""
    host = host.lower().rstrip(".")
    return host == DEEPGRAM_DOMAIN or host.endswith("." + DEEPGRAM_DOMAIN)


def region_of(host: str) -> str:
    """Deepgram's region from the host name (api.eu.deepgram.com: eu); '' for other hosts."""
    if host == DEFAULT_HOST:
        return "us"
    match = _REGION.match(host)
    return match.group(1) if match else ""


def region_url(region: str, flux: bool = False) -> str:
    """The default URL (or Flux's) on a region's host."""
    return (FLUX_URL if flux else DEFAULT_URL).replace(DEFAULT_HOST, REGION_HOSTS[region], 1)
