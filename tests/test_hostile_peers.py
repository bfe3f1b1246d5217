"""Hostile peers end a check at once with a clear verdict; the session's reader never dies."""

from __future__ import annotations

import pytest
from checkkit import FAST, run_against
from hostile_peers import hostile_server, nested_json, not_json


@pytest.mark.parametrize("behaviour", [nested_json, not_json])
def test_a_message_no_deepgram_server_sends_ends_the_check_at_once(behaviour):
    with hostile_server(behaviour) as url:
        report = run_against(url, only=("handshake",), settings=FAST)
    handshake = report.entry("handshake").result
    assert handshake.status.value == "fail"
    assert handshake.cause == "network.bad_message"
    assert "not a JSON object" in handshake.summary
    assert handshake.duration_ms < 2000  # ended at once, not at the check's deadline
    assert report.root_causes == ("network.bad_message",)
