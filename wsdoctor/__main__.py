"""`python -m wsdoctor`, and the `wsdoctor` console script.

The command line is imported inside main() so that a Ctrl-C during start-up (while
click and the engine load) ends in one line, not a KeyboardInterrupt traceback.
SIGTERM is turned into the same interrupt first thing, so a run stopped by CI or
`timeout` at any moment says so too; and once wsdoctor is saying it was interrupted,
further signals are ignored, so a burst of Ctrl-C cannot print a traceback over it.
"""

from __future__ import annotations

import signal
import sys
import time

from .signals import Terminated, raise_terminated

STARTED_AT = time.monotonic()  # --timeout counts from here: start-up is part of the run

INTERRUPTED = 130
TERMINATED = 143


def stop_quietly(exc: KeyboardInterrupt) -> None:
    with_signals_ignored()
    sys.stderr.write("wsdoctor: terminated\n" if isinstance(exc, Terminated) else
                     "wsdoctor: interrupted\n")  # fmt: skip
    raise SystemExit(TERMINATED if isinstance(exc, Terminated) else INTERRUPTED)


def with_signals_ignored() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


def main() -> None:
    signal.signal(signal.SIGTERM, raise_terminated)
    try:
        from .cli import main as run
    except KeyboardInterrupt as exc:
        stop_quietly(exc)
    try:
        run()
    except KeyboardInterrupt as exc:  # a signal that arrived while the CLI was finishing
        stop_quietly(exc)


if __name__ == "__main__":
    main()
