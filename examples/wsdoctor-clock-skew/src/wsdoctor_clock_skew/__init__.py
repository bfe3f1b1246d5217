"""A third-party wsdoctor plugin: the `clock_skew` check (see check.py)."""

from __future__ import annotations

from .check import CAUSES, FAIL_S, SKEWED, WARN_S, ClockSkewCheck, check

__all__ = ["CAUSES", "FAIL_S", "SKEWED", "WARN_S", "ClockSkewCheck", "check"]
