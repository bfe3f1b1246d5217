"""The API key and proxy credentials never appear in any byte wsdoctor writes.

Full runs against the lab with a distinctive key: a passing run, failing runs,
and a plugin that errors with the key in its exception text.
"""

from __future__ import annotations

import base64
import io
import zipfile

import pytest
from test_cli import run_cli

from wsdoctor import Check, CheckContext, CheckResult
from wsdoctor.registry import AUTOLOAD_OFF_ENV, Registered, Registry

pytestmark = pytest.mark.slow

KEY = "Zq9xKeyForRedactionTest7f3e2d1c0b9a8h"
PROXY_PASSWORD = "pr0xy-Pa55word-Secret"


def forbidden() -> list[bytes]:
    raw = KEY.encode()
    return [
        raw,
        base64.b64encode(raw),
        base64.b64encode(raw).rstrip(b"="),
        base64.urlsafe_b64encode(raw),
        PROXY_PASSWORD.encode(),
        base64.b64encode(f"user:{PROXY_PASSWORD}".encode()),
    ]


class LeakyCheck(Check):
    """A broken plugin whose exception text carries the key in every shape it can."""

    id = "leaky"
    title = "A plugin that leaks"

    async def run(self, ctx: CheckContext) -> CheckResult:
        key = ctx.api_key.reveal()
        encoded = base64.b64encode(key.encode()).decode()
        raise RuntimeError(f"boom key={key} Authorization: Token {key} b64={encoded}")


def registry_with_leaky_plugin() -> Registry:
    builtins = list(Registry.discover({AUTOLOAD_OFF_ENV: "1"}))
    return Registry([*builtins, Registered(LeakyCheck(), "leaky 0", "tests:LeakyCheck")])


@pytest.mark.parametrize("faults", ["", "auth", "drop-on-close", "hostile"])
def test_no_output_contains_a_secret(faults, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:{PROXY_PASSWORD}@127.0.0.1:9")
    outputs = {name: tmp_path / name for name in ("r.json", "r.html", "r.xml", "r.zip")}
    argv = [
        "check", "--lab", faults, "--quick", "--api-key", KEY, "-v",
        "--json", str(outputs["r.json"]), "--html", str(outputs["r.html"]),
        "--junit", str(outputs["r.xml"]), "--bundle", str(outputs["r.zip"]),
    ]  # fmt: skip
    code, out, err = run_cli(argv, capsys, registry_with_leaky_plugin(), monkeypatch)
    assert code == 3  # the leaky plugin errored
    blobs = {"stdout": out.encode(), "stderr": err.encode()}
    blobs.update({name: path.read_bytes() for name, path in outputs.items()})
    with zipfile.ZipFile(io.BytesIO(blobs["r.zip"])) as archive:
        blobs.update({name: archive.read(name) for name in archive.namelist()})
    assert b"Traceback" in blobs["r.json"]  # the error's traceback is kept, redacted
    for name, blob in blobs.items():
        for secret in forbidden():
            assert secret not in blob, f"{secret!r} leaked into {name}"
    # What may be said about the key: its length and last four characters.
    assert f"<key: {len(KEY)} chars, ends {KEY[-4:]}>".encode() in blobs["r.json"]
