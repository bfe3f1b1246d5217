"""Redaction: secrets never survive, whatever shape they arrive in."""

from __future__ import annotations

import base64

from wsdoctor.redact import MASK, Redactor, describe_key

KEY = "d6f1c0ffee5ecre7a11ce0b0b0123456789abcde"


def test_literal_key_and_its_encodings_are_replaced():
    redactor = Redactor([KEY])
    b64 = base64.b64encode(KEY.encode()).decode()
    text = redactor.text(f"key={KEY} header=Token {KEY} b64={b64}")
    assert KEY not in text and b64 not in text
    assert "ends bcde" in text


def test_key_description_shows_length_and_tail_only_for_long_keys():
    assert describe_key(KEY) == "<key: 40 chars, ends bcde>"
    assert describe_key("short-key") == "<key: 9 chars>"


def test_authorization_headers_are_masked_without_knowing_the_key():
    redactor = Redactor()
    assert redactor.text("Authorization: Token abcdefghijkl") == f"Authorization: {MASK}"
    assert "abcdefghijkl" not in redactor.text("sent Bearer abcdefghijkl.mn")
    assert redactor.text("Sec-WebSocket-Protocol: token, abcdefghij") == (
        f"Sec-WebSocket-Protocol: {MASK}"
    )


def test_proxy_credentials_in_urls_are_masked():
    redactor = Redactor()
    redactor.add_url_credentials("http://alice:s3cr3t-pw@proxy:3128")
    text = redactor.text("via http://alice:s3cr3t-pw@proxy:3128 (s3cr3t-pw)")
    assert "s3cr3t-pw" not in text
    assert "http://alice:***@proxy:3128" in text


def test_query_tokens_are_masked():
    assert "zzz123" not in Redactor().text("wss://h/v1/listen?token=zzz123&model=nova")


def test_structures_are_redacted_by_field_name_and_content():
    redactor = Redactor([KEY])
    value = redactor.value(
        {"Authorization": "Token x", "nested": [{"note": f"key {KEY}"}], "count": 3}
    )
    assert value == {
        "Authorization": MASK,
        "nested": [{"note": "key <key: 40 chars, ends bcde>"}],
        "count": 3,
    }


def test_tiny_secrets_are_not_used_for_literal_replacement():
    assert Redactor(["ab"]).text("a cab") == "a cab"


def test_forms_that_used_to_escape_are_masked():
    import base64

    key = "0123456789abcdef0123456789abcdef01234567"
    redactor = Redactor([key])
    redactor.add_url_credentials("http://alice:s3cr3t-pw@proxy:3128")
    echoed = base64.b64encode(b"alice:s3cr3t-pw").decode()  # a proxy echoing Proxy-Authorization
    text = redactor.text(f"hex {key.encode().hex()} echo {echoed} HEX {key.encode().hex().upper()}")
    assert key.encode().hex() not in text and echoed not in text
    assert key.encode().hex().upper() not in text


def test_a_flooding_or_nested_message_never_kills_the_reader():
    from wsdoctor.deepgram.messages import message_type

    assert message_type('{"type": "Results"}') == "Results"
    assert message_type("[" * 100_000 + "]" * 100_000) is None  # RecursionError, contained
    assert message_type("not json") is None
    assert message_type('{"type": "' + "x" * 10_000 + '"}') == "x" * 40


def test_a_preview_never_shows_the_prefix_of_a_key_that_the_read_cut_in_two():
    from wsdoctor.redact import cut_unsplit

    key = "abcdef0123456789abcdef0123456789abcdef01"
    body = "Authorization: " + "x" * 1170 + "\n" + key + " trailing"
    preview = Redactor([key]).text(cut_unsplit(body, 1200))[:300]
    assert preview == "Authorization: ***\n"  # the header masked, the split key dropped
    assert "abcdef" not in preview
    assert cut_unsplit("short body", 1200) == "short body"
    assert cut_unsplit("hello world", 8) == "hello "
