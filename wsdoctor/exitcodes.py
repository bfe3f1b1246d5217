"""Exit codes, defined once: the CLI, the commands and the docs all use these."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0  # nothing failed (warnings allowed unless --fail-on warn)
    FAIL = 1  # at least one check failed
    USAGE = 2  # usage error or bad input: one line on stderr
    ERROR = 3  # wsdoctor itself errored, or a report could not be written
    INTERRUPTED = 130  # Ctrl-C (SIGINT): the partial report is still written
    TERMINATED = 143  # SIGTERM: the partial report is still written
