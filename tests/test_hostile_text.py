"""Text from the network reaches no terminal or file as raw control sequences, and no secret
leaks through the live progress: results are cleaned once, when the runner records them."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET

import pytest
from conftest import make_ctx
from fake_checks import Fake

from wsdoctor import cli
from wsdoctor.display import neutralise
from wsdoctor.redact import Redactor
from wsdoctor.runner import Runner

KEY = "hostile-test-key-0123456789abcdef"
RAW = ("\x1b]0;pwned\x07", "\x1b[2J", "\u202e", "\x9b", "\x07")


def has_raw_control(text: str) -> bool:
    return any(seq in text for seq in RAW)


def test_neutralise_shows_controls_and_bidi_visibly():
    assert neutralise("a\x1b[2Jb\x07\u202ec\x9b") == "a\\x1b[2Jb\\x07\\u202ec\\x9b"
    assert neutralise("line one\n\ttwo ✓ é") == "line one\n\ttwo ✓ é"  # ordinary text stays


def test_redactor_masks_then_neutralises():
    text = Redactor([KEY]).text(f"Authorization: Token {KEY}\r\n\x1b]0;title\x07")
    assert KEY not in text and not has_raw_control(text)


def test_listeners_get_clean_results():
    seen = []

    def hostile(check, ctx):
        return check.failed("tcp.refused", f"refused \x1b]0;pwned\x07 with key {KEY}\u202e")

    ctx = make_ctx(api_key=KEY)
    runner = Runner([Fake("tcp", outcome=hostile)], ctx, lambda *event: seen.append(event))
    asyncio.run(runner.run())
    (_, _, result) = next(e for e in seen if e[0] == "finish")
    for text in (result.summary, result.findings[0].message):
        assert KEY not in text and not has_raw_control(text)


@pytest.mark.slow
def test_hostile_lab_output_is_inert_and_junit_is_well_formed(tmp_path, capsys):
    junit = tmp_path / "out.xml"
    argv = ["check", "--lab", "hostile", "--skip", "stability", "-v", "--junit", str(junit)]
    with pytest.raises(SystemExit):
        cli.main(argv)
    out, err = capsys.readouterr()
    assert not has_raw_control(out + err)
    assert "\\x07" in out  # the close reason's BEL, shown visibly
    ET.parse(junit)  # well-formed whatever the server sent


@pytest.mark.parametrize("suffix", ["\r", "\n", " \r\n"])
def test_key_with_line_ending_from_a_dotenv_file_is_stripped(suffix, monkeypatch, capsys):
    monkeypatch.setenv("DEEPGRAM_API_KEY", KEY + suffix)
    with pytest.raises(SystemExit) as info:
        cli.main(["check", "--lab", "--only", "handshake", "--no-save"])
    out, err = capsys.readouterr()
    assert info.value.code == 0, out + err
    assert KEY not in out + err


@pytest.mark.parametrize(
    ("key", "said"), [("abc\x01def", "control character"), ("abc“def", "non-ASCII character")]
)
def test_key_with_characters_no_header_can_carry_is_refused(key, said, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["check", "--api-key", key, "--no-save"])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert said in err and "position 4" in err and len(err.strip().splitlines()) == 1


def test_noncharacters_and_surrogates_are_shown_escaped_so_xml_stays_well_formed():
    import xml.etree.ElementTree as ET

    from wsdoctor.display import neutralise

    hostile = "NET-0001 \ufffe\uffff\U0010ffff \ufdd0 \ud800 x"
    shown = neutralise(hostile)
    assert shown == "NET-0001 \\ufffe\\uffff\\U0010ffff \\ufdd0 \\ud800 x"
    ET.fromstring(f"<failure message='{shown}'/>")  # raises if not well-formed
