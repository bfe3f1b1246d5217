"""wsdoctor's own exceptions, kept import-free so the CLI can catch them at no cost.

Exception
├── BadInput (ValueError)   a user mistake: one line on stderr, exit code 2
├── RegistryError           the installed plugins do not fit together: exit code 3
└── CheckFailed             raised inside a check: ends it as `fail` with a cause
                            (lives in plugin.py, next to the check API)
"""

from __future__ import annotations


class BadInput(ValueError):
    """A user mistake: reported as one line with exit code 2, never a traceback."""


class RegistryError(Exception):
    """The installed plugins do not form a usable set of checks."""
