"""Helpers the audit's tests share: `wsdoctor audit -- python app.py` as a process, and fake-time
audio fed to the lab's stream model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from wsdoctor.audio.pcm import tone
from wsdoctor.lab.stream import LiveStream
from wsdoctor.observe.events import Audio

APPS = Path(__file__).parent / "audit_apps"


def run_audit(*args: str, app: str, behaviour: str, timeout: float = 90) -> tuple[int, dict, str]:
    """(exit code, JSON report, stderr) of the audit of `audit_apps/<app> <behaviour>`, with a
    1 s idle window unless `args` set another."""
    app_argv = [sys.executable, str(APPS / app), behaviour]
    argv = [sys.executable, "-m", "wsdoctor", "audit", "--no-save", "--json", "-",
            "--idle-window", "1", *args, "--", *app_argv]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return done.returncode, json.loads(done.stdout), done.stderr


def feed(
    live: LiveStream, start: float, seconds: float, step: float, chunk: bytes | None = None
) -> float:
    """A chunk every `step` seconds from `start` (by default `step` seconds of audio: real
    time) until `seconds` have passed; returns the time after the last one."""
    chunk = chunk if chunk is not None else tone(step)
    t = start
    while t < start + seconds - 1e-9:
        live.handle(Audio(chunk), t)
        t = round(t + step, 4)
    return t
