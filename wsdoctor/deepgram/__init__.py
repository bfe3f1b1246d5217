"""What wsdoctor knows of Deepgram's live API, in one place, each fact with its source.

Checks, the lab, the audit's judge, watch and the pytest plugin read Deepgram's
protocol from here and nowhere else: hosts and regions (`hosts`), how clients
authenticate (`auth`), the messages either side sends (`messages`), how a stream
ends and what its close codes mean (`closes`), and one `ApiProfile` per API version
(`profiles`): the idle window, what holds it, and what a clean end looks like.

Sources are Deepgram's documentation and the official SDKs; `shared/DEEPGRAM.md`
in the project's steering notes keeps the longer list. Where a fact is a report
rather than documentation, its docstring says so.
"""

from __future__ import annotations

from .closes import ServerClose, classify
from .hosts import DEFAULT_HOST, DEFAULT_URL, REGION_HOSTS, is_deepgram_host, region_of
from .profiles import FLUX, V1, ApiProfile, profile_for

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_URL",
    "FLUX",
    "REGION_HOSTS",
    "V1",
    "ApiProfile",
    "ServerClose",
    "classify",
    "is_deepgram_host",
    "profile_for",
    "region_of",
]
