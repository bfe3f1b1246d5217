"""The pytest plugin as users meet it: their own test files, run by pytester in a session of
their own, against the real lab and real clients."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CLIENT = """
import json
import pytest
from websockets.sync.client import connect
from wsdoctor.pytest_plugin import deepgram_lab_faults

def stream(lab, close_stream=True):
    headers = {"Authorization": f"Token {lab.api_key}"}
    with connect(lab.url, additional_headers=headers) as ws:
        for _ in range(5):
            ws.send(bytes(3200))
        if close_stream:
            ws.send(json.dumps({"type": "CloseStream"}))
            for _ in ws:
                pass
"""


def test_a_correct_client_passes(pytester):
    pytester.makepyfile(
        CLIENT
        + """
def test_clean(deepgram_lab):
    stream(deepgram_lab)
    deepgram_lab.assert_clean()
    assert len(deepgram_lab.sessions) == 1
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_client_without_close_stream_fails_with_a_readable_message(pytester):
    pytester.makepyfile(
        CLIENT
        + """
def test_forgets_close_stream(deepgram_lab):
    stream(deepgram_lab, close_stream=False)
    deepgram_lab.assert_clean()
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*the Deepgram lab saw 1 problem(s) in how the client connected:*",
        "*connection 1: [[]fail[]] client.no_close_stream: The stream ended without CloseStream*",
        "*what to do (Improper Connection Handling): When the audio ends, send*",
    ])  # fmt: skip


def test_faults_and_settings_come_from_the_marker(pytester):
    pytester.makepyfile(
        CLIENT
        + """
@pytest.mark.deepgram_lab(faults=["auth"], key="my-key-123456")
def test_refused(deepgram_lab):
    from websockets.exceptions import InvalidStatus
    with pytest.raises(InvalidStatus) as info:
        stream(deepgram_lab)
    assert info.value.response.status_code == 401
    assert deepgram_lab.api_key == "my-key-123456"
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_one_test_per_parametrized_fault(pytester):
    pytester.makepyfile(
        CLIENT
        + """
@deepgram_lab_faults("drop-after=0.2", "net0000")
def test_survives(deepgram_lab):
    try:
        stream(deepgram_lab)
    except Exception:
        pass
    assert deepgram_lab.sessions[0].faults in ("drop-after=0.2", "net0000")
"""
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_survives?drop-after=0.2? PASSED*",
                                 "*test_survives?net0000? PASSED*"])  # fmt: skip


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('faults=["gremlins"]', "unknown lab fault 'gremlins'"),
        ("idle_timeout=-1", "idle_timeout must be a number of seconds above 0"),
        ("colour='red'", "takes only faults=, idle_timeout= and key="),
    ],
)
def test_bad_settings_fail_at_collection_naming_the_test(pytester, marker, message):
    pytester.makepyfile(f"""
import pytest

@pytest.mark.deepgram_lab({marker})
def test_x(deepgram_lab):
    pass
""")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*test_x: @pytest.mark.deepgram_lab: *{message}*"])


def test_the_plugin_stays_out_of_the_way_when_unused(pytester):
    pytester.makepyfile("""
import sys

def test_plain():
    assert "wsdoctor.pytest_plugin" in sys.modules  # loaded through pytest11...
    assert "aiohttp" not in sys.modules and "wsdoctor.lab.server" not in sys.modules  # ...cheaply
""")
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


@pytest.mark.slow
def test_the_documented_example_passes():
    example = Path(__file__).parent.parent / "examples" / "deepgram_app"
    argv = [sys.executable, "-m", "pytest", str(example), "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=example)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "3 passed" in done.stdout


def test_a_stream_the_client_never_closes_fails_assert_clean(pytester):
    pytester.makepyfile(
        CLIENT
        + """
def test_leaves_it_open(deepgram_lab):
    headers = {"Authorization": f"Token {deepgram_lab.api_key}"}
    ws = connect(deepgram_lab.url, additional_headers=headers)
    ws.send(bytes(3200))
    try:
        deepgram_lab.assert_clean()
    finally:
        ws.close()
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*1 stream(s) still open at the end of the test*"])


REFUSED = """
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

def try_once(url, lab):
    with pytest.raises(InvalidStatus) as info:
        connect(url, additional_headers={"Authorization": f"Token {lab.api_key}"})
    return info.value.response

@pytest.mark.deepgram_lab(faults=["bad-request"])
def test_400(deepgram_lab):
    try_once(deepgram_lab.url, deepgram_lab)
    deepgram_lab.assert_clean()

@pytest.mark.deepgram_lab(faults=["auth"])
def test_401(deepgram_lab):
    try_once(deepgram_lab.url, deepgram_lab)
    deepgram_lab.assert_clean()

def test_404(deepgram_lab):
    try_once(deepgram_lab.listen_url.replace("/v1/listen", "/v1/lisen"), deepgram_lab)
    deepgram_lab.assert_clean()

def test_never_connected(deepgram_lab):
    deepgram_lab.assert_clean()

def test_none_expected(deepgram_lab):
    deepgram_lab.assert_clean(allow_no_connection=True)
"""


def test_assert_clean_fails_after_a_refusal_and_after_no_connection(pytester):
    pytester.makepyfile(REFUSED)
    result = pytester.runpytest()
    result.assert_outcomes(failed=4, passed=1)
    result.stdout.fnmatch_lines([
        "*client.upgrade_refused: The upgrade was refused with 400 (bad request*",
        "*client.upgrade_refused: The upgrade was refused with 401*Invalid credentials*",
        "*no connection reached the lab: point the client at ws://*allow_no_connection=True*",
    ])  # fmt: skip


def test_a_doubled_query_is_a_clear_400_and_listen_url_takes_a_query(pytester):
    pytester.makepyfile(
        CLIENT
        + """
from urllib.parse import urlencode
from websockets.exceptions import InvalidStatus

def test_doubled(deepgram_lab):
    headers = {"Authorization": f"Token {deepgram_lab.api_key}"}
    with pytest.raises(InvalidStatus) as info:
        connect(deepgram_lab.url + "?model=nova-3", additional_headers=headers)
    assert info.value.response.status_code == 400
    assert "two query strings" in info.value.response.headers["dg-error"]

def test_framework_query(deepgram_lab):
    class Lab:  # a framework that appends its own query to a base URL, as LiveKit's does
        api_key = deepgram_lab.api_key
        url = deepgram_lab.listen_url + "?" + urlencode(
            {"model": "nova-3", "encoding": "linear16", "sample_rate": 16000})
    stream(Lab)
    deepgram_lab.assert_clean()
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)
