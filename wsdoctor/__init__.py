"""wsdoctor: a doctor for WebSocket connections to Deepgram's live speech-to-text API.

The public API is small on purpose: enough to write a check plugin or to run
checks from Python. `SEED_SECTIONS` are the article sections a cause entry
(`CauseEntry`) may cite; `CheckContext` documents what a check may use. Names
load on first use (PEP 562) so that `wsdoctor --help` pays only for click.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "CauseEntry": "causes.entry",
    "Check": "plugin",
    "CheckContext": "context",
    "CheckResult": "model",
    "Finding": "model",
    "Level": "model",
    "Phase": "model",
    "Report": "model",
    "SEED_SECTIONS": "causes",
    "Settings": "context",
    "Span": "model",
    "Status": "model",
    "Target": "model",
}

__all__ = [
    "SEED_SECTIONS",
    "CauseEntry",
    "Check",
    "CheckContext",
    "CheckResult",
    "Finding",
    "Level",
    "Phase",
    "Report",
    "Settings",
    "Span",
    "Status",
    "Target",
    "__version__",
]

if TYPE_CHECKING:
    from .causes import SEED_SECTIONS
    from .causes.entry import CauseEntry
    from .context import CheckContext, Settings
    from .model import CheckResult, Finding, Level, Phase, Report, Span, Status, Target
    from .plugin import Check


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'wsdoctor' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
