"""`python -m wsdoctor`, and the `wsdoctor` console script.

The command line is imported inside main() so that a Ctrl-C during start-up (while
click and the engine load) ends in one line, not a KeyboardInterrupt traceback.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("wsdoctor: interrupted\n")
        raise SystemExit(130) from None
    run()


if __name__ == "__main__":
    main()
