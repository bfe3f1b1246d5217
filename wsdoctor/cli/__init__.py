"""The command line: parse and validate, then hand over. Click only; heavy imports stay lazy.

`main.py` holds the group and the exit-code mapping; each command has its own module
with its options (`check.py`, `watch.py`, `audit.py`, `merge.py`, `lab.py`,
`explain.py`); `options.py` holds the options several commands share; `validate.py`
turns option values into checked values or a one-line BadInput.
"""

from __future__ import annotations

from .main import cli, main

__all__ = ["cli", "main"]
