"""Helpers for lab tests: run a scenario against an in-loop lab, stream audio, collect messages."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from wsdoctor.audio.pcm import LINEAR16_16K, chunked, tone
from wsdoctor.lab.config import LabConfig
from wsdoctor.lab.faults import Faults
from wsdoctor.lab.server import RunningLab, running_lab

AUTH = {"Authorization": "Token lab-test-key-0123456789"}


def with_lab(
    scenario: Callable[[RunningLab], Awaitable[Any]],
    *faults: str,
    idle: float = 1.0,
    tls: bool = False,
    key: str | None = None,
) -> Any:
    async def main() -> Any:
        config = LabConfig(idle_timeout=idle, accepted_key=key, faults=Faults.parse(faults))
        async with running_lab(config, tls=tls) as lab:
            result = await scenario(lab)
            await asyncio.sleep(0.05)  # let the lab finish its record
            return result

    return asyncio.run(main())


def audio_chunks(seconds: float = 1.5, chunk_s: float = 0.1) -> list[bytes]:
    return list(chunked(tone(seconds), LINEAR16_16K, chunk_s))


def decode(messages: list[str | bytes]) -> list[dict[str, Any]]:
    return [json.loads(m) for m in messages]


CLOSE_STREAM = json.dumps({"type": "CloseStream"})
KEEP_ALIVE = json.dumps({"type": "KeepAlive"})
FINALIZE = json.dumps({"type": "Finalize"})
