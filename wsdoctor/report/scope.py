"""What a report needs to know about its run beyond the results (a plain value).

`build_report` takes this instead of a whole CheckContext, so a run that plans no
route (the audit, a test) builds its report from what it has: the target shown, the
redactor holding its secrets, the environment read once, and the run's settings
that reports print.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..model import Target
from ..redact import Redactor


@dataclass(frozen=True)
class ReportScope:
    target: Target
    redactor: Redactor = field(default_factory=Redactor)
    environ: Mapping[str, str] = field(default_factory=dict)
    accept: frozenset[str] = frozenset()
    vantage: str = ""
    server_idle_s: float | None = None  # the idle window the stream timeline marks
