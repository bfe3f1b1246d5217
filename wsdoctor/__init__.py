"""wsdoctor: a doctor for WebSocket connections to Deepgram's live speech-to-text API.

The public API is small on purpose: enough to write a check plugin or to run
checks from Python. Everything else is private and may change.
"""

from .context import CheckContext, Settings
from .model import CheckResult, Report, Status, Target
from .plugin import Check, CheckFailed

__version__ = "0.1.0"

__all__ = [
    "Check",
    "CheckContext",
    "CheckFailed",
    "CheckResult",
    "Report",
    "Settings",
    "Status",
    "Target",
    "__version__",
]
