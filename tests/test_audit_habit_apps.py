"""`wsdoctor audit -- python app.py` on apps with the habits of issue 20, each beside its healthy
twin: flagged with exactly its cause, the twin clean; and no app that dies after a drop or
is refused passes as clean."""

from __future__ import annotations

import pytest
from auditkit import run_audit

pytestmark = pytest.mark.slow  # each test runs the audit and an app as processes


def audit(app: str, behaviour: str, *args: str) -> tuple[int, dict, str]:
    return run_audit(*args, app=app, behaviour=behaviour)


def findings(report: dict) -> list[dict]:
    return [f for check in report["checks"] for f in check["findings"]]


def problems(report: dict) -> set[str]:
    """Causes of every finding that is not just information."""
    return {f["cause"] for f in findings(report) if f["level"] != "info"}


def session(report: dict) -> dict:
    return next(c for c in report["checks"] if c["id"] == "session")


@pytest.mark.parametrize(
    ("behaviour", "args", "expected"),
    [
        ("die-after-drop", ["--lab", "drop-after=1"], {"client.no_reconnect"}),
        ("reconnect-keep-audio", ["--lab", "drop-after=1"], set()),
        ("refused-exit", ["--lab", "bad-request"], {"client.upgrade_refused"}),
        ("blocked-loop", ["--idle-window", "5"], {"client.loop_blocked"}),
        ("unblocked-loop", ["--idle-window", "5"], set()),
        ("finalize-forever", ["--lab", "no-finalize-reply"],
         {"client.finalize_wait", "client.no_close_stream"}),
        ("finalize-timeout", ["--lab", "no-finalize-reply"], set()),
        ("go-stop", [], {"client.closed_before_final"}),
        ("webm", [], set()),
        ("webm-before-open", [], {"client.audio_before_open", "client.container_header_missing"}),
        ("webm-resume", ["--lab", "drop-after=0.8"], {"client.container_header_missing"}),
        ("webm-restart", ["--lab", "drop-after=0.8"], set()),
    ],
)  # fmt: skip
def test_each_habit_has_its_cause_and_its_twin_stays_clean(behaviour, args, expected):
    code, report, err = audit("habits_app.py", behaviour, *args)
    assert problems(report) == expected, err
    status = report["summary"]["status"]
    assert status == ("pass" if not expected else "warn" if behaviour == "blocked-loop" else "fail")
    assert code == (1 if status == "fail" else 0), err


def test_dying_after_a_drop_is_the_articles_first_cause_not_a_clean_run():
    code, report, err = audit("habits_app.py", "die-after-drop", "--lab", "drop-after=1")
    assert "ConnectionClosedError" in err  # the user's exact error
    assert report["root_causes"] == ["client.no_reconnect"]
    assert report["causes"]["client.no_reconnect"]["seed_section"] == (
        "Improper Connection Handling"
    )
    assert "exited with status 1" in session(report)["findings"][0]["message"]
    assert code == 1


def test_a_refused_upgrade_shows_its_status_and_dg_error(report_schema):
    import jsonschema

    _, report, _ = audit("habits_app.py", "refused-exit", "--lab", "bad-request")
    jsonschema.validate(report, report_schema)
    (conn,) = [c for c in report["checks"] if c["id"] == "connection_1"]
    assert conn["status"] == "fail"
    assert conn["findings"][0]["evidence"]["dg_error"] == (
        "No such model/language/tier combination found."
    )


def test_audio_dropped_during_a_reconnect_is_said_kept_audio_is_not():
    _, report, _ = audit("habits_app.py", "reconnect-drop-audio", "--lab", "drop-after=1")
    (note,) = [f for f in findings(report) if f["cause"] == "client.reconnect"]
    assert "of audio was never sent" in note["message"]
    assert note["evidence"]["audio_not_sent_s"] >= 0.5
    _, report, _ = audit("habits_app.py", "reconnect-keep-audio", "--lab", "drop-after=1")
    (note,) = [f for f in findings(report) if f["cause"] == "client.reconnect"]
    assert "never sent" not in note["message"]


def test_a_refusal_retried_in_a_loop_is_a_storm_after_400_too():
    code, report, _ = audit("ws_app.py", "storm", "--lab", "bad-request")
    assert problems(report) == {"client.reconnect_storm", "client.upgrade_refused"}
    assert code == 1


def test_livekits_wait_without_a_timeout_hangs_after_close_stream():
    """LiveKit's plugin under `no-close-reply`: CloseStream, then an unbounded wait while its
    KeepAlive task goes on."""
    code, report, err = audit("livekit_like.py", "plugin", "--lab", "no-close-reply",
                              "--duration", "3")  # fmt: skip
    assert problems(report) == {"client.no_close_deadline", "client.keepalive_after_close_stream"}
    assert code == 1, err
    code, report, err = audit("livekit_like.py", "deadline", "--lab", "no-close-reply",
                              "--duration", "5")  # fmt: skip
    assert (code, problems(report)) == (0, set()), err


def test_the_sdk_example_without_reconnect_dies_on_a_drop_and_is_told_so():
    code, report, err = audit("sdk_app.py", "stream", "--lab", "drop-after=1")
    assert problems(report) == {"client.no_reconnect"}, err
    assert code == 1


def test_the_sdk_refused_with_401_is_not_clean():
    code, report, err = audit("sdk_app.py", "good", "--lab", "auth")
    assert problems(report) == {"client.upgrade_refused"}, err
    assert code == 1
