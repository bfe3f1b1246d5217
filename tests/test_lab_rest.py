"""The lab's REST side through httpx: recorded audio and key validation."""

from __future__ import annotations

import httpx
import pytest
from labkit import AUTH, with_lab

from wsdoctor.audio.pcm import tone, wav


def rest(method, path, *, headers=AUTH, key=None, faults=(), **kwargs):
    async def scenario(lab):
        async with httpx.AsyncClient(base_url=lab.http_url, timeout=5) as client:
            return await client.request(method, path, headers=headers, **kwargs)

    return with_lab(scenario, *faults, key=key)


def test_wav_upload_is_transcribed():
    response = rest("POST", "/v1/listen", content=wav(tone(2.0)))
    assert response.status_code == 200
    body = response.json()
    assert body["metadata"]["duration"] == 2.0
    assert body["metadata"]["request_id"] == response.headers["dg-request-id"]
    transcript = body["results"]["channels"][0]["alternatives"][0]["transcript"]
    assert transcript == "hello from the wsdoctor"


def test_raw_upload_uses_the_query_format():
    params = {"encoding": "linear16", "sample_rate": "8000"}
    response = rest("POST", "/v1/listen", params=params, content=tone(1.0))
    assert response.json()["metadata"]["duration"] == 2.0  # 16 kHz bytes read as 8 kHz


def test_url_body_is_accepted():
    response = rest("POST", "/v1/listen", json={"url": "https://example.invalid/a.wav"})
    assert response.status_code == 200 and response.json()["metadata"]["duration"] == 3.0


@pytest.mark.parametrize(
    "kwargs",
    [{"content": b"definitely not audio"}, {"json": {"nope": 1}}, {"json": {"url": "ftp://x"}}],
)
def test_undecodable_input_is_400(kwargs):
    response = rest("POST", "/v1/listen", **kwargs)
    assert response.status_code == 400
    assert response.json()["err_code"] == "Bad Request"


@pytest.mark.parametrize("path", ["/v1/projects", "/v1/auth/token"])
def test_key_validation_endpoints(path):
    assert rest("GET", path).status_code == 200
    refused = rest("GET", path, key="the-right-key")
    assert refused.status_code == 401
    assert refused.json()["err_code"] == "INVALID_AUTH"
    assert refused.headers["dg-error"] == "Invalid credentials."


def test_missing_key_is_401():
    assert rest("GET", "/v1/projects", headers={}).status_code == 401


def test_hostile_error_body_carries_the_payload():
    response = rest("GET", "/v1/projects", faults=("auth", "hostile"))
    assert "<script>" in response.json()["err_msg"]
