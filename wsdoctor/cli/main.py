"""The command group, and the one place every outcome becomes an exit code.

Every user mistake ends as one `wsdoctor: error: ...` line and exit code 2. The
commands live one module each beside this one and are added to the group here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

import click

from .. import __version__
from ..exitcodes import ExitCode
from .audit import audit
from .check import check, list_checks
from .explain import explain
from .lab import lab
from .merge import merge
from .watch import watch


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="wsdoctor")
def cli() -> None:
    """Diagnose WebSocket connections to Deepgram's live speech-to-text API."""


for command in (check, watch, audit, merge, lab, list_checks, explain):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: maps every outcome to the documented exit codes."""
    from ..errors import BadInput, RegistryError

    try:
        code = cli.main(args=argv, prog_name="wsdoctor", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except (click.Abort, KeyboardInterrupt) as exc:  # Ctrl-C or SIGTERM before or after a run
        from ..signals import Terminated

        for signum in (signal.SIGINT, signal.SIGTERM):  # a burst of them must not print over it
            signal.signal(signum, signal.SIG_IGN)
        terminated = isinstance(exc, Terminated) or isinstance(exc.__cause__, Terminated)
        click.echo(f"wsdoctor: {'terminated' if terminated else 'interrupted'}", err=True)
        code = ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED
    except OSError as exc:  # stdout or stderr cannot be written (a full disk, a closed pipe)
        _say_once(f"wsdoctor: error: cannot write the output: {exc.strerror or exc}")
        code = ExitCode.ERROR
    except click.ClickException as exc:
        click.echo(f"wsdoctor: error: {exc.format_message()}", err=True)
        code = ExitCode.USAGE
    except BadInput as exc:
        click.echo(f"wsdoctor: error: {exc}", err=True)
        code = ExitCode.USAGE
    except RegistryError as exc:
        click.echo(f"wsdoctor: plugin error: {exc}", err=True)
        code = ExitCode.ERROR
    except Exception as exc:  # a bug in wsdoctor: one redacted line, unless debugging
        if os.environ.get("WSDOCTOR_DEBUG"):
            raise
        click.echo(f"wsdoctor: internal error: {_redacted(exc, argv)}", err=True)
        click.echo("wsdoctor: set WSDOCTOR_DEBUG=1 to see the traceback", err=True)
        code = ExitCode.ERROR
    sys.exit(int(code) if isinstance(code, int) else 0)


def _say_once(line: str) -> None:
    """One line on stderr, if stderr can take it (it may be what failed)."""
    with contextlib.suppress(OSError):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _redacted(exc: Exception, argv: list[str] | None) -> str:
    from ..redact import Redactor

    args = sys.argv[1:] if argv is None else argv
    keys = [os.environ.get("DEEPGRAM_API_KEY", "")]
    keys += [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == "--api-key"]
    keys += [arg.split("=", 1)[1] for arg in args if arg.startswith("--api-key=")]
    return Redactor(keys).text(f"{type(exc).__name__}: {exc}")
