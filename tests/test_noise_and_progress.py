"""Library noise is captured rather than printed; live progress shows running checks."""

from __future__ import annotations

import asyncio
import io
import logging

from wsdoctor import CheckResult, Status
from wsdoctor.noise import NoiseTrap
from wsdoctor.progress import LiveProgress


def test_library_log_records_are_kept_not_printed(capsys):
    trap = NoiseTrap()
    with trap.installed():
        logging.getLogger("websockets.client").error("unrelated %s", "AttributeError")
    logging.getLogger("websockets.client").debug("after")
    assert trap.lines == ["websockets.client: unrelated AttributeError"]
    assert capsys.readouterr().err == ""


def test_asyncio_callback_errors_are_kept(capsys):
    trap = NoiseTrap()

    async def main():
        trap.watch_loop()
        asyncio.get_running_loop().call_soon(lambda: 1 / 0)
        await asyncio.sleep(0.01)

    asyncio.run(main())
    assert "ZeroDivisionError" in trap.lines[0]
    assert "Traceback" not in capsys.readouterr().err


def test_progress_shows_running_checks_then_their_results():
    stream = io.StringIO()
    progress = LiveProgress(stream, {"idle_timeout": "Idle stream lifetime"}, color=False)
    progress("start", "idle_timeout", None)
    progress._draw()
    assert "idle_timeout" in stream.getvalue() and "Idle stream lifetime…" in stream.getvalue()
    result = CheckResult("idle_timeout", Status.PASS, "closed after 10.2 s", duration_ms=10200)
    progress("finish", "idle_timeout", result)
    progress.close()
    final = stream.getvalue().rsplit("\x1b[J", 1)[-1]
    assert "[✓] idle_timeout   10.2 s  closed after 10.2 s" in final
    assert "…" not in final
