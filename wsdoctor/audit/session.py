"""One `wsdoctor audit` in lab mode: serve the lab, run the user's command against it, keep
every connection's record.

The command's own output goes to the terminal untouched; wsdoctor only adds one line
per connection as it ends. Python children are redirected by the sitecustomize in
`redirect/`; any child gets WSDOCTOR_AUDIT_URL and DEEPGRAM_HOST to point itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import ssl
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..deepgram.profiles import V1
from ..errors import BadInput
from ..lab.config import LabConfig
from ..lab.faults import Faults
from ..lab.server import running_lab, serving
from ..observe.record import ClientRecord
from .session_rules import ChildOutcome

FINALIZE_S = 0.25  # the lab takes this long to answer CloseStream, as the real service does
STOP_GRACE_S = 5.0  # SIGTERM, then this long before SIGKILL
SETTLE_S = 0.3  # after the child ends, for the lab to file the records of its last streams
MAX_RECORDS = 10_000
REDIRECT_DIR = Path(__file__).with_name("redirect")


@dataclass(frozen=True)
class AuditPlan:
    faults: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    port: int = 0
    duration_s: float | None = None
    idle_window_s: float = V1.idle_window_s
    argv: tuple[str, ...] = ()
    upstream: str | None = None  # relay mode: the real service (or any ws(s):// base URL)
    ca_file: str | None = None  # extra trust for the upstream's certificate


def bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def upstream_tls(ca_file: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(ca_file)
    return context


def child_environment(environ: Mapping[str, str], audit_url: str) -> dict[str, str]:
    """The child's environment: the audit URL for any language, sitecustomize for Python."""
    env = dict(environ)
    env["WSDOCTOR_AUDIT_URL"] = audit_url
    env["DEEPGRAM_HOST"] = audit_url  # read by the Go SDK and deepgram-sdk v3-v4's env options
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = os.pathsep.join([str(REDIRECT_DIR), *([path] if path else [])])
    return env


class AuditSession:
    def __init__(
        self,
        plan: AuditPlan,
        environ: Mapping[str, str],
        on_connection: Callable[[ClientRecord], None] | None = None,
    ) -> None:
        self.plan = plan
        self.environ = environ
        self.on_connection = on_connection
        self.records: list[ClientRecord] = []
        self.keys: set[str] = set()  # keys clients presented: masked in the report, not kept
        self.stopping = False
        self.records_dropped = 0
        self.child: ChildOutcome | None = None
        self.url = ""

    def _filed(self, record: ClientRecord) -> None:
        if self.stopping:  # still open when wsdoctor stopped the app: its ending is ours
            record.ended_by_audit = True
        if len(self.records) < MAX_RECORDS:
            self.records.append(record)
        else:
            self.records_dropped += 1
        if self.on_connection is not None:
            self.on_connection(record)

    async def run(self, on_ready: Callable[[str], None] | None = None) -> None:
        try:
            async with self._endpoint() as url:
                self.url = url
                if on_ready is not None:
                    on_ready(url)
                await self._main()
        except OSError as exc:
            if self.url:
                raise
            where = f"{self.plan.host}:{self.plan.port}"
            raise BadInput(f"cannot listen on {where}: {exc.strerror or exc}") from None

    @contextlib.asynccontextmanager
    async def _endpoint(self) -> AsyncIterator[str]:
        """The lab, or with --upstream the relay; yields the URL the app should use."""
        host, port = self.plan.host, self.plan.port
        if self.plan.upstream:
            from .relay import Relay

            relay = Relay(
                self.plan.upstream, self._filed, upstream_tls(self.plan.ca_file), self.keys.add
            )
            async with serving(relay.app(), host, port) as bound:
                yield f"ws://{bracketed(host)}:{bound}"
            return
        config = LabConfig(
            idle_timeout=self.plan.idle_window_s,
            faults=Faults.parse(self.plan.faults),
            on_record=self._filed,
            records_kept=0,
            finalize_s=FINALIZE_S,
            on_key=self.keys.add,
        )
        async with running_lab(config, host=host, port=port) as lab:
            yield f"{'wss' if lab.tls else 'ws'}://{lab.base}"

    async def _main(self) -> None:
        if self.plan.argv:
            await self._run_child(self.plan.argv)
            await asyncio.sleep(SETTLE_S)
        elif self.plan.duration_s is not None:
            await asyncio.sleep(self.plan.duration_s)
        else:
            await asyncio.Event().wait()  # until Ctrl-C

    async def _run_child(self, argv: Sequence[str]) -> None:
        env = child_environment(self.environ, self.url)
        try:  # its own process group, so stopping it stops whatever it started too
            proc = await asyncio.create_subprocess_exec(*argv, env=env, start_new_session=True)
        except FileNotFoundError:
            raise BadInput(f"command not found: {argv[0]}") from None
        except PermissionError:
            raise BadInput(f"command is not executable: {argv[0]}") from None
        except OSError as exc:  # e.g. a script without a #! line
            raise BadInput(f"cannot run {argv[0]}: {exc.strerror or exc}") from None
        try:
            returncode: int | None = await asyncio.wait_for(proc.wait(), self.plan.duration_s)
        except TimeoutError:
            returncode = None
        finally:
            if proc.returncode is None:  # --duration is up, or interrupted: stop the app
                self.stopping = True
                await stop(proc)
        self.child = ChildOutcome(tuple(argv), returncode)


async def stop(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM to the app's process group, then SIGKILL after a grace period."""
    _signal_group(proc, signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), STOP_GRACE_S)
    except TimeoutError:
        _signal_group(proc, signal.SIGKILL)
        await proc.wait()
    _signal_group(proc, signal.SIGKILL)  # anything the app left behind in its group


def _signal_group(proc: asyncio.subprocess.Process, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signum)
